"""The import wizard's record layer: reading a user's file (encodings, delimiters, XLSX),
mapping its columns, the job that imports it and the undo that takes it back."""

from __future__ import annotations

import io
from typing import Any

import pytest

from clientela.crm.commerce.models import Order, OrderLine, Product
from clientela.crm.errors import Conflict, InvalidInput, NotPermitted
from clientela.crm.imports import actions, headers, sources
from clientela.crm.imports.models import FileImport, ImportStatus
from clientela.crm.imports.plan import inspect
from clientela.crm.jobs.worker import JobWorker
from clientela.crm.parties.models import Party
from clientela.crm.transfer.columns import Kind
from imports.wizard_files import (
    POLISH_BAD,
    POLISH_GOOD,
    RUSSIAN_CUSTOMERS,
    polish_orders,
    shopify_orders,
)

pytestmark = pytest.mark.django_db


def run_worker() -> None:
    JobWorker(worker_id="test", interval=0.05, burst=True, housekeeping=False, manage_connections=False).run()


def customers(*refs: str) -> None:
    for ref in refs:
        Party.objects.create(ref=ref, name=f"Customer {ref}", is_customer=True)


def snapshot() -> dict[str, Any]:
    return {
        "parties": sorted(Party.objects.values_list("ref", "name", "email", "version")),
        "orders": sorted(Order.objects.values_list("ref", "ordered_at", "total_amount")),
        "lines": sorted(OrderLine.objects.values_list("order__ref", "line_no", "quantity", "unit_price")),
        "products": sorted(Product.objects.values_list("sku", flat=True)),
    }


def test_encodings_are_guessed() -> None:
    assert sources.guess_encoding(polish_orders(POLISH_GOOD)) == "cp1250"
    assert sources.guess_encoding(RUSSIAN_CUSTOMERS) == "cp1251"
    assert sources.guess_encoding("Zażółć gęślą jaźń".encode()) == "utf-8"
    assert sources.guess_encoding(b"\xef\xbb\xbfa,b\n") == "utf-8-sig"


def test_polish_and_russian_headers_map_onto_fields() -> None:
    header = ["Nr zamówienia", "Nr klienta", "Data zamówienia", "Kod produktu", "Ilość", "Cena brutto", "Waluta"]
    mapping = headers.auto_mapping(header, Kind.ORDERS)
    assert mapping == {"Nr zamówienia": "order_ref", "Nr klienta": "customer_ref", "Data zamówienia": "ordered_at",
                       "Kod produktu": "sku", "Ilość": "quantity", "Cena brutto": "-", "Waluta": "currency"}
    assert headers.auto_mapping(["Дата заказа", "Номер заказа"], Kind.ORDERS) == {
        "Дата заказа": "ordered_at", "Номер заказа": "order_ref"}
    assert headers.guess_kind(["Код клиента", "Наименование", "Электронная почта"],
                              (Kind.CUSTOMERS, Kind.ORDERS, Kind.INTERACTIONS)) is Kind.CUSTOMERS


def test_upload_reads_a_windows_1250_file_with_semicolons(marketer: Any) -> None:
    upload = actions.upload_file(marketer, file_name="zamowienia.csv", data=polish_orders(POLISH_GOOD))
    assert (upload.encoding, upload.delimiter, upload.kind) == ("cp1250", ";", "orders")
    found = inspect(upload)
    assert "Cena brutto" in found.header
    assert "unit_price is not mapped" in found.mapping_problem


def test_a_wrong_encoding_guess_is_corrected_by_the_user(marketer: Any) -> None:
    upload = actions.upload_file(marketer, file_name="klienci.csv", data=RUSSIAN_CUSTOMERS)
    # The user says it is UTF-8: a clear message naming the line and byte, nothing imported.
    actions.update_settings(marketer, upload, encoding="utf-8")
    found = inspect(upload)
    assert "The file is not UTF-8: line 1, byte 1 is 0xCA" in found.problem
    assert not found.ready
    # Read as Windows-1250 the Cyrillic names are nonsense the user sees in the preview …
    actions.update_settings(marketer, upload, encoding="cp1250")
    assert "Ęîä ęëčĺíňŕ" in inspect(upload).header
    # … and Windows-1251 reads them.
    actions.update_settings(marketer, upload, encoding="cp1251")
    found = inspect(upload)
    assert found.header[:2] == ["Код клиента", "Наименование"]
    assert found.previews[0].rows[1][1] == "ООО «Ромашка»"
    assert found.ready and found.counts[0]["created"] == 2
    assert not Party.objects.exists()


