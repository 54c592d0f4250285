"""The PostgreSQL bulk path (pg_bulk): foreign keys and indexes set aside and put back exactly.

The threshold is lowered so that small files take the path large ones take.
"""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest
from django.db import connection
from tests.transfer.conftest import ORDERS_HEADER, customers_csv

from clientela.crm.commerce.models import Order, OrderLine, Product
from clientela.crm.parties.models import Party
from clientela.crm.transfer import pg_bulk
from clientela.crm.transfer.csv_import import import_file

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

TABLES = ["parties_party", "commerce_product", "commerce_order", "commerce_orderline"]

ORDERS = ORDERS_HEADER + """
O1,C1,2024-02-01T10:00:00+02:00,SKU-A,2,"12,50",pln,"5,10",1
O1,C1,2024-02-01T10:00:00+02:00,SKU-B,1,3.3333,PLN,,0
O2,C2,2024-02-02,SKU-A,3,12.5,PLN,5.1,
O3,C9,2024-02-03T23:30:00-01:00,SKU-C,1,0.005,EUR,,
"""


@pytest.fixture
def bulk(monkeypatch):
    monkeypatch.setattr(pg_bulk, "BULK_LINES", 1)
    # Count the tables as empty (rolled-back tests leave pages behind).
    monkeypatch.setattr(pg_bulk, "MIN_ROW_BYTES", 10**12)


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


def test_bulk_path_loads_like_the_regular_one_and_restores_the_schema(bulk, write_csv, caplog):
    # Customers imported earlier in the same transaction leave deferred checks queued
    # on parties_party, which ALTER TABLE would refuse: the bulk path runs them first.
    import_file("customers", write_csv(customers_csv(["C1", "C2"])))
    before = catalog()
    with caplog.at_level(logging.INFO, logger=pg_bulk.__name__):
        result = import_file("orders", write_csv(ORDERS), create_missing=True)
    assert "set aside 3 foreign keys, 3 keys, 3 indexes" in caplog.text
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
    # The foreign keys are back and enforced (deferred, checked when asked to).
    with pytest.raises(Exception, match="foreign key"), connection.cursor() as cur:
        cur.execute("SAVEPOINT bad_line")
        try:
            cur.execute("INSERT INTO commerce_orderline (order_id, line_no, product_id, quantity, "
                        "unit_price, discount, unit_cost) VALUES (-1, 1, -1, 1, 1, 0, 0)")
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        finally:
            cur.execute("ROLLBACK TO SAVEPOINT bad_line")


def test_bulk_path_upserts_existing_orders(bulk, write_csv):
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


def test_bulk_dry_run_keeps_nothing(bulk, write_csv):
    import_file("customers", write_csv(customers_csv(["C1", "C2", "C9"])))
    before = catalog()
    result = import_file("orders", write_csv(ORDERS), dry_run=True)
    assert result.created == 4
    assert not Order.objects.exists() and not OrderLine.objects.exists()
    assert catalog() == before


def test_tables_much_larger_than_the_load_keep_their_constraints(bulk, monkeypatch, write_csv):
    import_file("customers", write_csv(customers_csv(["C1", "C2", "C9"])))
    import_file("orders", write_csv(ORDERS))
    rows = {"commerce_order": 1, "commerce_orderline": 1}
    monkeypatch.setattr(pg_bulk, "MIN_ROW_BYTES", 64)
    monkeypatch.setattr(pg_bulk, "FK_REVALIDATE_RATIO", 0)
    with connection.cursor() as cur, pg_bulk.bulk_load(cur.cursor, rows=rows) as aside:
        assert not aside.active
    monkeypatch.setattr(pg_bulk, "FK_REVALIDATE_RATIO", 10**9)
    before = catalog()
    with connection.cursor() as cur, pg_bulk.bulk_load(cur.cursor, rows=rows) as aside:
        assert aside.active
        aside.drop(cur.cursor, unique_keys=True)
        assert len(aside.foreign_keys) == 3
        assert aside.indexes == [] and aside.keys == []  # the tables outweigh the load
        cur.execute("SELECT count(*) FROM pg_constraint WHERE contype = 'f' "
                    "AND conrelid = 'commerce_orderline'::regclass")
        assert cur.fetchone()[0] == 0
    assert catalog() == before


def test_new_orders_rebuild_keys_and_indexes_exactly(bulk, write_csv):
    import_file("customers", write_csv(customers_csv(["C1", "C2", "C9"])))
    before = catalog()
    rows = {"commerce_order": 10**6, "commerce_orderline": 10**6}
    with connection.cursor() as cur, pg_bulk.bulk_load(cur.cursor, rows=rows) as aside:
        aside.drop(cur.cursor, unique_keys=True)
        dropped = {name for _, _, name, _ in aside.keys} | {name for _, name, _ in aside.indexes}
        # commerce_order's primary key stays: other tables' foreign keys use it.
        assert "commerce_orderline_pkey" in dropped and "orderline_unique_no" in dropped
        assert "commerce_order_ref_key" in dropped and "commerce_order_pkey" not in dropped
        assert "commerce_orderline_product_id_9af4f2f1" in {name for _, name, _ in aside.indexes}
    assert catalog() == before


@pytest.mark.parametrize("threshold", [1, 10**9], ids=["bulk", "staged"])
def test_interleaved_orders_get_their_own_lines_and_totals(threshold, monkeypatch, write_csv):
    monkeypatch.setattr(pg_bulk, "BULK_LINES", threshold)
    monkeypatch.setattr(pg_bulk, "MIN_ROW_BYTES", 10**12)
    import_file("customers", write_csv(customers_csv(["C1", "C2"])))
    text = ORDERS_HEADER + """
B,C2,2024-03-01,SKU-A,1,10,PLN,1,
A,C1,2024-03-02,SKU-B,2,5,PLN,2,
B,C2,2024-03-01,SKU-B,3,5,PLN,2,1
A,C1,2024-03-02,SKU-A,1,10,PLN,1,0.5
B,C2,2024-03-01,SKU-A,1,0.015,PLN,0,
"""
    result = import_file("orders", write_csv(text))
    assert (result.created, result.extra["orders created"]) == (5, 2)
    orders, lines = stored()
    assert [(o[0], o[1], o[6], o[7]) for o in orders] == [
        ("A", "C1", Decimal("19.50"), Decimal("5.00")),
        ("B", "C2", Decimal("24.02"), Decimal("7.00")),  # 10 + 15 - 1 + 0.015
    ]
    assert [(ref, no, sku, qty) for ref, no, sku, qty, *_ in lines] == [
        ("A", 1, "SKU-B", 2), ("A", 2, "SKU-A", 1),
        ("B", 1, "SKU-A", 1), ("B", 2, "SKU-B", 3), ("B", 3, "SKU-A", 1),
    ]
