"""The import wizard's pages through Django's test client: upload, reading settings, the
mapping, the preview and the bad rows (in Polish), the job with its progress card, the
history and the undo; roles without the import capability are refused."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clientela.crm.accounts.models import User
from clientela.crm.commerce.models import Order
from clientela.crm.imports.models import FileImport
from clientela.crm.jobs.worker import JobWorker
from clientela.crm.parties.models import Party
from imports.wizard_files import POLISH_BAD, POLISH_GOOD, polish_orders, shopify_orders

pytestmark = pytest.mark.django_db


def run_worker() -> None:
    JobWorker(worker_id="test", interval=0.05, burst=True, housekeeping=False, manage_connections=False).run()


def client_for(role: str, language: str = "en") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=language)
    c.force_login(User.objects.create_user(username=f"u-{role}", password="pw", role=role))
    c.cookies["django_language"] = language
    return c


def upload(c: Client, name: str, data: bytes) -> int:
    answer = c.post("/import/", {"file": SimpleUploadedFile(name, data)})
    assert answer.status_code == 302, answer.content.decode()[-2000:]
    return int(re.search(r"/import/(\d+)/", answer["Location"]).group(1))


def test_a_polish_marketer_maps_previews_fixes_imports_and_undoes() -> None:
    for ref in ("KL-1", "KL-2"):
        Party.objects.create(ref=ref, name=ref, is_customer=True)
    c = client_for("marketer", "pl")
    pk = upload(c, "zamowienia.csv", polish_orders(POLISH_BAD))
    page = c.get(f"/import/{pk}/").content.decode()
    assert "Windows-1250" in page and "Nr zamówienia" in page
    assert "Wymagane pole unit_price nie jest przypisane do żadnej kolumny." in page
    mapping = {f"map-{i}": f for i, f in enumerate(
        ["order_ref", "customer_ref", "ordered_at", "sku", "quantity", "unit_price", "currency"])}
    assert c.post(f"/import/{pk}/settings/", mapping).status_code == 302
    page = c.get(f"/import/{pk}/").content.decode()
    rows = re.findall(r'<tr data-testid="bad-row"><td class="num">(\d+)</td><td translate="no">(\w+)</td><td>(.*?)</td>',
                      page)
    assert [(line, column) for line, column, _ in rows] == [("2", "quantity"), ("4", "ordered_at"), ("5", "currency")]
    assert "nie jest liczbą całkowitą" in rows[0][2]
    assert 'data-testid="import-preview-orders"' in page and "HERBATA-2" in page
    assert re.search(r'data-testid="import-start" disabled', page)
    answer = c.post(f"/import/{pk}/file/", {"file": SimpleUploadedFile("poprawione.csv", polish_orders(POLISH_GOOD))})
    assert answer.status_code == 302
    page = c.get(f"/import/{pk}/").content.decode()
    assert 'data-testid="bad-row"' not in page and 'data-testid="import-start">' in page
    assert c.post(f"/import/{pk}/start/").status_code == 302
    progress = c.get(f"/import/{pk}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in progress and 'data-testid="import-bar"' in progress
    run_worker()
    progress = c.get(f"/import/{pk}/progress/").content.decode()
    assert "hx-trigger" not in progress and 'data-testid="import-done"' in progress
    bar = re.search(r'<progress id="import-bar" max="(\d+)" value="(\d+)"', progress)
    assert bar and bar.group(1) == bar.group(2)
    assert Order.objects.count() == 3
    assert c.post(f"/import/{pk}/undo/").status_code == 302
    assert Order.objects.count() == 0
    assert 'data-testid="import-undone"' in c.get(f"/import/{pk}/").content.decode()


def test_a_shopify_file_is_imported_in_one_click() -> None:
    c = client_for("manager")
    pk = upload(c, "orders_export.csv", shopify_orders())
    page = c.get(f"/import/{pk}/").content.decode()
    assert "Recognised: Shopify orders export" in page
    assert c.post(f"/import/{pk}/start/").status_code == 302
    run_worker()
    assert Order.objects.get(ref="#1001").lines.count() == 2


def test_bad_uploads_answer_422_and_keep_nothing(settings: Any) -> None:
    c = client_for("marketer")
    answer = c.post("/import/", {"file": SimpleUploadedFile("empty.csv", b"")})
    assert answer.status_code == 422 and "The file is empty" in answer.content.decode()
    settings.IMPORT_MAX_BYTES = 1000
    answer = c.post("/import/", {"file": SimpleUploadedFile("big.csv", polish_orders(POLISH_GOOD * 20))})
    assert answer.status_code == 422 and "at most 0 MB can be imported at once" in answer.content.decode()
    assert not FileImport.objects.exists()


def test_roles_without_the_import_capability_are_refused() -> None:
    c = client_for("sales_rep")
    assert c.get("/import/").status_code == 403
    assert 'href="/import/"' not in c.get("/").content.decode()
    assert 'href="/import/"' in client_for("marketer").get("/").content.decode()


def test_a_draft_is_its_uploaders_alone() -> None:
    pk = upload(client_for("marketer"), "zamowienia.csv", polish_orders(POLISH_GOOD))
    assert client_for("manager").get(f"/import/{pk}/").status_code == 404


def test_the_history_page_reads_a_fixed_number_of_queries() -> None:
    c = client_for("admin")
    for n in range(3):
        upload(c, f"z{n}.csv", polish_orders(POLISH_GOOD))
    FileImport.objects.update(status="failed")
    with CaptureQueriesContext(connection) as three:
        assert c.get("/import/").status_code == 200
    for n in range(3):
        upload(c, f"y{n}.csv", polish_orders(POLISH_GOOD))
    FileImport.objects.update(status="failed")
    with CaptureQueriesContext(connection) as six:
        assert c.get("/import/").status_code == 200
    assert len(six) == len(three)


def test_a_recognised_export_can_be_mapped_by_hand() -> None:
    c = client_for("manager")
    pk = upload(c, "orders_export.csv", shopify_orders())
    assert c.post(f"/import/{pk}/settings/", {"recipe": "", "kind": "orders"}).status_code == 302
    page = c.get(f"/import/{pk}/").content.decode()
    assert "Recognised:" not in page and 'data-testid="map-Lineitem quantity"' in page


def test_undo_is_offered_to_the_one_who_imported_and_to_administrators() -> None:
    Party.objects.create(ref="KL-1", name="KL-1", is_customer=True)
    Party.objects.create(ref="KL-2", name="KL-2", is_customer=True)
    marketer = client_for("marketer")
    pk = upload(marketer, "z.csv", polish_orders(POLISH_GOOD))
    mapping = {f"map-{i}": f for i, f in enumerate(
        ["order_ref", "customer_ref", "ordered_at", "sku", "quantity", "unit_price", "currency"])}
    marketer.post(f"/import/{pk}/settings/", mapping)
    marketer.post(f"/import/{pk}/start/")
    run_worker()
    manager, admin = client_for("manager"), client_for("admin")
    assert f'data-testid="import-undo-{pk}"' in marketer.get("/import/").content.decode()
    assert f'data-testid="import-undo-{pk}"' in admin.get("/import/").content.decode()
    assert f'data-testid="import-undo-{pk}"' not in manager.get("/import/").content.decode()
    assert manager.post(f"/import/{pk}/undo/").status_code == 403
    assert Order.objects.count() == 3