def test_mapping_problems_are_named(marketer: Any) -> None:
    upload = actions.upload_file(marketer, file_name="zamowienia.csv", data=polish_orders(POLISH_GOOD))
    mapping = dict(upload.mapping)
    mapping["Cena brutto"] = "quantity"  # two columns to one field, unit_price left out
    actions.update_settings(marketer, upload, mapping=mapping)
    problem = inspect(upload).mapping_problem
    assert "Columns “Ilość” and “Cena brutto” are both mapped to quantity" in problem
    assert "The required field unit_price is not mapped to any column." in problem
    with pytest.raises(InvalidInput) as refused:
        actions.start_import(marketer, upload)
    assert "unit_price" in refused.value.errors["mapping"]
    assert not FileImport.objects.exclude(status=ImportStatus.DRAFT).exists()


def test_bad_rows_are_named_with_their_lines_then_the_fixed_file_imports_and_undoes(marketer: Any) -> None:
    customers("KL-1", "KL-2")
    before = snapshot()
    upload = actions.upload_file(marketer, file_name="zamowienia.csv", data=polish_orders(POLISH_BAD))
    mapping = dict(upload.mapping)
    mapping["Cena brutto"] = "unit_price"
    actions.update_settings(marketer, upload, mapping=mapping)
    found = inspect(upload)
    assert [(e["line"], e["column"]) for e in found.errors] == [(2, "quantity"), (4, "ordered_at"), (5, "currency")]
    assert found.previews[0].rows[1][3] == "HERBATA-2"
    actions.replace_file(marketer, upload, file_name="zamowienia-poprawione.csv", data=polish_orders(POLISH_GOOD))
    assert upload.mapping["Cena brutto"] == "unit_price"
    found = inspect(upload)
    assert found.ready, found.errors
    actions.start_import(marketer, upload)
    run_worker()
    upload.refresh_from_db()
    assert upload.status == ImportStatus.IMPORTED, (upload.problem, upload.errors)
    assert upload.counts["orders_created"] == 3 and upload.counts["products_created"] == 3
    assert upload.job.progress_done == upload.job.progress_total
    assert Order.objects.get(ref="ZAM-1").lines.count() == 2
    actions.undo_import(marketer, upload)
    assert snapshot() == before
    upload.refresh_from_db()
    assert upload.status == ImportStatus.UNDONE
    with pytest.raises(Conflict):
        actions.undo_import(marketer, upload)


def test_undo_restores_what_an_import_changed(marketer: Any) -> None:
    Party.objects.create(ref="RU-1", name="Old name", email="old@example.test", is_customer=True)
    before = snapshot()
    upload = actions.upload_file(marketer, file_name="klienci.csv", data=RUSSIAN_CUSTOMERS)
    actions.start_import(marketer, upload)
    run_worker()
    upload.refresh_from_db()
    assert upload.status == ImportStatus.IMPORTED, (upload.problem, upload.errors)
    assert Party.objects.get(ref="RU-1").name == "Иван Петров"
    assert upload.counts["parties_created"] == 1 and upload.counts["parties_changed"] == 1
    actions.undo_import(marketer, upload)
    assert snapshot() == before


def test_a_shopify_export_is_imported_in_one_click(marketer: Any) -> None:
    Party.objects.create(ref="C-7", name="Bob", email="BOB@example.test", is_customer=True)
    upload = actions.upload_file(marketer, file_name="orders_export.csv", data=shopify_orders())
    assert upload.recipe == "shopify"
    assert inspect(upload).ready
    actions.start_import(marketer, upload)
    run_worker()
    upload.refresh_from_db()
    assert upload.status == ImportStatus.IMPORTED, (upload.problem, upload.errors)
    anna = Party.objects.get(ref="anna@example.test")
    assert (anna.name, anna.country) == ("Anna Nowak", "PL")
    assert Party.objects.get(ref="C-7").name == "Bob"  # found by e-mail, left as it was
    first = Order.objects.get(ref="#1001")
    assert first.party == anna and first.currency == "EUR"
    assert list(first.lines.order_by("line_no").values_list("product__sku", "quantity")) == [
        ("MASK-1", 2), ("CREAM-2", 1)]
    assert Order.objects.get(ref="#1002").party.ref == "C-7"


