"""Loading: upserts by refs, idempotent re-import, --map, --dry-run, comma decimals, interactions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum
from tests.transfer.conftest import INTERACTIONS_HEADER, ORDERS_HEADER, customers_csv

from clientela.crm.commerce.models import Order, OrderLine, Product
from clientela.crm.engagement.models import Interaction
from clientela.crm.parties.models import Party
from clientela.crm.transfer.csv_import import import_file

pytestmark = pytest.mark.django_db

ORDERS = ORDERS_HEADER + """
O1,C1,2024-02-01T10:00:00+02:00,SKU-A,2,"12,50",pln,"5,10",1
O1,C1,2024-02-01T10:00:00+02:00,SKU-B,1,3.3333,PLN,,0
O2,C2,2024-02-02,SKU-A,3,12.5,PLN,5.1,
"""


def snapshot():
    return (
        list(Party.objects.order_by("ref").values()),
        list(Order.objects.order_by("ref").values()),
        list(OrderLine.objects.order_by("order__ref", "line_no").values()),
        list(Product.objects.order_by("sku").values()),
        list(Interaction.objects.order_by("id").values()),
    )


@pytest.fixture
def loaded(write_csv, cli):
    assert cli("import", "customers", write_csv(customers_csv(["C1", "C2"]))).exit_code == 0
    result = cli("import", "orders", write_csv(ORDERS))
    assert result.exit_code == 0, result.output
    return result


def test_orders_load_with_comma_decimals_products_and_totals(loaded):
    assert "3 rows read: 3 created, 0 updated, 0 unchanged" in loaded.output
    o1 = Order.objects.get(ref="O1")
    assert o1.party.ref == "C1" and o1.currency == "PLN"
    assert o1.ordered_at.isoformat() == "2024-02-01T08:00:00+00:00"
    assert o1.total_amount == Decimal("27.33")  # 2*12.50 - 1 + 3.3333
    lines = list(o1.lines.order_by("line_no").values_list("line_no", "product__sku", "unit_price", "unit_cost"))
    assert lines == [(1, "SKU-A", Decimal("12.5"), Decimal("5.1")), (2, "SKU-B", Decimal("3.3333"), Decimal(0))]
    a = Product.objects.get(sku="SKU-A")
    assert (a.name, a.category, a.list_price, a.unit_cost) == ("SKU-A", "", Decimal("12.5"), Decimal("5.1"))
    assert Order.objects.get(ref="O2").ordered_at.isoformat() == "2024-02-02T00:00:00+00:00"  # naive = UTC


def test_reimport_changes_nothing(loaded, write_csv, cli):
    before = snapshot()
    result = cli("import", "orders", write_csv(ORDERS))
    assert "3 rows read: 0 created, 0 updated, 3 unchanged" in result.output
    result = cli("import", "customers", write_csv(customers_csv(["C1", "C2"])))
    assert "2 rows read: 0 created, 0 updated, 2 unchanged" in result.output
    assert snapshot() == before


def test_changed_rows_are_updated_and_dropped_lines_removed(loaded, write_csv):
    changed = ORDERS_HEADER + "\nO1,C1,2024-02-01T10:00:00+02:00,SKU-A,5,12.50,PLN,5.10,1\n"
    result = import_file("orders", write_csv(changed))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    assert result.extra["lines removed"] == 1
    o1 = Order.objects.get(ref="O1")
    assert list(o1.lines.values_list("quantity", flat=True)) == [5]
    assert o1.total_amount == Decimal("61.50")
    renamed = customers_csv(["C1"]).replace("Customer C1", "Anna")
    result = import_file("customers", write_csv(renamed))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    party = Party.objects.get(ref="C1")
    assert (party.name, party.version) == ("Anna", 2)


def test_map_renames_and_skips_columns(write_csv, cli):
    text = "Kod klienta,Nazwa,typ,email,telefon,kraj,data,kanal,notatka\nK1,Firma,organisation,,,PL,,,x\n"
    args = ["--map", "Kod klienta=customer_ref", "--map", "Nazwa=name", "--map", "typ=kind",
            "--map", "telefon=phone", "--map", "kraj=country", "--map", "data=acquired_at",
            "--map", "kanal=acquisition_channel", "--map", "notatka=-"]
    result = cli("import", "customers", write_csv(text), *args)
    assert result.exit_code == 0, result.output
    assert Party.objects.get(ref="K1").kind == "organisation"


def test_dry_run_writes_nothing(write_csv, cli):
    cli("import", "customers", write_csv(customers_csv(["C1", "C2"])))
    before = snapshot()
    result = cli("import", "orders", write_csv(ORDERS), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Dry run (nothing written): 3 rows read: 3 created" in result.output
    assert snapshot() == before
    result = cli("import", "customers", write_csv(customers_csv(["C3"])), "--dry-run")
    assert "1 created" in result.output
    assert not Party.objects.filter(ref="C3").exists()


def test_interactions_upsert_by_natural_key(write_csv, cli):
    cli("import", "customers", write_csv(customers_csv(["C1"])))
    text = INTERACTIONS_HEADER + """
C1,2024-05-01T09:00:00Z,phone,inbound,Complaint
C1,2024-05-01T09:00:00Z,email,outbound,Complaint
C1,2024-05-02,web,inbound,
"""
    result = cli("import", "interactions", write_csv(text))
    assert "3 rows read: 3 created" in result.output, result.output
    result = cli("import", "interactions", write_csv(text))
    assert "0 created, 0 updated, 3 unchanged" in result.output
    assert Interaction.objects.count() == 3
    dup = text + "C1,2024-05-01T11:00:00+02:00,phone,inbound,Complaint\n"
    result = cli("import", "interactions", write_csv(dup))
    assert result.exit_code == 1
    assert "line 5, column occurred_at: line 2 has the same customer_ref" in result.output


def test_python_api_counts(write_csv):
    result = import_file("customers", write_csv(customers_csv(["C1", "C2", "C3"])))
    assert (result.rows, result.created, result.updated, result.unchanged) == (3, 3, 0, 0)
    assert Party.objects.filter(is_customer=True).count() == 3
    assert Party.objects.aggregate(n=Sum("version"))["n"] == 3
