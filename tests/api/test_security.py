"""Security defaults: tokens, sessions with CSRF, problem documents, idempotency, rate
limit, vendored docs, CSP, the append-only audit trail, Argon2 and login throttling."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from typing import Any

import pytest
from click.testing import CliRunner
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings

from clientela.api.models import IdempotencyKey
from clientela.cli.main import main
from clientela.crm.accounts.models import ApiToken
from clientela.crm.audit.actions import record_change
from clientela.crm.audit.models import AppendOnlyError, AuditEntry
from clientela.crm.parties.models import Party

from .conftest import Api, api_for, make_user


@pytest.fixture
def admin(teams: Any) -> Api:
    return api_for(make_user("sec-admin", "admin", teams[0]))


def test_token_cli_create_list_revoke(teams: Any) -> None:
    make_user("tok", "sales_rep", teams[0])
    runner = CliRunner()
    created = runner.invoke(main, ["token", "create", "tok", "--name", "laptop"])
    assert created.exit_code == 0, created.output
    token = created.output.strip().splitlines()[-1]
    assert token.startswith("clt_")
    row = ApiToken.objects.get()
    assert token not in row.token_hash and len(row.token_hash) == 64  # only the hash is stored
    client = Client()
    assert client.get("/api/v1/parties", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    listed = runner.invoke(main, ["token", "list", "tok"])
    assert "laptop" in listed.output and token not in listed.output
    assert runner.invoke(main, ["token", "revoke", str(row.pk)]).exit_code == 0
    refused = client.get("/api/v1/parties", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert refused.status_code == 401 and refused["WWW-Authenticate"].startswith("Bearer")
    assert refused["Content-Type"] == "application/problem+json"
    assert client.get("/api/v1/parties", HTTP_AUTHORIZATION=f"Bearer {token[:-2]}xx").status_code == 401
    assert runner.invoke(main, ["token", "create", "nobody"]).exit_code != 0


def test_session_auth_needs_csrf_for_writes(teams: Any) -> None:
    make_user("web", "admin", teams[0])
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="web", password="x-test-password")
    assert client.get("/api/v1/parties").status_code == 200
    body = json.dumps({"ref": "S-1", "name": "Session"})
    refused = client.post("/api/v1/parties", body, content_type="application/json")
    assert refused.status_code == 403 and not Party.objects.exists()
    client.get("/admin/login/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    ok = client.post("/api/v1/parties", body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert ok.status_code == 201


def test_errors_are_problem_documents(admin: Api) -> None:
    def check(response: Any, status: int) -> None:
        assert response.status_code == status, response.content
        assert response["Content-Type"] == "application/problem+json"
        doc = json.loads(response.content)
        assert {"type", "title", "status"} <= set(doc) and doc["status"] == status

    check(Client().get("/api/v1/parties"), 401)
    check(admin.get("/no-such-thing"), 404)
    check(admin.get("/parties/99999"), 404)
    check(admin.call("DELETE", "/parties"), 405)
    check(admin.client.post("/api/v1/parties", "ref=x", content_type="application/x-www-form-urlencoded",
                            HTTP_AUTHORIZATION=f"Bearer {admin.token}"), 415)
    check(admin.client.post("/api/v1/parties", "{not json", content_type="application/json",
                            HTTP_AUTHORIZATION=f"Bearer {admin.token}"), 400)
    check(admin.post("/parties", {"ref": "A\u0000B", "name": "nul"}), 400)
    invalid = admin.post("/parties", {"name": ""})
    check(invalid, 422)
    assert {"ref", "name"} <= set(invalid.data["errors"])
    party = admin.post("/parties", {"ref": "E-1", "name": "E"}).data
    check(admin.patch(f"/parties/{party['id']}", {"city": "x"}), 428)
    check(admin.patch(f"/parties/{party['id']}", {"city": "x"}, **{"If-Match": '"9"'}), 412)


def test_server_error_is_generic(admin: Api, monkeypatch: Any) -> None:
    from clientela.crm.parties import queries

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(queries, "list_parties", boom)
    response = admin.get("/parties")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert b"secret" not in response.content and b"Traceback" not in response.content


def test_idempotency_replay_mismatch_and_expiry(admin: Api) -> None:
    body = {"ref": "IK-1", "name": "Once"}
    first = admin.post("/parties", body, **{"Idempotency-Key": "k-1"})
    again = admin.post("/parties", body, **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert first.content == again.content and again["Idempotent-Replayed"] == "true"
    assert again["ETag"] == first["ETag"]
    assert Party.objects.filter(ref="IK-1").count() == 1
    other = admin.post("/parties", {"ref": "IK-2", "name": "Other"}, **{"Idempotency-Key": "k-1"})
    assert other.status_code == 422 and not Party.objects.filter(ref="IK-2").exists()
    # keys live 24 hours
    IdempotencyKey.objects.update(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=25))
    later = admin.post("/parties", {"ref": "IK-2", "name": "Other"}, **{"Idempotency-Key": "k-1"})
    assert later.status_code == 201
    # a failed validation is replayed too, not re-run
    bad = admin.post("/parties", {"name": ""}, **{"Idempotency-Key": "k-2"})
    assert bad.status_code == 422
    assert admin.post("/parties", {"name": ""}, **{"Idempotency-Key": "k-2"}).content == bad.content


@override_settings(API_RATE_LIMIT="3/60")
def test_rate_limit_answers_429_with_retry_after(admin: Api, teams: Any) -> None:
    cache.clear()
    statuses = [admin.get("/parties").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    limited = admin.get("/parties")
    assert limited["Content-Type"] == "application/problem+json"
    assert 1 <= int(limited["Retry-After"]) <= 60
    other = api_for(make_user("other", "admin", teams[0]))  # per token
    assert other.get("/parties").status_code == 200
    cache.clear()


def test_docs_are_served_from_the_app_itself(admin: Api) -> None:
    page = Client().get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    refs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert refs and all(ref.startswith("/") and not ref.startswith("//") for ref in refs), refs
    assert "http://" not in html and "https://" not in html
    for ref in refs:
        assert Client().get(ref).status_code == 200, ref
    assert "default-src 'self'" in page["Content-Security-Policy"]
    schema = Client().get("/api/v1/openapi.json")
    assert schema.status_code == 200 and json.loads(schema.content)["openapi"].startswith("3.")


def test_csp_on_pages() -> None:
    response = Client().get("/admin/login/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_audit_trail_is_append_only(db: Any) -> None:
    entry = record_change(None, entity="party", object_id=1, action="create", changes={"name": (None, "A")})[0]
    entry.new = "B"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(new="B")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).new == "A"
    assert entry.at.tzinfo is not None


def test_audit_admin_is_read_only(teams: Any) -> None:
    from django.contrib import admin as django_admin

    make_user("adm", "admin", teams[0])
    model_admin = django_admin.site._registry[AuditEntry]
    request = type("R", (), {"user": type("U", (), {"role": "admin", "is_superuser": True})()})()
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


@pytest.mark.postgres
def test_postgres_trigger_refuses_update_and_delete(db: Any) -> None:
    from django.db import DatabaseError, transaction

    entry = record_change(None, entity="party", object_id=1, action="create", changes={"name": (None, "A")})[0]
    for sql in ("UPDATE audit_auditentry SET new = 'B' WHERE id = %s", "DELETE FROM audit_auditentry WHERE id = %s"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).new == "A"


def test_passwords_hashed_with_argon2(teams: Any, production_password_hashers: list[str]) -> None:
    from django.contrib.auth.hashers import identify_hasher

    user = make_user("hash", "analyst", teams[0])
    assert user.password.startswith("argon2")
    # The settings' hasher at its own parameters (the other tests hash with cheaper ones).
    assert not identify_hasher(user.password).must_update(user.password)
    assert user.check_password("x-test-password")


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_login_attempts_are_throttled_and_logged_without_personal_data(teams: Any, caplog: Any) -> None:
    cache.clear()
    make_user("victim", "analyst", teams[0])
    with caplog.at_level(logging.INFO, logger="clientela.security.login"):
        for _ in range(3):
            assert authenticate(username="victim", password="wrong-pass-123") is None
        # locked now: even the right password is refused
        assert authenticate(username="victim", password="x-test-password") is None
    text = caplog.text
    assert "login failed" in text and "login refused" in text
    assert "victim" not in text and "wrong-pass-123" not in text and "x-test-password" not in text
    cache.clear()
    assert authenticate(username="victim", password="x-test-password") is not None
