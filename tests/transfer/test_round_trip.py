"""Issue 14: the whole record in canonical files, and round trips that change nothing.

On a file set written by hand that holds every column of every kind and every order,
deal and ledger status (canonical_files.py): import into an empty database, export,
and get the same files back; import the export again and every row is unchanged.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.transfer.canonical_files import FILES, USERS

from clientela.cli.main import main
from clientela.crm.accounts.models import User
from clientela.crm.commerce.models import Order
from clientela.crm.loyalty.models import LoyaltyAccount
from clientela.crm.parties.models import Party
from clientela.crm.transfer.columns import ALL_KINDS, column_names
from clientela.crm.transfer.csv_export import export_all, export_csv
from clientela.crm.transfer.csv_import import import_all, import_file

pytestmark = pytest.mark.django_db


def rows_of(text: str) -> list[list[str]]:
    """The data rows of a CSV text, sorted (row order aside), with its header first."""
    header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    return [header, *sorted(rows)]


@pytest.fixture
def users() -> None:
    for name in USERS:
        User.objects.create_user(username=name, password=None)


@pytest.fixture
def hand_set(tmp_path: Path) -> Path:
    directory = tmp_path / "hand"
    directory.mkdir()
    for kind, text in FILES.items():
        (directory / f"{kind}.csv").write_text(text, encoding="utf-8", newline="")
    return directory


def test_the_hand_written_set_covers_every_column_and_status() -> None:
    assert set(FILES) == {kind.value for kind in ALL_KINDS}
    for kind, text in FILES.items():
        header, *rows = rows_of(text)
        assert header == column_names(kind), kind
        for position, name in enumerate(header):
            assert any(row[position] for row in rows), f"{kind}.{name} is never filled"
    orders = rows_of(FILES["orders"])[1:]
    assert {row[10] for row in orders} == {"placed", "paid", "shipped", "completed", "cancelled", "returned"}
    assert {row[7] for row in rows_of(FILES["deals"])[1:]} == {"open", "won", "lost"}
    assert {row[2] for row in rows_of(FILES["loyalty"])[1:]} == {"adjust", "earn", "redeem", "expire"}
    assert {row[8] for row in rows_of(FILES["parties"])[1:]} >= {
        "customer", "prospect", "supplier", "internal", "customer;partner", ""}


def test_import_into_an_empty_database_then_export_gives_the_same_files(users, hand_set, tmp_path):
    results = import_all(hand_set)
    assert [path.stem for path, _ in results] == [kind.value for kind in ALL_KINDS]
    assert all(r.created == r.rows and r.updated == 0 for _, r in results), [(p.stem, r) for p, r in results]
    out = tmp_path / "out"
    export_all(out)
    for kind, text in FILES.items():
        exported = (out / f"{kind}.csv").read_text(encoding="utf-8")
        assert rows_of(exported) == rows_of(text), kind

    # What the files say is what is stored.
    assert Party.objects.get(ref="C-002").roles == ["customer", "partner"]
    assert Party.objects.get(ref="C-001").phone == "+48 600 100 200"
    assert Party.objects.get(ref="C-002").phone == "0048 58 300 400"
    assert Party.objects.get(ref="C-005").referred_by.ref == "C-001"
    assert Party.objects.get(ref="C-001").tags == ["vip", "amber"]
    returned = Order.objects.get(ref="O-2")
    assert (returned.status, returned.channel, returned.returned_at.day) == ("returned", "store", 10)
    account = LoyaltyAccount.objects.get(party__ref="C-001")
    assert (account.balance, account.lifetime_points) == (400, 240)
    assert list(account.entries.order_by("id").values_list("balance_after", flat=True)) == [500, 740, 440, 400]


def test_reimporting_an_export_reports_every_row_unchanged(users, hand_set, tmp_path):
    import_all(hand_set)
    out = tmp_path / "out"
    export_all(out)
    again = import_all(out)
    for path, result in again:
        assert (result.created, result.updated, result.unchanged) == (0, 0, result.rows), path.stem
    export_all(tmp_path / "again")
    for kind in FILES:
        assert (tmp_path / "again" / f"{kind}.csv").read_bytes() == (out / f"{kind}.csv").read_bytes()


def test_cli_moves_a_whole_company(users, hand_set, tmp_path):
    runner = CliRunner()
    first = runner.invoke(main, ["import", "all", str(hand_set)], catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert first.output.count("rows read") == len(FILES)
    out = tmp_path / "cli-out"
    exported = runner.invoke(main, ["export", "all", "--output", str(out)], catch_exceptions=False)
    assert exported.exit_code == 0, exported.output
    for kind in FILES:
        single = runner.invoke(main, ["export", kind], catch_exceptions=False)
        assert single.stdout == (out / f"{kind}.csv").read_text(encoding="utf-8").replace("\r\n", "\r\n")
    second = runner.invoke(main, ["import", "all", str(out)], catch_exceptions=False)
    assert second.exit_code == 0, second.output
    assert second.output.count(" 0 created, 0 updated") == len(FILES), second.output


def test_customers_export_leaves_out_suppliers_and_staff_and_keeps_roles(users, hand_set):
    import_all(hand_set)
    stream = io.StringIO()
    export_csv("customers", stream)
    rows = {row["customer_ref"]: row for row in csv.DictReader(io.StringIO(stream.getvalue()))}
    # Supplier C-004 and staff C-006 are not customers; archived C-005 is out of the base.
    assert set(rows) == {"C-001", "C-002", "C-003", "C-007"}
    assert rows["C-002"]["roles"] == "customer;partner"
    # Re-importing the customers file keeps the partner a partner.
    result = import_file("customers", stream.getvalue().encode())
    assert (result.created, result.updated, result.unchanged) == (0, 0, 4)
    assert Party.objects.get(ref="C-002").roles == ["customer", "partner"]


def test_a_bad_file_in_the_set_writes_nothing(users, hand_set):
    (hand_set / "loyalty.csv").write_text(FILES["loyalty"].replace("-300", "-3000"), encoding="utf-8")
    result = CliRunner().invoke(main, ["import", "all", str(hand_set)], catch_exceptions=False)
    assert result.exit_code == 1
    assert "loyalty.csv: line 4, column points: would take the balance below zero" in result.output
    assert not Party.objects.exists() and not Order.objects.exists()
