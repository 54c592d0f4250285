"""The shop recipes: each format recognised by its header and read into new customers and
order lines (line items included), through the job, on files written after each shop's
documented columns."""

from __future__ import annotations

from typing import Any

import pytest

from clientela.crm.commerce.models import Order
from clientela.crm.imports import actions, recipes
from clientela.crm.imports.models import ImportStatus
from clientela.crm.imports.plan import inspect
from clientela.crm.jobs.worker import JobWorker
from clientela.crm.parties.models import Party
from imports.wizard_files import SHOPIFY_HEADER, shopify_orders

pytestmark = pytest.mark.django_db

WOO_ROWS = (
    "order_id,order_number,order_date,status,shipping_total,order_total,order_currency,billing_first_name,"
    "billing_last_name,billing_email,billing_phone,billing_country,item_name,item_sku,item_quantity,"
    "item_subtotal,item_total\n"
    "101,101,2024-03-01 10:00:00,completed,10.00,70.00,EUR,Ewa,Lis,ewa@example.test,+48 600 100 200,PL,"
    "Tea,TEA-1,2,40.00,36.00\n"
    "101,101,2024-03-01 10:00:00,completed,10.00,70.00,EUR,Ewa,Lis,ewa@example.test,+48 600 100 200,PL,"
    "Cup,CUP-1,1,20.00,20.00\n"
    "102,102,2024-03-02 11:00:00,refunded,0.00,15.00,EUR,Olga,Ivanova,olga@example.test,,RU,"
    "Tea,TEA-1,1,15.00,15.00\n"
)
WOO_LINE_ITEMS = (
    "order_number,order_date,status,order_currency,billing_email,billing_first_name,billing_last_name,line_items\n"
    '201,2024-04-01 09:00:00,processing,PLN,jan@example.test,Jan,Nowak,'
    '"name:Kawa|sku:KAWA-1|quantity:3|subtotal:30.00|total:27.00;name:Kubek|sku:KUBEK-1|quantity:1|total:12.50"\n'
)
PRESTA = (
    "reference;date_add;current_state;email;firstname;lastname;iso_code;product_reference;product_name;"
    "product_quantity;unit_price_tax_excl\n"
    "XKBKNABJK;2024-05-01 12:00:00;5;anna@example.test;Anna;Kowalska;PLN;demo_1;Koszulka;2;19.12\n"
    "XKBKNABJK;2024-05-01 12:00:00;5;anna@example.test;Anna;Kowalska;PLN;demo_2;Bluza;1;29.00\n"
    "OHSATSERP;2024-05-02 13:00:00;6;piotr@example.test;Piotr;Zieliński;PLN;demo_1;Koszulka;1;19.12\n"
)


def run_worker() -> None:
    JobWorker(worker_id="test", interval=0.05, burst=True, housekeeping=False, manage_connections=False).run()


def import_in_one_click(user: Any, name: str, data: bytes, recipe: str) -> None:
    upload = actions.upload_file(user, file_name=name, data=data)
    assert upload.recipe == recipe
    found = inspect(upload)
    assert found.ready, (found.problem, found.errors)
    actions.start_import(user, upload)
    run_worker()
    upload.refresh_from_db()
    assert upload.status == ImportStatus.IMPORTED, (upload.problem, upload.errors)


def lines(ref: str) -> list[tuple[str, int, str, str]]:
    return [(sku, q, format(p.normalize(), "f"), format(d.normalize(), "f")) for sku, q, p, d in Order.objects.get(ref=ref).lines
            .order_by("line_no").values_list("product__sku", "quantity", "unit_price", "discount")]


def test_each_shop_is_recognised_by_its_header() -> None:
    assert recipes.recognise(SHOPIFY_HEADER.split(",")) == "shopify"
    assert recipes.recognise(WOO_ROWS.splitlines()[0].split(",")) == "woocommerce"
    assert recipes.recognise(WOO_LINE_ITEMS.splitlines()[0].split(",")) == "woocommerce"
    assert recipes.recognise(PRESTA.splitlines()[0].split(";")) == "prestashop"
    assert recipes.recognise(["order_ref", "customer_ref", "ordered_at", "sku"]) == ""


def test_shopify_times_and_fill_down(marketer: Any) -> None:
    assert recipes.shopify_time("2025-10-07 09:50:26 +0200") == "2025-10-07T09:50:26+02:00"
    import_in_one_click(marketer, "orders_export_1.csv", shopify_orders(), "shopify")
    assert lines("#1001") == [("MASK-1", 2, "34.9", "0"), ("CREAM-2", 1, "12", "0")]
    assert str(Order.objects.get(ref="#1001").ordered_at) == "2025-10-07 07:50:26+00:00"


def test_woocommerce_one_row_per_item(marketer: Any) -> None:
    import_in_one_click(marketer, "orders.csv", WOO_ROWS.encode(), "woocommerce")
    assert lines("101") == [("TEA-1", 2, "20", "4"), ("CUP-1", 1, "20", "0")]
    ewa = Party.objects.get(ref="ewa@example.test")
    assert (ewa.name, ewa.phone, ewa.country) == ("Ewa Lis", "+48 600 100 200", "PL")
    assert Order.objects.get(ref="102").party.name == "Olga Ivanova"


def test_woocommerce_line_items_cell(marketer: Any) -> None:
    import_in_one_click(marketer, "orders.csv", WOO_LINE_ITEMS.encode(), "woocommerce")
    assert lines("201") == [("KAWA-1", 3, "10", "3"), ("KUBEK-1", 1, "12.5", "0")]


def test_prestashop_sql_manager_export(marketer: Any) -> None:
    import_in_one_click(marketer, "request_sql_1.csv", PRESTA.encode("utf-8"), "prestashop")
    assert lines("XKBKNABJK") == [("demo_1", 2, "19.12", "0"), ("demo_2", 1, "29", "0")]
    assert Order.objects.get(ref="OHSATSERP").party.name == "Piotr Zieliński"


def test_a_bad_order_line_leaves_no_new_customer_behind(marketer: Any) -> None:
    bad = WOO_ROWS.replace("Cup,CUP-1,1,", "Cup,CUP-1,jeden,")
    upload = actions.upload_file(marketer, file_name="orders.csv", data=bad.encode())
    actions.start_import(marketer, upload)
    run_worker()
    upload.refresh_from_db()
    assert upload.status == ImportStatus.FAILED
    assert [(e["line"], e["column"]) for e in upload.errors] == [(3, "quantity")]
    assert not Party.objects.exists() and not Order.objects.exists()


def test_a_new_customer_is_acquired_at_its_earliest_order(marketer: Any) -> None:
    header, *rows = WOO_ROWS.replace("ewa@example.test", "olga@example.test").splitlines()
    newest_first = "\n".join([header, rows[2], rows[0], rows[1]]) + "\n"
    import_in_one_click(marketer, "orders.csv", newest_first.encode(), "woocommerce")
    assert str(Party.objects.get(ref="olga@example.test").acquired_at) == "2024-03-01 10:00:00+00:00"
