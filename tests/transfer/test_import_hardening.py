"""Crafted import files (issue 20): CR-only line endings (F19), a quantity written
``+5`` (F20), a NUL byte in a cell (F21), dates beyond the horizon of every face and
error messages that quote the cell as written (F22). Each is a clear error naming the
line and column, or a clean import; never a traceback; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.transfer.conftest import (
    CUSTOMERS_HEADER,
    INTERACTIONS_HEADER,
    ORDERS_HEADER,
    customers_csv,
)

from clientela.crm.commerce.models import OrderLine
from clientela.crm.engagement.models import Interaction
from clientela.crm.parties.models import Party
from clientela.crm.transfer.csv_import import ImportFailed, import_file
from clientela.crm.transfer.csv_reader import FileProblem

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers() -> None:
    import_file("customers", customers_csv(["C1", "C2"]).encode())


def _errors(kind: str, text: str | bytes) -> list[str]:
    data = text.encode() if isinstance(text, str) else text
    with pytest.raises(ImportFailed) as failed:
        import_file(kind, data)
    return [str(e) for e in failed.value.errors]


# -- F19 ------------------------------------------------------------------------------
def test_cr_only_line_endings_import_like_lf(write_csv, cli):
    text = customers_csv(["C3", "C4", "C5"]).replace("\n", "\r")
    result = cli("import", "customers", write_csv(text.encode()))
    assert result.exit_code == 0, result.output
    assert sorted(Party.objects.values_list("ref", flat=True)) == ["C3", "C4", "C5"]


def test_cr_only_file_names_the_physical_line_of_an_error():
    text = (CUSTOMERS_HEADER + "\nC1,Ann,person,,,PL,2024-01-01,search\nC2,Bob,person,,,PL,2024-02-30,search\n")
    assert _errors("customers", text.replace("\n", "\r")) == [
        "line 3, column acquired_at: '2024-02-30' is not a valid date or is out of range"]


def test_cr_only_file_with_quoted_line_breaks_and_a_bad_row_goes_the_slow_path():
    text = (CUSTOMERS_HEADER + '\nC1,"Ann\nSmith",person,,,PL,2024-01-01,search\nC2,Bob\n')
    assert _errors("customers", text.replace("\n", "\r")) == ["line 4: has 2 fields, the header has 8"]


def test_a_header_that_is_not_csv_is_a_file_problem():
    with pytest.raises(FileProblem, match="line 1"):
        import_file("customers", b'customer_ref,"na"me\r,kind\nC1,x,person\n')


# -- F20 ------------------------------------------------------------------------------
def test_a_quantity_with_a_plus_sign_is_that_number(customers):
    text = ORDERS_HEADER + "\nO1,C1,2024-03-01,SKU-1,+5,10,PLN,1,0\nO1,C1,2024-03-01,SKU-2,007,10,PLN,1,0\n"
    import_file("orders", text.encode())
    assert sorted(OrderLine.objects.values_list("quantity", flat=True)) == [5, 7]


@pytest.mark.parametrize(("quantity", "reason"), [("+0", "must be greater than 0 (got '+0')"),
                                                  ("++5", "'++5' is not a whole number"),
                                                  ("+", "'+' is not a whole number")])
def test_bad_signed_quantities_are_named(customers, quantity, reason):
    text = ORDERS_HEADER + f"\nO1,C1,2024-03-01,SKU-1,{quantity},10,PLN,1,0\n"
    assert _errors("orders", text) == [f"line 2, column quantity: {reason}"]


# -- F21 ------------------------------------------------------------------------------
def test_a_nul_byte_in_a_cell_is_refused_with_its_line_and_column(customers):
    text = (CUSTOMERS_HEADER + "\nC7,Good,person,,,PL,2024-01-01,search\nC8,Na\x00me,person,,,PL,2024-01-01,search\n")
    assert _errors("customers", text) == [
        "line 3, column name: holds a NUL character (U+0000), which cannot be stored"]
    orders = ORDERS_HEADER + "\nO1,C\x001,2024-03-01,SKU-1,1,10,PLN,1,0\nO2,C1,2024-03-01,SKU\x00,1,10,PLN,1,0\n"
    errors = _errors("orders", orders)
    assert "line 2, column customer_ref: holds a NUL character (U+0000), which cannot be stored" in errors
    assert "line 3, column sku: holds a NUL character (U+0000), which cannot be stored" in errors
    assert not Party.objects.filter(ref__in=["C7", "C8"]).exists() and not OrderLine.objects.exists()


# -- F22 ------------------------------------------------------------------------------
def test_dates_beyond_the_horizon_are_refused_like_in_the_api(customers):
    tomorrow = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=20)).strftime("%Y-%m-%dT%H:%M:%SZ")
    text = (ORDERS_HEADER + "\nO1,C1,2099-03-01,SKU-1,1,10,PLN,1,0\nO2,C1,1850-01-01,SKU-1,1,10,PLN,1,0\n"
            f"O3,C1,{tomorrow},SKU-1,1,10,PLN,1,0\n")
    assert _errors("orders", text) == [
        "line 2, column ordered_at: '2099-03-01' must not lie in the future",
        "line 3, column ordered_at: '1850-01-01' must lie between 1900-01-01 and 2999-12-31",
    ]
    interactions = INTERACTIONS_HEADER + "\nC1,2099-01-01T10:00:00+01:00,email,outbound,Hello\n"
    assert _errors("interactions", interactions) == [
        "line 2, column occurred_at: '2099-01-01T10:00:00+01:00' must not lie in the future"]
    assert not Interaction.objects.exists() and not OrderLine.objects.exists()


@pytest.mark.parametrize(("cell", "shown"), [('"1,234.50"', "'1,234.50'"), ('"1 234,50"', "'1 234,50'"),
                                             ("1.234.50", "'1.234.50'")])
def test_thousands_separators_are_quoted_as_written(customers, cell, shown):
    text = ORDERS_HEADER + f"\nO1,C1,2024-03-01,SKU-1,1,{cell},PLN,1,0\n"
    assert _errors("orders", text) == [
        f"line 2, column unit_price: {shown} is not a number (write 1234.50 or 1234,50, "
        "without thousands separators)"]


def test_other_amount_errors_quote_the_cell_as_written(customers):
    text = ORDERS_HEADER + "\nO1,C1,2024-03-01,SKU-1,1,\"1,23456\",PLN,1,0\n"
    assert _errors("orders", text) == ["line 2, column unit_price: '1,23456' has more than 4 decimal places"]
