"""Every bad row is reported by line and column, the exit status is non-zero, nothing is written."""

from __future__ import annotations

import re

import pytest
from tests.transfer.conftest import CUSTOMERS_HEADER, ORDERS_HEADER, customers_csv

from clientela.crm.commerce.models import Order, OrderLine, Product
from clientela.crm.parties.models import Party
from clientela.crm.transfer.csv_import import ImportFailed, import_file
from clientela.crm.transfer.csv_reader import FileProblem

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers(write_csv, cli):
    result = cli("import", "customers", write_csv(customers_csv(["C1", "C2"])))
    assert result.exit_code == 0, result.output


def order_rows(n: int, *, bad: dict[int, str] | None = None) -> str:
    """An orders file of n lines; ``bad`` maps a physical line number to a replacement row."""
    lines = [ORDERS_HEADER]
    for i in range(n):
        lines.append(f"O{i // 3},C{1 + (i // 3) % 2},2024-03-01T10:00:00+01:00,SKU-{i % 7},{1 + i % 4},"
                     f"{10 + i % 5}.25,PLN,4.10,0")
    for line, row in (bad or {}).items():
        lines[line - 1] = row
    return "\n".join(lines) + "\n"


def test_bad_date_at_line_7001_names_line_and_column_and_writes_nothing(customers, write_csv, cli):
    bad = "O2333,C2,2024-02-30,SKU-1,1,10.25,PLN,4.10,0"  # line 7001 is row 7000: order O2333
    path = write_csv(order_rows(7200, bad={7001: bad}))
    result = cli("import", "orders", path)
    assert result.exit_code != 0
    assert "line 7001, column ordered_at" in result.output
    assert "1 error(s)" in result.output
    assert OrderLine.objects.count() == 0
    assert Order.objects.count() == 0
    assert Product.objects.count() == 0


@pytest.mark.parametrize(
    ("cell", "reason"),
    [("01/03/2024", "not an ISO-8601"), ("2024-13-01", "not a valid date"), ("", "is empty"),
     ("2024", "not an ISO-8601")],
)
def test_bad_dates(customers, write_csv, cli, cell, reason):
    path = write_csv(order_rows(3, bad={3: f"O0,C1,{cell},SKU-1,1,10,PLN,1,0"}))
    result = cli("import", "orders", path)
    assert result.exit_code == 1
    assert "line 3, column ordered_at" in result.output
    assert reason in result.output


@pytest.mark.parametrize(("quantity", "reason"), [("-2", "greater than 0"), ("0", "greater than 0"),
                                                  ("1.5", "whole number"), ("99999999999", "too large")])
def test_negative_zero_and_fractional_quantities(customers, write_csv, cli, quantity, reason):
    path = write_csv(order_rows(4, bad={4: f"O0,C1,2024-03-01T10:00:00+01:00,SKU-1,{quantity},10,PLN,1,0"}))
    result = cli("import", "orders", path)
    assert result.exit_code == 1
    assert "line 4, column quantity" in result.output and reason in result.output
    assert OrderLine.objects.count() == 0


def test_bad_amounts_are_named(customers, write_csv, cli):
    path = write_csv(order_rows(5, bad={
        2: "O0,C1,2024-03-01,SKU-1,1,-3,PLN,1,0",
        3: "O0,C1,2024-03-01,SKU-1,1,1.23456,PLN,1,0",
        4: 'O1,C2,2024-03-01,SKU-1,1,"1 234,50",PLN,1,0',
        5: "O1,C2,2024-03-01,SKU-1,1,10,PLN,1,11",
    }))
    result = cli("import", "orders", path)
    assert result.exit_code == 1
    assert "line 2, column unit_price: must not be negative" in result.output
    assert "line 3, column unit_price: '1.23456' has more than 4 decimal places" in result.output
    assert "line 4, column unit_price: '1 234,50' is not a number" in result.output
    assert "line 5, column discount: is larger than quantity × unit_price" in result.output


def test_unknown_customer_ref_is_an_error_unless_create_missing(customers, write_csv, cli):
    path = write_csv(order_rows(2, bad={3: "O9,NOBODY,2024-03-01,SKU-1,1,10,PLN,1,0"}))
    result = cli("import", "orders", path)
    assert result.exit_code == 1
    assert "line 3, column customer_ref: no customer has this customer_ref" in result.output
    assert OrderLine.objects.count() == 0
    result = cli("import", "orders", path, "--create-missing")
    assert result.exit_code == 0, result.output
    created = Party.objects.get(ref="NOBODY")
    assert created.name == "NOBODY" and created.is_customer
    assert "customers created 1" in result.output


def test_duplicated_customer_ref_names_both_lines(write_csv, cli):
    text = customers_csv(["C1", "C2", "C3", "C2"])
    result = cli("import", "customers", write_csv(text))
    assert result.exit_code == 1
    assert "line 5, column customer_ref: the same customer_ref is on line 3" in result.output
    assert Party.objects.count() == 0


def test_order_ref_with_another_customer_or_date_is_an_error(customers, write_csv, cli):
    path = write_csv(order_rows(3, bad={
        3: "O0,C2,2024-03-01T10:00:00+01:00,SKU-1,1,10,PLN,1,0",
        4: "O0,C1,2024-03-02T10:00:00+01:00,SKU-1,1,10,PLN,1,0",
    }))
    result = cli("import", "orders", path)
    assert result.exit_code == 1
    assert "line 3, column customer_ref: differs from line 2 of the same order_ref" in result.output
    assert "line 4, column ordered_at: differs from line 2 of the same order_ref" in result.output