def test_xlsx_formulas_are_flagged_and_an_empty_sheet_refused(marketer: Any) -> None:
    from openpyxl import Workbook

    customers("KL-1")
    book = Workbook()
    sheet = book.active
    sheet.append(["order_ref", "customer_ref", "ordered_at", "sku", "quantity", "unit_price", "currency"])
    sheet.append(["X-1", "KL-1", "2026-01-05", "KAWA-1", 2, "=2*6.25", "PLN"])
    data = io.BytesIO()
    book.save(data)
    upload = actions.upload_file(marketer, file_name="orders.xlsx", data=data.getvalue())
    found = inspect(upload)
    # openpyxl saves no computed values: the formula has no result to import.
    assert found.uncomputed_cells == ["F2"] and not found.ready
    with pytest.raises(InvalidInput) as refused:
        actions.start_import(marketer, upload)
    assert "F2 hold formulas without a saved result" in refused.value.errors["accept_formulas"]
    empty = io.BytesIO()
    Workbook().save(empty)
    with pytest.raises(InvalidInput) as refused:
        actions.upload_file(marketer, file_name="empty.xlsx", data=empty.getvalue())
    assert "sheets are empty" in refused.value.errors["file"]
    assert FileImport.objects.count() == 1


def test_a_file_over_the_limit_is_refused(marketer: Any, settings: Any) -> None:
    settings.IMPORT_MAX_BYTES = 1_000_000
    data = polish_orders(POLISH_GOOD * 20_000)
    with pytest.raises(InvalidInput) as refused:
        actions.upload_file(marketer, file_name="big.csv", data=data)
    assert "at most 1 MB can be imported at once" in refused.value.errors["file"]
    assert not FileImport.objects.exists()


def test_only_roles_allowed_to_import_upload(sales_rep: Any) -> None:
    with pytest.raises(NotPermitted):
        actions.upload_file(sales_rep, file_name="a.csv", data=RUSSIAN_CUSTOMERS)


