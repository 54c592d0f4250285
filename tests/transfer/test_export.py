"""Export: the canonical columns, round trips, formula neutralisation, Parquet."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from tests.transfer.conftest import ORDERS_HEADER, customers_csv

from clientela.crm.commerce.models import Order, OrderLine
from clientela.crm.parties.models import Party
from clientela.crm.transfer.columns import column_names
from clientela.crm.transfer.csv_export import neutralise
from clientela.crm.transfer.csv_import import import_file


def ten_thousand_lines() -> tuple[str, Decimal]:
    rows, total = [ORDERS_HEADER], Decimal(0)
    for i in range(10_000):
        quantity, price, discount = 1 + i % 5, Decimal(f"{3 + i % 97}.{i % 100:02d}"), Decimal(i % 3)
        j = i // 4  # four lines per order
        rows.append(f"ORD-{j:05d},C{j % 50},2025-0{1 + j % 9}-1{j % 10}T1{j % 10}:30:00+01:00,"
                    f"SKU-{i % 120},{quantity},\"{str(price).replace('.', ',')}\",PLN,1.5,{discount}")
        total += quantity * price - discount
    return "\n".join(rows) + "\n", total


@pytest.mark.django_db(transaction=True)
def test_10k_lines_round_trip_with_the_same_total(write_csv, cli):
    assert cli("import", "customers", write_csv(customers_csv([f"C{i}" for i in range(50)]))).exit_code == 0
    text, total = ten_thousand_lines()
    result = cli("import", "orders", write_csv(text))
    assert result.exit_code == 0, result.output
    assert "10000 rows read: 10000 created" in result.output
    # Summed in Python: SQLite's SUM() over decimals goes through floats.
    assert sum(Order.objects.values_list("total_amount", flat=True)) == total

    exported = cli("export", "orders").output
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert len(rows) == 10_000
    assert sum(int(r["quantity"]) * Decimal(r["unit_price"]) - Decimal(r["discount"]) for r in rows) == total
    source = sorted(csv.reader(io.StringIO(text)))[:-1]  # header sorts last ('o' > 'O')
    back = sorted([r["order_ref"], r["customer_ref"], r["sku"], r["quantity"],
                   Decimal(r["unit_price"]), Decimal(r["discount"])] for r in rows)
    assert back == sorted([s[0], s[1], s[3], s[4], Decimal(s[5].replace(",", ".")), Decimal(s[8])]
                          for s in source)

    # export -> import into an empty database -> export gives the identical file
    customers = cli("export", "customers").output
    call_command("flush", interactive=False, verbosity=0)
    assert import_file("customers", customers.encode()).created == 50
    assert import_file("orders", exported.encode()).created == 10_000
    assert cli("export", "orders").output == exported
    assert cli("export", "customers").output == customers


FORMULAS = ["=1+2", "+48 600", "-x", "@SUM(A1)", "\tTab", "\rCR", "'=already", "'plain", "plain"]


@pytest.mark.django_db
def test_export_neutralises_formulas_and_leaves_numbers(write_csv, cli):
    for i, name in enumerate(FORMULAS):
        Party.objects.create(ref=f"P{i}", name=name, phone="+48 600 100 200")
    exported = cli("export", "customers").output
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [r["name"] for r in rows] == [
        "'=1+2", "'+48 600", "'-x", "'@SUM(A1)", "'\tTab", "'\rCR", "''=already", "'plain", "plain"
    ]
    assert {r["phone"] for r in rows} == {"'+48 600 100 200"}
    for row in rows:
        assert row["name"][:1] not in "=+-@\t\r" or row["name"] == ""
    # Round trip: import drops exactly the quote export added.
    Party.objects.all().delete()
    import_file("customers", exported.encode())
    assert list(Party.objects.order_by("ref").values_list("name", flat=True)) == FORMULAS


@pytest.mark.django_db
def test_numbers_are_not_neutralised(write_csv, cli):
    cli("import", "customers", write_csv(customers_csv(["-C1"])))
    text = ORDERS_HEADER + "\n-O1,'-C1,2024-01-01,=SKU,3,0.5,PLN,0,0\n"
    result = cli("import", "orders", write_csv(text))
    assert result.exit_code == 0, result.output
    assert Party.objects.filter(ref="-C1").exists()
    line = cli("export", "orders").output.splitlines()[1]
    assert line == "'-O1,'-C1,2024-01-01T00:00:00+00:00,'=SKU,3,0.5000,PLN,0.0000,0.0000,web,completed,"
    assert OrderLine.objects.get().product.sku == "=SKU"


def test_neutralise_rule():
    assert neutralise("-5") == "'-5"
    assert neutralise("O'Brien") == "O'Brien"
    assert neutralise("''@x") == "'''@x"


@pytest.mark.django_db
def test_parquet_export_is_typed(write_csv, cli, tmp_path):
    cli("import", "customers", write_csv(customers_csv(["C1"])))
    cli("import", "orders", write_csv(ORDERS_HEADER + "\nO1,C1,2024-01-01,S1,2,9.99,PLN,1,0.5\n"))
    out = tmp_path / "orders.parquet"
    result = cli("export", "orders", "--format", "parquet", "--output", out)
    assert result.exit_code == 0, result.output
    table = pq.read_table(out)
    assert table.column_names == column_names("orders")
    assert table.column_names[:9] == ORDERS_HEADER.split(",")
    assert table.column("unit_price").to_pylist() == [Decimal("9.9900")]
    assert table.column("quantity").to_pylist() == [2]
    assert cli("export", "orders", "--format", "parquet").exit_code == 2


@pytest.mark.django_db
def test_export_to_file(cli, tmp_path, write_csv):
    cli("import", "customers", write_csv(customers_csv(["C1", "C2"])))
    out = tmp_path / "c.csv"
    result = cli("export", "customers", "--output", out)
    assert result.exit_code == 0
    assert out.read_bytes().count(b"\r\n") == 3
