"""Issue 20 (F2/F3 in the export): `clientela export scores` builds each reason from the
same field-visibility rule as its columns.

Before, the CSV carried the English reason the scoring run stored ("… net contribution
-155 PLN; past value 1,352 PLN; CLV 52 PLN") whatever the columns said. Now the reason
is built when exporting; ``--as USER`` writes the file that user may see: a sales
representative (margin hidden) gets no net contribution or past revenue, in the columns
or the reasons; a service agent (margin and CLV hidden) no CLV either.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from click.testing import CliRunner

from clientela.cli.main import main
from clientela.crm.accounts.models import Team, User
from clientela.crm.commerce.models import Product
from clientela.crm.parties.models import Party
from clientela.crm.scoring.models import CustomerScore, ModelRun

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
STORED = "unprofitable in consecutive periods; net contribution -155 PLN; past value 1,352 PLN; CLV 52 PLN"
MARGIN_FIGURES = ("-155", "1,352", "net contribution", "past revenue", "past value")
CLV_FIGURES = ("5,235", "CLV")


@pytest.fixture
def users() -> dict[str, User]:
    team = Team.objects.create(name="North")
    users = {role: User.objects.create_user(username=role, password="pw-long-enough", role=role, team=team)
             for role in ("admin", "sales_rep", "service_agent")}
    Product.objects.create(sku="ELE-0007", name="Action camera Tatra 4K", list_price=Decimal("899"))
    Product.objects.create(sku="ELE-0001", name="Bike helmet Rysy", list_price=Decimal("199"))
    run = ModelRun.objects.create(started_at=T0, status="succeeded", is_current=True, summary={"currency": "PLN"})
    for action, extra in {
        "develop": {"nba_product_sku": "ELE-0007", "nba_because_sku": "ELE-0001", "nba_lift": 19.6},
        "managed_exit": {"unprofitable": True},
        "win_back": {},
        "retain": {"p_alive_previous": 0.81},
    }.items():
        party = Party.objects.create(ref=f"C-{action}", name=f"Customer {action}", owner=users["sales_rep"],
                                     team=team, is_customer=True)
        CustomerScore.objects.create(
            run=run, party=party, owner=users["sales_rep"], team=team, p_alive=0.42, clv=Decimal("5234.70"),
            expected_spend=Decimal("80.00"), revenue=Decimal("1352.00"), net_contribution=Decimal("-155.00"),
            next_best_action=action, nba_reason=STORED, **extra,
        )
    # A party outside the representative's and the agent's reach.
    stranger = Party.objects.create(ref="C-elsewhere", name="Elsewhere", team=Team.objects.create(name="South"),
                                    is_customer=True)
    CustomerScore.objects.create(run=run, party=stranger, p_alive=0.9, clv=Decimal("10"), next_best_action="nurture",
                                 nba_reason=STORED)
    return users


def _export(*extra: str) -> list[dict[str, str]]:
    result = CliRunner().invoke(main, ["export", "scores", *extra])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def _reasons(rows: list[dict[str, str]]) -> dict[str, str]:
    return {row["customer_ref"]: row["nba_reason"].replace("\u00a0", " ") for row in rows}


def test_the_operator_gets_every_column_and_reasons_built_from_them(users: Any) -> None:
    rows = _export()
    reasons = _reasons(rows)
    assert STORED not in reasons.values()  # the stored English text is not exported
    assert "net contribution -155 PLN" in reasons["C-managed_exit"] and "CLV 5,235 PLN" in reasons["C-managed_exit"]
    assert "past revenue 1,352 PLN" in reasons["C-win_back"]
    assert "Action camera Tatra 4K" in reasons["C-develop"] and "Bike helmet Rysy" in reasons["C-develop"]
    assert {row["net_contribution"] for row in rows if row["customer_ref"] != "C-elsewhere"} == {"-155.00"}


def test_a_sales_rep_reads_no_margin_in_columns_or_reasons(users: Any) -> None:
    rows = _export("--as", "sales_rep")
    assert "C-elsewhere" not in {row["customer_ref"] for row in rows}
    assert len(rows) == 4
    for row in rows:
        assert (row["revenue"], row["net_contribution"], row["unprofitable"]) == ("", "", "")
        assert row["clv"] == "5234.70"  # CLV is theirs to see
        assert not any(figure in row["nba_reason"] for figure in MARGIN_FIGURES), row
    reasons = _reasons(rows)
    assert reasons["C-managed_exit"] == "Unprofitable in consecutive periods; CLV 5,235 PLN"
    assert reasons["C-win_back"].startswith("Lapsed: probability alive 42")


def test_a_service_agent_reads_neither_margin_nor_clv(users: Any, tmp_path: Any) -> None:
    rows = _export("--as", "service_agent")
    assert rows
    for row in rows:
        assert (row["clv"], row["expected_spend"], row["revenue"], row["net_contribution"]) == ("", "", "", "")
        assert not any(figure in row["nba_reason"] for figure in MARGIN_FIGURES + CLV_FIGURES), row
    import pyarrow.parquet as pq

    target = tmp_path / "scores.parquet"
    result = CliRunner().invoke(main, ["export", "scores", "--as", "service_agent", "--format", "parquet",
                                       "--output", str(target)])
    assert result.exit_code == 0, result.output
    table = pq.read_table(target).to_pylist()
    assert table and all(r["clv"] is None and r["net_contribution"] is None for r in table)
    assert not any(figure in r["nba_reason"] for r in table for figure in MARGIN_FIGURES + CLV_FIGURES)


def test_an_unknown_reader_or_another_kind_is_refused(users: Any) -> None:
    result = CliRunner().invoke(main, ["export", "scores", "--as", "nobody"])
    assert result.exit_code != 0 and "--as: no active user 'nobody'" in result.output
    result = CliRunner().invoke(main, ["export", "customers", "--as", "sales_rep"])
    assert result.exit_code != 0 and "--as applies to `export scores` only" in result.output
