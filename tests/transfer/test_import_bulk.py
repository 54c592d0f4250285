"""Order imports on PostgreSQL: rows COPYed into the live tables with every key, index and
foreign key kept, and no lock that keeps another session from reading or writing them.

A file none of whose orders exists yet is COPYed straight into the final tables ("copy");
one that names existing orders goes through staging tables and upserts ("staged").
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from tests.transfer.conftest import ORDERS_HEADER, customers_csv

from clientela.crm.commerce.models import Order, OrderLine, Product
from clientela.crm.parties.models import Party
from clientela.crm.transfer.csv_import import import_file

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

TABLES = ["parties_party", "commerce_product", "commerce_order", "commerce_orderline"]

ORDERS = ORDERS_HEADER + """
O1,C1,2024-02-01T10:00:00+02:00,SKU-A,2,"12,50",pln,"5,10",1
O1,C1,2024-02-01T10:00:00+02:00,SKU-B,1,3.3333,PLN,,0
O2,C2,2024-02-02,SKU-A,3,12.5,PLN,5.1,
O3,C9,2024-02-03T23:30:00-01:00,SKU-C,1,0.005,EUR,,
"""


def catalog():
    """Every constraint and index of the tables an import writes, as PostgreSQL prints them."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), condeferrable, condeferred "
            "FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) ORDER BY 1, 2",
            [TABLES],
        )
        constraints = cur.fetchall()
        cur.execute("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
                    "ORDER BY 1, 2", [TABLES])
        return constraints, cur.fetchall()


def stored():
    orders = list(Order.objects.order_by("ref").values_list(
        "ref", "party__ref", "ordered_at", "currency", "channel", "status", "total_amount", "total_cost"))
    lines = list(OrderLine.objects.order_by("order__ref", "line_no").values_list(
        "order__ref", "line_no", "product__sku", "quantity", "unit_price", "discount", "unit_cost"))
    return orders, lines


def test_new_orders_are_copied_into_the_live_tables_with_the_schema_untouched(write_csv):
    import_file("customers", write_csv(customers_csv(["C1", "C2"])))
    before = catalog()
    result = import_file("orders", write_csv(ORDERS), create_missing=True)
    assert (result.rows, result.created, result.updated, result.unchanged) == (4, 4, 0, 0)
    assert result.extra == {"customers created": 1, "products created": 3, "orders created": 3}
    assert catalog() == before
    orders, lines = stored()
    assert [o[0] for o in orders] == ["O1", "O2", "O3"]
    assert orders[0][1:] == ("C1", orders[0][2], "PLN", "web", "completed", Decimal("27.33"), Decimal("10.20"))
    assert orders[0][2].isoformat() == "2024-02-01T08:00:00+00:00"
    assert orders[2][2].isoformat() == "2024-02-04T00:30:00+00:00"
    assert orders[2][6:] == (Decimal("0.01"), Decimal("0.00"))  # 0.005 rounds half away from zero
    assert lines == [
        ("O1", 1, "SKU-A", 2, Decimal("12.5"), Decimal("1"), Decimal("5.1")),
        ("O1", 2, "SKU-B", 1, Decimal("3.3333"), Decimal("0"), Decimal("0")),
        ("O2", 1, "SKU-A", 3, Decimal("12.5"), Decimal("0"), Decimal("5.1")),
        ("O3", 1, "SKU-C", 1, Decimal("0.005"), Decimal("0"), Decimal("0")),
    ]
    assert Party.objects.get(ref="C9").name == "C9"
    assert Product.objects.get(sku="SKU-C").currency == "EUR"
    # The foreign keys are there and enforced (deferred, checked when asked to).
    with pytest.raises(Exception, match="foreign key"), connection.cursor() as cur:
        cur.execute("SAVEPOINT bad_line")
        try:
            cur.execute("INSERT INTO commerce_orderline (order_id, line_no, product_id, quantity, "
                        "unit_price, discount, unit_cost) VALUES (-1, 1, -1, 1, 1, 0, 0)")
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        finally:
            cur.execute("ROLLBACK TO SAVEPOINT bad_line")


