"""Crafted input against the API (issue 20): cursors over empty sort keys and forged
cursors (F9), bodies too deep, too wide or too big and crashes as problem documents
that log nothing personal (F10, F15), out-of-range ids in query strings (F14), and
event times beyond the horizon (F22)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
from typing import Any

import pytest
from django.test import Client

from clientela.api.pagination import encode_cursor
from clientela.crm.parties.models import Party
from clientela.crm.sales.models import Deal
from clientela.crm.tasks.models import Task

from .conftest import Api, api_for, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(teams: Any) -> Api:
    return api_for(make_user("hard-admin", "admin", teams[0]))


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    doc = json.loads(response.content)
    assert doc["status"] == status
    return doc


def _walk(api: Api, path: str) -> list[int]:
    """Every id of a list, page by page (two per page)."""
    seen: list[int] = []
    cursor = None
    for _ in range(50):
        sep = "&" if "?" in path else "?"
        page = api.get(f"{path}{sep}limit=2" + (f"&cursor={cursor}" if cursor else ""))
        assert page.status_code == 200, page.content[:300]
        seen += [item["id"] for item in page.data["items"]]
        cursor = page.data["next_cursor"]
        if cursor is None:
            return seen
    raise AssertionError("pagination did not end")


# -- F9: cursor pagination over NULL sort keys ------------------------------------------
def test_tasks_without_due_date_page_under_the_default_ordering(admin: Api) -> None:
    days = [None, "2026-03-02", None, "2026-03-01", None, None, "2026-03-02"]
    ids = []
    for i, due in enumerate(days):
        body: dict[str, Any] = {"title": f"Task {i}"} | ({"due_on": due} if due else {})
        created = admin.post("/tasks", body)
        assert created.status_code == 201, created.data
        ids.append(created.data["id"])
    by_due = sorted(zip(days, ids, strict=True), key=lambda p: (p[0] is None, p[0] or "", p[1]))
    assert _walk(admin, "/tasks") == [pk for _, pk in by_due]  # NULLs last, by id
    assert _walk(admin, "/tasks?ordering=-due_on") == [pk for _, pk in reversed(by_due)]  # NULLs first
    assert len(Task.objects.all()) == len(days)


def test_deals_page_by_expected_close_with_empty_dates(admin: Api) -> None:
    party = Party.objects.create(ref="N-1", name="Nulla")
    pipeline = admin.post("/pipelines", {"name": "P", "stages": [
        {"name": "Lead", "win_probability": "0.1"},
        {"name": "Won", "win_probability": "1", "is_won": True},
    ]}).data  # fmt: skip
    closes = [None, "2027-01-05", None, "2027-01-04", None]
    for i, close in enumerate(closes):
        body = {"party_id": party.pk, "pipeline_id": pipeline["id"], "name": f"D{i}",
                "amount": "10.00", "currency": "PLN"} | ({"expected_close": close} if close else {})
        assert admin.post("/deals", body).status_code == 201
    for ordering in ("expected_close", "-expected_close"):
        walked = _walk(admin, f"/deals?ordering={ordering}")
        assert sorted(walked) == sorted(Deal.objects.values_list("pk", flat=True))
        assert len(walked) == len(set(walked)) == len(closes)


def _forged(payload: Any) -> str:
    raw = json.dumps(payload).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize("value", [None, "0001-01-01", "0001-01-01T00:00:00", "0001-01-01T00:00:00+01:00",
                                   "9999-12-31T23:59:59-01:00", {"a": 1}, "x" * 500])
def test_forged_cursors_answer_400(admin: Api, value: Any) -> None:
    admin.post("/tasks", {"title": "one"})
    for path in ("/tasks", "/tasks?ordering=created_at", "/deals?ordering=expected_close"):
        ordering = path.partition("ordering=")[2] or "due_on"
        for cursor in (_forged([ordering, value, 1]), _forged([ordering, value, 1]) + ".forged"):
            doc = _problem(admin.get(f"{path}{'&' if '?' in path else '?'}cursor={cursor}"), 400)
            assert doc["errors"] == {"cursor": "cursor: not a cursor this API issued"}


def test_a_cursor_from_another_secret_is_refused(admin: Api, settings: Any) -> None:
    cursor = encode_cursor("due_on", None, 1)
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    _problem(admin.get(f"/tasks?cursor={cursor}"), 400)


def test_an_issued_cursor_at_a_null_key_is_honoured(admin: Api) -> None:
    first = admin.post("/tasks", {"title": "a"}).data["id"]
    second = admin.post("/tasks", {"title": "b"}).data["id"]
    page = admin.get(f"/tasks?cursor={encode_cursor('due_on', None, first)}")
    assert [t["id"] for t in page.data["items"]] == [second]
    created = dt.datetime(1, 1, 1, tzinfo=dt.UTC)  # a representable time we issued: no crash
    assert admin.get(f"/tasks?ordering=created_at&cursor={encode_cursor('created_at', created, 0)}").status_code == 200


# -- F10, F15: body limits before parsing; crashes as problem documents -----------------
def _raw_post(client: Client, body: str | bytes, **extra: str) -> Any:
    return client.post("/api/v1/parties", body, content_type="application/json", **extra)


@pytest.fixture
def api_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO)
    return caplog


def _logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(r.getMessage() + (r.exc_text or "") + str(r.exc_info or "") for r in caplog.records)


@pytest.mark.parametrize("body", ["[" * 400 + "]" * 400, '{"a":' * 400 + "1" + "}" * 400, "[" * 100_000],
                         ids=["array-400", "object-400", "unbalanced-100k"])
def test_deep_bodies_from_anonymous_callers_are_not_parsed(api_log: Any, body: str) -> None:
    client = Client(raise_request_exception=False)
    for extra in ({}, {"HTTP_AUTHORIZATION": "Bearer clt_bogus"}):
        _problem(_raw_post(client, body, **extra), 401)
    assert not [r for r in api_log.records if r.levelno >= logging.ERROR]
    assert not Party.objects.exists()


@pytest.mark.parametrize("body", ["[" * 400 + "]" * 400, '{"a":' * 33 + "1" + "}" * 33, "[" * 100_000,
                                  '{"ref": "x", "name": "y", "z": ' + "[" * 40 + "]" * 40 + "}"],
                         ids=["array-400", "object-33", "unbalanced-100k", "member-40"])
def test_deep_bodies_answer_400_before_parsing(admin: Api, api_log: Any, body: str) -> None:
    admin.client.raise_request_exception = False
    doc = _problem(_raw_post(admin.client, body, HTTP_AUTHORIZATION=f"Bearer {admin.token}"), 400)
    assert any(reason in doc["detail"] for reason in
               ("nested deeper than 32", "not valid JSON", "more than 5000 arrays and objects"))
    assert not [r for r in api_log.records if r.levelno >= logging.ERROR]
    assert len(_logged(api_log)) < 2_000 and not Party.objects.exists()


def test_a_body_32_levels_deep_and_brackets_inside_strings_pass_the_scan(admin: Api) -> None:
    name = "[[[{{{" * 20 + '\\"]]]' * 20  # brackets inside a string are text
    created = admin.post("/parties", {"ref": "DEEP-OK", "name": name[:200]})
    assert created.status_code == 201, created.data
    nested: Any = 1
    for _ in range(31):
        nested = [nested]
    refused = admin.post("/parties", {"ref": "DEEP-2", "name": "n", "x": nested})  # 32 deep: parsed
    assert refused.status_code == 422 and "x" in refused.data["errors"]


def test_200k_unknown_keys_answer_a_short_400(admin: Api) -> None:
    body = json.dumps({f"k{i}": i for i in range(200_000)} | {"ref": "W", "name": "w"})
    assert 2_000_000 < len(body) < 4_000_000
    response = _raw_post(admin.client, body, HTTP_AUTHORIZATION=f"Bearer {admin.token}")
    doc = _problem(response, 413)  # 3 MB: refused on its Content-Length, unread
    assert len(response.content) < 1_000 and doc["errors"] == {"body": "at most 262144 bytes"}
    body = json.dumps({f"k{i}": i for i in range(6_000)} | {"ref": "W", "name": "w"})
    assert len(body) < 256 * 1024
    response = _raw_post(admin.client, body, HTTP_AUTHORIZATION=f"Bearer {admin.token}")
    doc = _problem(response, 400)
    assert doc["errors"] == {"body": "more than 5000 object members"} and len(response.content) < 1_000
    values = json.dumps({"ref": "W", "name": "w", "x": list(range(30_000))})
    assert _problem(_raw_post(admin.client, values, HTTP_AUTHORIZATION=f"Bearer {admin.token}"), 400)[
        "errors"] == {"body": "more than 20000 values"}
    assert not Party.objects.exists()


def test_a_422_lists_at_most_50_fields(admin: Api) -> None:
    response = admin.post("/parties", {f"unknown{i}": i for i in range(4_000)} | {"ref": "W", "name": "w"})
    doc = _problem(response, 422)
    assert len(doc["errors"]) == 50 and "4000 errors, the first 50 listed" in doc["detail"]
    assert len(response.content) < 10_000


SECRET = "Żaneta Łukasiewicz-Górecka"


def test_a_crash_in_an_operation_is_a_problem_and_logs_nothing_personal(
    admin: Api, api_log: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clientela.crm.tasks import actions

    def broken(*_args: Any, **values: Any) -> Any:  # stands for any bug: its message quotes the input
        raise RuntimeError(f"cannot store {values['title']!r}")

    monkeypatch.setattr(actions, "create_task", broken)
    admin.client.raise_request_exception = False
    response = admin.post("/tasks", {"title": SECRET, "description": SECRET})
    doc = _problem(response, 500)
    assert doc["detail"] == "an internal error occurred; it has been logged"
    logged = _logged(api_log)
    assert "RuntimeError" in logged and "create_task" in logged
    assert "Łukasiewicz" not in logged and "cannot store" not in logged
    assert SECRET not in response.content.decode()


def test_a_crash_in_the_gateway_is_a_problem_not_html(
    admin: Api, api_log: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clientela.api import gateway

    def broken(request: Any) -> Any:
        raise LookupError(SECRET)

    monkeypatch.setattr(gateway, "identify", broken)
    admin.client.raise_request_exception = False
    response = admin.post("/parties", {"ref": "G", "name": SECRET})
    _problem(response, 500)
    logged = _logged(api_log)
    assert "LookupError" in logged and "Łukasiewicz" not in logged


# -- F14: ids out of range in query strings ---------------------------------------------
HUGE = "9223372036854775808"  # 2**63: beyond SQLite's and PostgreSQL's integers


@pytest.mark.parametrize("query", [f"/tasks?assignee_id={HUGE}", f"/tasks?party_id={HUGE}",
                                   f"/parties?owner_id={HUGE}", f"/deals?party_id={HUGE}",
                                   f"/orders?party_id={HUGE}", f"/interactions?party_id={HUGE}",
                                   "/tasks?party_id=9007199254740993", "/tasks?party_id=0"])
def test_ids_out_of_range_in_query_strings_answer_422_naming_them(admin: Api, query: str) -> None:
    doc = _problem(admin.get(query), 422)
    assert query.rpartition("?")[2].partition("=")[0] in doc["errors"]


def test_every_id_in_a_query_string_has_the_one_bound(admin: Api) -> None:
    """Each integer query parameter named like an id is bounded by input_bounds.MAX_ID."""
    from clientela.crm.input_bounds import MAX_ID

    schema = admin.get("/api/v1/openapi.json").json()
    checked = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            for param in operation.get("parameters", []):
                kind = param.get("schema", {})
                types = [kind] + kind.get("anyOf", [])
                if param["in"] in ("query", "path") and param["name"].endswith("_id") and any(
                        t.get("type") == "integer" for t in types):
                    bounded = [t for t in types if t.get("type") == "integer"][0]
                    assert (bounded.get("minimum"), bounded.get("maximum")) == (1, MAX_ID), (method, path, param)
                    checked.append(param["name"])
    assert len(checked) > 20
    for name, component in schema["components"]["schemas"].items():
        if not name.endswith(("Create", "Update", "In")):
            continue  # what the API answers, not what it takes
        for field, prop in component.get("properties", {}).items():
            types = [prop] + prop.get("anyOf", [])
            ints = [t for t in types if t.get("type") == "integer"]
            if field.endswith("_id") and ints:
                assert (ints[0].get("minimum"), ints[0].get("maximum")) == (1, MAX_ID), (name, field)
                checked.append(f"{name}.{field}")
    assert len(checked) > 40


# -- F22: event times beyond the horizon ------------------------------------------------
def test_event_times_in_the_future_are_refused_planned_dates_are_not(admin: Api) -> None:
    party = admin.post("/parties", {"ref": "T-1", "name": "Timely"}).data
    refused = admin.post("/interactions", {"party_id": party["id"], "channel": "email", "direction": "outbound",
                                           "occurred_at": "2099-01-01T10:00:00+01:00", "subject": "Hi"})
    assert "must not lie in the future" in _problem(refused, 422)["errors"]["occurred_at"]
    refused = admin.post("/parties", {"ref": "T-2", "name": "Later", "acquired_at": "2099-01-01T00:00:00Z"})
    assert "must not lie in the future" in _problem(refused, 422)["errors"]["acquired_at"]
    early = admin.post("/parties", {"ref": "T-3", "name": "Early", "acquired_at": "1850-01-01T00:00:00Z"})
    assert "1900-01-01 and 2999-12-31" in _problem(early, 422)["errors"]["acquired_at"]
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)).isoformat()
    assert admin.post("/parties", {"ref": "T-4", "name": "Skewed clock", "acquired_at": soon}).status_code == 201
    assert admin.post("/tasks", {"title": "Plan", "due_on": "2099-01-01"}).status_code == 201
    assert "due_on" in _problem(admin.post("/tasks", {"title": "Far", "due_on": "3000-01-01"}), 422)["errors"]
    assert admin.get("/orders?ordered_from=2099-01-01T00:00:00Z").status_code == 200  # a filter, not an event
    assert not Party.objects.filter(ref__in=["T-2", "T-3"]).exists()


def test_a_busy_database_in_the_gateway_is_a_503_not_a_500(admin: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import OperationalError

    from clientela.api import gateway

    def locked(request: Any) -> Any:  # as SQLite answers while a long import holds the lock
        raise OperationalError("database is locked")

    monkeypatch.setattr(gateway, "identify", locked)
    admin.client.raise_request_exception = False
    response = admin.post("/parties", {"ref": "B", "name": "Busy"})
    _problem(response, 503)
    assert response["Retry-After"]


def test_the_scan_passes_the_largest_real_body_and_is_cheap_on_crafted_ones() -> None:
    import time

    from clientela.api import body_limits

    lines = [{"product_id": i, "quantity": 3, "unit_price": "12.50", "discount": "0.00", "unit_cost": "4.1000"}
             for i in range(1, 501)]
    order = json.dumps({"ref": "O-1", "party_id": 1, "ordered_at": "2024-01-01T00:00:00Z", "lines": lines,
                        "note": '[{"Ż": ,:}]' * 300}).encode()
    assert body_limits.shape_problem(order) is None
    size = body_limits.MAX_BODY_BYTES - 8
    crafted = {
        "nested": ((b"[" * 32 + b"]" * 32) * size)[:size],
        "escapes": (b'["' + b'\\"' * size)[: size - 2] + b'"]',
        "strings": (b"[" + b'"",' * size)[: size - 1] + b"]",
        "members": (b"{" + b'"a":1,' * size)[: size - 1] + b"}",
        "brackets in a string": (b'["' + b"[" * size)[: size - 2] + b'"]',
    }
    for name, body in crafted.items():
        started = time.process_time()
        body_limits.shape_problem(body)
        assert time.process_time() - started < 0.5, name  # about 15 ms on a laptop