def test_an_unexpected_error_in_the_job_marks_the_import_failed_and_writes_nothing(
    marketer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clientela.crm.imports import journal

    customers("KL-1", "KL-2")
    upload = actions.upload_file(marketer, file_name="z.csv", data=polish_orders(POLISH_GOOD))
    actions.update_settings(marketer, upload, mapping={**upload.mapping, "Cena brutto": "unit_price"})
    actions.start_import(marketer, upload)

    def broken(self: Any, checked: Any, counts: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(journal.Journal, "after", broken)
    run_worker()
    upload.refresh_from_db()
    assert upload.status == ImportStatus.FAILED and "unexpected error" in upload.problem
    assert not Order.objects.exists() and not Product.objects.exists()
    assert upload.job.status in ("retrying", "failed")


def workbook_with_cached_formula() -> bytes:
    """An XLSX as Excel saves it: the formula with the value it last computed (openpyxl
    writes no computed values, so the value is put into the sheet's XML)."""
    import zipfile

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["order_ref", "customer_ref", "ordered_at", "sku", "quantity", "unit_price", "currency"])
    sheet.append(["X-1", "KL-1", "2026-01-05", "KAWA-1", 2, "=2*6.25", "PLN"])
    raw = io.BytesIO()
    book.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<f>2*6.25</f><v />", b"<f>2*6.25</f><v>12.5</v>")
            target.writestr(item, data)
    return out.getvalue()


def test_xlsx_formulas_with_computed_values_import_once_confirmed(marketer: Any) -> None:
    customers("KL-1")
    upload = actions.upload_file(marketer, file_name="orders.xlsx", data=workbook_with_cached_formula())
    found = inspect(upload)
    assert (found.formula_cells, found.formula_count, found.uncomputed_cells) == (["F2"], 1, [])
    assert found.previews[0].rows[0][5] == "12.5"
    with pytest.raises(InvalidInput) as refused:
        actions.start_import(marketer, upload)
    assert "1 cell holds a formula (F2)" in refused.value.errors["accept_formulas"]
    assert not Order.objects.exists()
    actions.update_settings(marketer, upload, accept_formulas=True)
    actions.start_import(marketer, upload)
    run_worker()
    upload.refresh_from_db()
    assert upload.status == ImportStatus.IMPORTED, (upload.problem, upload.errors)
    assert str(Order.objects.get(ref="X-1").lines.get().unit_price.normalize()) == "12.5"


def test_the_mapping_is_remembered_for_the_next_file_from_the_same_source(marketer: Any) -> None:
    first = actions.upload_file(marketer, file_name="styczen.csv", data=polish_orders(POLISH_GOOD))
    assert first.mapping["Cena brutto"] == "-"
    actions.update_settings(marketer, first, mapping={**first.mapping, "Cena brutto": "unit_price"})
    second = actions.upload_file(marketer, file_name="luty.csv", data=polish_orders(POLISH_BAD))
    assert second.mapping["Cena brutto"] == "unit_price" and second.mapping["Ilość"] == "quantity"


def test_a_personal_data_erasure_reaches_the_journals_and_the_files(marketer: Any) -> None:
    from clientela.crm.accounts.models import User
    from clientela.crm.imports import journal
    from clientela.crm.privacy.actions import erase_party, export_party

    Party.objects.create(ref="RU-1", name="Old name", email="old@example.test", is_customer=True)
    upload = actions.upload_file(marketer, file_name="klienci.csv", data=RUSSIAN_CUSTOMERS)
    actions.start_import(marketer, upload)
    run_worker()
    waiting = actions.upload_file(marketer, file_name="again.csv", data=RUSSIAN_CUSTOMERS)
    party = Party.objects.get(ref="RU-1")
    dpo = User.objects.create_user(username="dpo", password="pw", role="admin")
    section = export_party(dpo, party)["sections"]["imports"]
    assert section[0]["values_before_the_import"][0]["name"] == "Old name"
    assert section[1] == {"import": waiting.pk, "file": "again.csv", "created_at": section[1]["created_at"],
                          "uploaded_file_names_the_person": True}
    erase_party(dpo, party)
    upload.refresh_from_db()
    waiting.refresh_from_db()
    kept = journal.loads(upload.journal)
    assert kept[0]["parties_changed"] == [] and kept[0]["parties_created"] == ["RU-2"]
    assert bytes(waiting.data) == b"" and waiting.status == ImportStatus.FAILED


def test_formats_the_wizard_does_not_read_are_named(marketer: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        actions.upload_file(marketer, file_name="old.xls", data=b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert ".xls" in refused.value.errors["file"]
    with pytest.raises(InvalidInput) as refused:
        actions.upload_file(marketer, file_name="u16.csv", data="a,b\n1,2\n".encode("utf-16"))
    assert "UTF-16" in refused.value.errors["file"]
    assert not FileImport.objects.exists()


def test_a_wrong_guess_on_a_short_file_is_seen_in_the_preview_and_corrected(marketer: Any) -> None:
    # "Жук" in Windows-1251 is the bytes of "Ćóę" in Windows-1250: every letter Polish, so
    # the guess is Windows-1250, and wrong.
    data = "customer_ref,name\nRU-7,Жук\n".encode("cp1251")
    upload = actions.upload_file(marketer, file_name="zhuk.csv", data=data)
    assert upload.encoding == "cp1250"
    assert inspect(upload).previews[0].rows[0][1] == "Ćóę"
    assert not Party.objects.exists()
    actions.update_settings(marketer, upload, encoding="cp1251")
    assert inspect(upload).previews[0].rows[0][1] == "Жук"
    actions.start_import(marketer, upload)
    run_worker()
    assert Party.objects.get(ref="RU-7").name == "Жук"


def test_abandoned_drafts_and_failed_uploads_are_purged_by_the_schedule(marketer: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from clientela.crm.audit.models import AuditEntry
    from clientela.crm.jobs import schedules

    customers("KL-1", "KL-2")
    done = actions.upload_file(marketer, file_name="done.csv", data=polish_orders(POLISH_GOOD))
    mapping = dict(done.mapping) | {"Cena brutto": "unit_price"}
    actions.update_settings(marketer, done, mapping=mapping)
    actions.start_import(marketer, done)
    run_worker()
    old = actions.upload_file(marketer, file_name="old.csv", data=RUSSIAN_CUSTOMERS)
    failed = actions.upload_file(marketer, file_name="failed.csv", data=RUSSIAN_CUSTOMERS)
    fresh = actions.upload_file(marketer, file_name="fresh.csv", data=RUSSIAN_CUSTOMERS)
    now = timezone.now()
    FileImport.objects.filter(pk__in=[old.pk, done.pk]).update(created_at=now - timedelta(days=9))
    FileImport.objects.filter(pk=failed.pk).update(
        status=ImportStatus.FAILED, created_at=now - timedelta(days=20), finished_at=now - timedelta(days=8))
    FileImport.objects.filter(pk=fresh.pk).update(created_at=now - timedelta(days=6))

    schedules.tick(now)  # first sight: every schedule gets its next run
    fired = [j for j in schedules.tick(now + timedelta(minutes=61)) if j.schedule == "purge-imports"]
    assert fired
    run_worker()
    assert set(FileImport.objects.values_list("file_name", flat=True)) == {"done.csv", "fresh.csv"}
    purged = AuditEntry.objects.filter(entity="file_import", action="delete")
    assert sorted(int(e.object_id) for e in purged) == sorted([old.pk, failed.pk])
    assert {e.old for e in purged} == {"draft", "failed"}
