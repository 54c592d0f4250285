"""The import wizard's API: upload (the body is the file), change the mapping, preview,
start, follow the job, undo; bad input answers problem documents and writes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from clientela.crm.accounts.api_tokens import create_token
from clientela.crm.accounts.models import User
from clientela.crm.commerce.models import Order
from clientela.crm.imports.models import FileImport
from clientela.crm.jobs.worker import JobWorker
from clientela.crm.parties.models import Party
from imports.wizard_files import POLISH_BAD, POLISH_GOOD, polish_orders, shopify_orders

pytestmark = pytest.mark.django_db


def run_worker() -> None:
    JobWorker(worker_id="test", interval=0.05, burst=True, housekeeping=False, manage_connections=False).run()


@pytest.fixture
def api() -> Any:
    user = User.objects.create_user(username="mia", password="pw", role="marketer")
    _, token = create_token(user)
    c = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    return c


def send(c: Client, path: str, data: bytes, content_type: str = "text/csv") -> Any:
    return c.generic("POST", path, data=data, content_type=content_type)


def test_the_whole_flow_through_the_api(api: Client) -> None:
    for ref in ("KL-1", "KL-2"):
        Party.objects.create(ref=ref, name=ref, is_customer=True)
    answer = send(api, "/api/v1/imports/upload?file_name=zamowienia.csv", polish_orders(POLISH_BAD))
    assert answer.status_code == 201, answer.content
    body = answer.json()
    pk = body["id"]
    assert (body["encoding"], body["delimiter"], body["kind"]) == ("cp1250", ";", "orders")
    assert body["mapping"]["Cena brutto"] == "-"
    start = api.post(f"/api/v1/imports/{pk}/start", content_type="application/json")
    assert start.status_code == 422 and start["Content-Type"].startswith("application/problem+json")
    assert "unit_price" in start.json()["errors"]["mapping"]
    mapping = {**body["mapping"], "Cena brutto": "unit_price"}
    patched = api.patch(f"/api/v1/imports/{pk}", json.dumps({"mapping": mapping}), content_type="application/json")
    assert patched.status_code == 200 and patched.json()["mapping"]["Cena brutto"] == "unit_price"
    preview = api.get(f"/api/v1/imports/{pk}/preview").json()
    assert not preview["ready"]
    assert [(e["line"], e["column"]) for e in preview["errors"]] == [(2, "quantity"), (4, "ordered_at"),
                                                                     (5, "currency")]
    fixed = send(api, f"/api/v1/imports/{pk}/file?file_name=fixed.csv", polish_orders(POLISH_GOOD))
    assert fixed.status_code == 200, fixed.content
    preview = api.get(f"/api/v1/imports/{pk}/preview").json()
    assert preview["ready"] and preview["previews"][0]["rows"][0][:2] == ["ZAM-1", "KL-1"]
    started = api.post(f"/api/v1/imports/{pk}/start", content_type="application/json")
    assert started.status_code == 202 and started.json()["status"] == "queued"
    run_worker()
    status = api.get(f"/api/v1/imports/{pk}").json()
    assert status["status"] == "imported" and status["progress_done"] == status["progress_total"]
    assert Order.objects.count() == 3
    undone = api.post(f"/api/v1/imports/{pk}/undo", content_type="application/json")
    assert undone.status_code == 200 and undone.json()["import"]["status"] == "undone"
    assert undone.json()["removed"]["orders"] == 3 and Order.objects.count() == 0
    again = api.post(f"/api/v1/imports/{pk}/undo", content_type="application/json")
    assert again.status_code == 409


def test_a_shopify_export_in_one_call_then_start(api: Client) -> None:
    pk = send(api, "/api/v1/imports/upload?file_name=orders_export.csv", shopify_orders()).json()["id"]
    assert api.post(f"/api/v1/imports/{pk}/start", content_type="application/json").status_code == 202
    run_worker()
    assert api.get(f"/api/v1/imports/{pk}").json()["status"] == "imported"
    assert Order.objects.get(ref="#1001").lines.count() == 2


def test_bad_uploads_are_problem_documents_and_write_nothing(api: Client, settings: Any) -> None:
    empty = send(api, "/api/v1/imports/upload", b"")
    assert empty.status_code == 422 and "empty" in empty.json()["errors"]["file"]
    settings.IMPORT_MAX_BYTES = 1_000
    big = send(api, "/api/v1/imports/upload", polish_orders(POLISH_GOOD * 50))
    assert big.status_code == 413 and big.json()["errors"]["file"] == "at most 0 MB"
    settings.IMPORT_MAX_BYTES = 1_000_000
    from io import BytesIO

    from openpyxl import Workbook

    book = BytesIO()
    Workbook().save(book)
    sheet = send(api, "/api/v1/imports/upload?file_name=empty.xlsx", book.getvalue(), "application/octet-stream")
    assert sheet.status_code == 422 and "sheets are empty" in sheet.json()["errors"]["file"]
    assert not FileImport.objects.exists()


def test_roles_without_the_import_capability_get_403() -> None:
    user = User.objects.create_user(username="sam", password="pw", role="sales_rep")
    _, token = create_token(user)
    c = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert send(c, "/api/v1/imports/upload", polish_orders(POLISH_GOOD)).status_code == 403
    assert not FileImport.objects.exists()