def test_existing_orders_are_upserted(write_csv):
    import_file("customers", write_csv(customers_csv(["C1", "C2", "C9"])))
    import_file("orders", write_csv(ORDERS))
    before = catalog()
    first = stored()
    again = import_file("orders", write_csv(ORDERS))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert stored() == first
    changed = ORDERS_HEADER + "\nO1,C1,2024-02-01T10:00:00+02:00,SKU-A,5,12.50,PLN,5.10,1\n"
    result = import_file("orders", write_csv(changed))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    assert result.extra["lines removed"] == 1
    assert Order.objects.get(ref="O1").total_amount == Decimal("61.50")
    assert catalog() == before


def test_dry_run_keeps_nothing(write_csv):
    import_file("customers", write_csv(customers_csv(["C1", "C2", "C9"])))
    before = catalog()
    result = import_file("orders", write_csv(ORDERS), dry_run=True)
    assert result.created == 4
    assert not Order.objects.exists() and not OrderLine.objects.exists()
    assert catalog() == before


@pytest.mark.parametrize("path", ["copy", "staged"])
def test_interleaved_orders_get_their_own_lines_and_totals(path, write_csv):
    import_file("customers", write_csv(customers_csv(["C1", "C2"])))
    if path == "staged":  # one of the file's orders exists already
        import_file("orders", write_csv(ORDERS_HEADER + "\nB,C2,2024-03-01,SKU-A,1,10,PLN,1,\n"))
    text = ORDERS_HEADER + """
B,C2,2024-03-01,SKU-A,1,10,PLN,1,
A,C1,2024-03-02,SKU-B,2,5,PLN,2,
B,C2,2024-03-01,SKU-B,3,5,PLN,2,1
A,C1,2024-03-02,SKU-A,1,10,PLN,1,0.5
B,C2,2024-03-01,SKU-A,1,0.015,PLN,0,
"""
    result = import_file("orders", write_csv(text))
    assert (result.created, result.extra["orders created"]) == ((5, 2) if path == "copy" else (4, 1))
    orders, lines = stored()
    assert [(o[0], o[1], o[6], o[7]) for o in orders] == [
        ("A", "C1", Decimal("19.50"), Decimal("5.00")),
        ("B", "C2", Decimal("24.02"), Decimal("7.00")),  # 10 + 15 - 1 + 0.015
    ]
    assert [(ref, no, sku, qty) for ref, no, sku, qty, *_ in lines] == [
        ("A", 1, "SKU-B", 2), ("A", 2, "SKU-A", 1),
        ("B", 1, "SKU-A", 1), ("B", 2, "SKU-B", 3), ("B", 3, "SKU-A", 1),
    ]


@pytest.mark.parametrize("path", ["copy", "staged"])
def test_other_sessions_read_and_write_while_an_import_is_writing(path, write_csv, monkeypatch):
    """Midway through the import's transaction (its rows written, not yet committed),
    another connection reads and writes every table the import loads, with a lock
    timeout: the import holds no lock that would make it wait."""
    import psycopg
    from django.conf import settings

    from clientela.crm.transfer import pg_copy

    import_file("customers", write_csv(customers_csv(["C1", "C2", "C9"])))
    if path == "staged":
        import_file("orders", write_csv(ORDERS_HEADER + "\nO2,C2,2024-02-02,SKU-A,1,1,PLN,,\n"))
    db = settings.DATABASES["default"]
    conninfo = psycopg.conninfo.make_conninfo(
        dbname=connection.settings_dict["NAME"], host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432,
        user=db["USER"], password=db["PASSWORD"] or None)
    probed = []
    writer = pg_copy._copy_new_orders if path == "copy" else pg_copy._upsert_orders

    def write_then_probe(*args, **kwargs):
        writer(*args, **kwargs)
        with psycopg.connect(conninfo, autocommit=True) as other:
            other.execute("SET lock_timeout = '2s'")
            for table in TABLES:
                other.execute(f"SELECT count(*) FROM {table}").fetchone()
            other.execute("BEGIN")
            other.execute("INSERT INTO commerce_product (sku, name, category, currency, list_price, unit_cost, is_active) "
                          "VALUES ('PROBE', 'Probe', '', 'PLN', 1, 0, true)")
            other.execute("UPDATE parties_party SET name = name WHERE ref = 'nobody'")
            other.execute("SELECT id FROM commerce_order ORDER BY id DESC LIMIT 1").fetchone()
            other.execute("ROLLBACK")
        probed.append(path)

    monkeypatch.setattr(pg_copy, "_copy_new_orders" if path == "copy" else "_upsert_orders", write_then_probe)
    result = import_file("orders", write_csv(ORDERS))
    assert probed == [path]
    assert result.rows == 4
