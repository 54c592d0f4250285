"""``clientela score --transactions PATH``: the order history from Parquet instead of the database.

The demo company's orders are exported (``clientela export orders --format parquet``);
scoring from the file gives every party the value scores that scoring from the
database gave, and scoring from a file without one customer's orders counts the
orders of the file, not the database's.  Runs on SQLite and on PostgreSQL, on the shared
``demo`` world (tests/shared_worlds.py: the scored 300-customer demo company); each test's
runs are rolled back with its transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from clientela.cli.main import main
from clientela.crm.commerce.models import Order
from clientela.crm.scoring.models import CustomerScore, ModelRun, RunStatus
from shared_worlds import TODAY, SharedWorlds, for_module

pytestmark = pytest.mark.django_db

VALUE = ["p_alive", "expected_purchases_365", "expected_spend", "clv", "clv_low", "clv_high", "revenue"]


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output + (repr(result.exception) if result.exit_code else "")


def scores_of(run: ModelRun) -> pd.DataFrame:
    rows = CustomerScore.objects.filter(run=run).values_list("party_id", *VALUE)
    return pd.DataFrame.from_records(list(rows), columns=["party_id", *VALUE]).set_index(
        "party_id").sort_index().astype("float64")


@pytest.fixture(scope="module")
def company(shared_worlds: SharedWorlds, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    yield from for_module(shared_worlds, django_db_blocker, "demo")


def test_scores_from_parquet_equal_the_database_route(company: dict[str, Any], tmp_path: Path) -> None:
    code, text = invoke("score", "--as-of", TODAY.isoformat(), "--model", "bgnbd")
    assert code == 0, text
    from_database = ModelRun.objects.get(is_current=True)
    orders = tmp_path / "orders.parquet"
    code, text = invoke("export", "orders", "--format", "parquet", "--output", str(orders))
    assert code == 0, text
    code, text = invoke("score", "--as-of", TODAY.isoformat(), "--model", "bgnbd",
                        "--transactions", str(orders))
    assert code == 0, text
    from_file = ModelRun.objects.get(is_current=True)
    assert from_file.pk != from_database.pk and from_file.status == RunStatus.SUCCEEDED
    assert from_file.transactions == from_database.transactions > 0
    assert from_file.params == pytest.approx(from_database.params, rel=1e-9)
    expected, got = scores_of(from_database), scores_of(from_file)
    assert got.index.equals(expected.index) and len(got) > 0
    for column in VALUE:
        np.testing.assert_allclose(got[column], expected[column], rtol=1e-6, err_msg=column)
    lines = pd.read_parquet(orders)
    one = lines["customer_ref"].iloc[0]
    trimmed = tmp_path / "trimmed"
    trimmed.mkdir()
    lines[lines["customer_ref"] != one].to_parquet(trimmed / "part-0.parquet")
    code, text = invoke("score", "--as-of", TODAY.isoformat(), "--model", "bgnbd",
                        "--transactions", str(trimmed))
    assert code == 0, text
    dropped = Order.objects.filter(party__ref=one, ordered_at__date__lt=TODAY).exclude(
        status__in=["cancelled", "returned"]).count()
    assert dropped > 0
    assert ModelRun.objects.get(is_current=True).transactions == from_file.transactions - dropped


def test_a_bad_file_is_refused_naming_the_column(company: dict[str, Any], tmp_path: Path) -> None:
    failed_before = ModelRun.objects.filter(status=RunStatus.FAILED).count()
    wrong = tmp_path / "orders.parquet"
    pd.DataFrame({"customer_ref": ["nobody"], "ordered_at": [pd.Timestamp("2026-01-02", tz="UTC")],
                  "amount": [5.0]}).to_parquet(wrong)
    code, text = invoke("score", "--as-of", TODAY.isoformat(), "--transactions", str(wrong))
    assert code == 1 and "customer_ref the CRM does not know (e.g. 'nobody')" in text
    pd.DataFrame({"customer": ["x"]}).to_parquet(wrong)
    code, text = invoke("score", "--as-of", TODAY.isoformat(), "--transactions", str(wrong))
    assert code == 1 and "the orders need the columns" in text and "Traceback" not in text
    assert ModelRun.objects.filter(status=RunStatus.FAILED).count() == failed_before + 2