def test_wrong_encoding_is_named_with_its_line(write_csv, cli):
    text = CUSTOMERS_HEADER + "\nC1,Zażółć Gęślą,person,,,PL,,\n"
    path = write_csv(text.encode("cp1250"))
    result = cli("import", "customers", path)
    assert result.exit_code != 0
    assert "not valid UTF-8: line 2" in result.output
    assert "cp1250" in result.output
    assert Party.objects.count() == 0


def test_utf8_with_bom_is_read(write_csv, cli):
    path = write_csv(b"\xef\xbb\xbf" + customers_csv(["C1"]).encode())
    result = cli("import", "customers", path)
    assert result.exit_code == 0, result.output
    assert Party.objects.filter(ref="C1").exists()


def test_empty_file_is_a_clear_error(write_csv, cli):
    result = cli("import", "orders", write_csv(""))
    assert result.exit_code == 1
    assert "the file is empty" in result.output


def test_header_only_imports_nothing_and_succeeds(write_csv, cli):
    result = cli("import", "orders", write_csv(ORDERS_HEADER + "\n"))
    assert result.exit_code == 0
    assert "no rows; nothing to import" in result.output
    assert Order.objects.count() == 0


def test_missing_and_unknown_columns(write_csv, cli):
    result = cli("import", "customers", write_csv("customer_ref,nom\nC1,x\n"))
    assert result.exit_code == 1
    assert "unknown column(s) 'nom'" in result.output and "--map" in result.output


def test_a_1mb_field_is_an_error_not_a_crash(write_csv, cli):
    huge = "x" * (1 << 20)
    text = customers_csv(["C1"]) + f'C2,"{huge}",person,,,PL,,\n'
    result = cli("import", "customers", write_csv(text))
    assert result.exit_code == 1
    assert "line 3, column name: is 1048576 characters long; at most 200 are allowed" in result.output
    assert huge[:100] not in result.output  # no value echo for text cells
    assert Party.objects.count() == 0


def test_a_1mb_field_through_the_slow_path(write_csv):
    """A wrong field count sends the file to the csv-module reader; its field limit is raised."""
    huge = "y" * (1 << 20)
    text = customers_csv(["C1"]) + f'C2,"{huge}",person,,,PL,,\nC3,too,few\n'
    with pytest.raises(ImportFailed) as failed:
        import_file("customers", write_csv(text))
    reasons = [str(e) for e in failed.value.errors]
    assert reasons == [
        "line 3, column name: is 1048576 characters long; at most 200 are allowed",
        "line 4: has 3 fields, the header has 8",
    ]


def test_line_numbers_count_physical_lines_of_multiline_values(write_csv):
    text = CUSTOMERS_HEADER + '\nC1,"two\nlines",person,,,PL,,\n\nC2,x,alien,,,PL,,\n'
    with pytest.raises(ImportFailed) as failed:
        import_file("customers", write_csv(text))
    assert [str(e) for e in failed.value.errors] == [
        "line 5, column kind: 'alien' is not one of person, organisation"
    ]


def test_errors_are_capped_with_a_count_of_the_rest(customers, write_csv, cli):
    lines = [ORDERS_HEADER] + [f"O{i},C1,nope,SKU,1,1,PLN,," for i in range(250)]
    result = cli("import", "orders", write_csv("\n".join(lines) + "\n"))
    assert result.exit_code == 1
    assert len(re.findall(r"line \d+, column ordered_at", result.output)) == 100
    assert "… and 150 more" in result.output
    # Every error counted by column and reason, however many were listed.
    assert "Errors by column and reason:\n  column ordered_at: … is not an ISO-8601 date" in result.output
    assert "250 rows, the first on line 2\n" in result.output
    assert "250 error(s)" in result.output


def test_error_kinds_count_every_error_by_column_and_reason(customers, write_csv):
    lines = [ORDERS_HEADER]
    lines += [f"O{i},C1,2024-01-01,SKU,0,1,PLN,," for i in range(150)]  # lines 2-151: quantity 0
    lines += [f"P{i},NOBODY,2024-13-01,SKU,1,1,PLN,," for i in range(3)]  # 152-154: ref and date
    lines += ["Q,C1,2024-01-01,SKU,x,1,PLN,,"]  # line 155: not a number
    with pytest.raises(ImportFailed) as failed:
        import_file("orders", write_csv("\n".join(lines) + "\n"))
    assert failed.value.total == 157
    assert [(k.column, k.reason, k.rows, k.first_line) for k in failed.value.kinds] == [
        ("quantity", "must be greater than 0 (got …)", 150, 2),
        ("customer_ref", "no customer has this customer_ref (import the customers first, or use --create-missing)",
         3, 152),
        ("ordered_at", "… is not a valid date or is out of range", 3, 152),
        ("quantity", "… is not a whole number", 1, 155),
    ]


def test_python_api_raises_file_problem_for_bad_map(write_csv):
    with pytest.raises(FileProblem, match="has no column 'nope'"):
        import_file("customers", write_csv(customers_csv(["C1"])), mapping={"nope": "name"})
