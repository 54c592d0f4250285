"""The webhooks page, API and CLI: administrators only; the secret answered once and
never again; bad input refused with the field named (in the user's language on the page,
a problem document in the API, a non-zero exit in the CLI), nothing written; replay and
the test event from each face."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from django.test import Client

from clientela.cli.main import main as cli
from clientela.crm.accounts.api_tokens import create_token
from clientela.crm.accounts.models import User
from clientela.crm.audit.models import AuditEntry
from clientela.crm.webhooks import actions
from clientela.crm.webhooks.models import Delivery, Subscription

pytestmark = pytest.mark.django_db

URL = "https://hooks.example.com/in"


def _user(name: str, role: str) -> User:
    return User.objects.create_user(name, password="pw-" + name, role=role)


def _browser(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_only_administrators_reach_the_page_and_the_menu_entry() -> None:
    admin, manager = _user("root", "admin"), _user("boss", "manager")
    page = _browser(admin).get("/webhooks/")
    assert page.status_code == 200 and 'data-testid="menu-webhooks"' in page.content.decode()
    assert _browser(manager).get("/webhooks/").status_code == 403
    assert 'data-testid="menu-webhooks"' not in _browser(manager).get("/").content.decode()


def test_the_page_adds_shows_the_secret_once_tests_replays_and_removes() -> None:
    admin = _user("root", "admin")
    client = _browser(admin)
    answer = client.post("/webhooks/", {"name": "n8n", "url": URL, "event_types": ["order.created", "deal.won"],
                                        "active": "on"})
    assert answer.status_code == 201
    subscription = Subscription.objects.get()
    html = answer.content.decode()
    assert subscription.secret in html and subscription.event_types == ["deal.won", "order.created"]
    listing = client.get("/webhooks/").content.decode()
    assert subscription.secret not in listing and "n8n" in listing
    assert subscription.secret not in str(list(AuditEntry.objects.values_list("old", "new")))

    assert client.post(f"/webhooks/{subscription.pk}/test/").status_code == 302
    delivery = Delivery.objects.get()
    assert delivery.event.type == "webhook.test"
    log = client.get("/webhooks/").content.decode()
    assert f'data-testid="delivery-{delivery.pk}"' in log
    assert client.post(f"/webhooks/deliveries/{delivery.pk}/replay/").status_code == 302
    assert Delivery.objects.filter(replay_of=delivery).count() == 1

    edited = client.post(f"/webhooks/{subscription.pk}/", {"name": "n8n prod", "url": URL, "event_types": ["*"]})
    assert edited.status_code == 200
    subscription.refresh_from_db()
    assert (subscription.name, subscription.event_types, subscription.active) == ("n8n prod", ["*"], False)
    rotated = client.post(f"/webhooks/{subscription.pk}/secret/")
    old = subscription.secret
    subscription.refresh_from_db()
    assert subscription.secret != old and subscription.secret in rotated.content.decode()
    assert client.post(f"/webhooks/{subscription.pk}/delete/").status_code == 302
    assert not Subscription.objects.exists() and not Delivery.objects.exists()


def test_a_bad_address_is_refused_on_the_page_in_polish_and_nothing_is_written() -> None:
    admin = _user("root", "admin")
    admin_client = _browser(admin)
    admin_client.cookies["django_language"] = "pl"
    answer = admin_client.post("/webhooks/", {"name": "x", "url": "ftp://example.com/x", "event_types": ["*"]},
                               HTTP_ACCEPT_LANGUAGE="pl")
    assert answer.status_code == 422
    html = answer.content.decode()
    assert 'data-testid="error-url"' in html and "http:// lub https://" in html
    local = admin_client.post("/webhooks/", {"name": "x", "url": "http://127.0.0.1:8500/", "event_types": ["*"]})
    assert local.status_code == 422 and 'data-testid="error-url"' in local.content.decode()
    assert not Subscription.objects.exists()


def test_the_api_answers_the_secret_once_and_refuses_bad_input_with_a_problem() -> None:
    admin, analyst = _user("root", "admin"), _user("ann", "analyst")
    _, token = create_token(admin)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    client = Client()
    made = client.post("/api/v1/webhooks/subscriptions", {"name": "Make", "url": URL, "event_types": ["*"]},
                       content_type="application/json", **auth)
    assert made.status_code == 201 and made.json()["secret"].startswith("whsec_")
    sid = made.json()["id"]
    assert made["Location"] == f"/api/v1/webhooks/subscriptions/{sid}"
    assert "secret" not in client.get(f"/api/v1/webhooks/subscriptions/{sid}", **auth).json()
    assert "secret" not in client.get("/api/v1/webhooks/subscriptions", **auth).json()[0]
    bad = client.post("/api/v1/webhooks/subscriptions", {"name": "x", "url": URL, "event_types": ["nope"]},
                      content_type="application/json", **auth)
    assert bad.status_code == 422 and bad["Content-Type"].startswith("application/problem+json")
    assert "event_types" in bad.content.decode()
    test = client.post(f"/api/v1/webhooks/subscriptions/{sid}/test", content_type="application/json", **auth)
    assert test.status_code == 202 and test.json()["event_type"] == "webhook.test"
    replay = client.post(f"/api/v1/webhooks/deliveries/{test.json()['id']}/replay", content_type="application/json",
                         **auth)
    assert replay.status_code == 202 and replay.json()["event_id"] == test.json()["event_id"]
    assert replay.json()["replay_of"] == test.json()["id"]
    log = client.get(f"/api/v1/webhooks/deliveries?subscription_id={sid}", **auth).json()
    assert [d["id"] for d in log["items"]] == [replay.json()["id"], test.json()["id"]]
    types = {t["type"] for t in client.get("/api/v1/webhooks/event-types", **auth).json()}
    assert {"playbook.fired", "party.created", "deal.won", "case.sla_breached"} <= types
    _, other = create_token(analyst)
    assert client.get("/api/v1/webhooks/subscriptions", HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 403


def test_the_cli_adds_lists_tests_replays_and_removes() -> None:
    runner = CliRunner()
    bad = runner.invoke(cli, ["webhook", "add", "x", "file:///etc/passwd", "-e", "*"])
    assert bad.exit_code != 0 and "url:" in bad.output and not Subscription.objects.exists()
    added = runner.invoke(cli, ["webhook", "add", "Zap", URL, "-e", "order.created", "-e", "deal.lost"])
    assert added.exit_code == 0, added.output
    subscription = Subscription.objects.get()
    assert subscription.secret in added.output
    listed = runner.invoke(cli, ["webhook", "list"])
    assert "Zap" in listed.output and "deal.lost,order.created" in listed.output
    assert subscription.secret not in listed.output
    assert runner.invoke(cli, ["webhook", "test", str(subscription.pk)]).exit_code == 0
    delivery = Delivery.objects.get()
    assert runner.invoke(cli, ["webhook", "replay", str(delivery.pk)]).exit_code == 0
    assert str(delivery.event.uid) in runner.invoke(cli, ["webhook", "deliveries"]).output
    assert runner.invoke(cli, ["webhook", "replay", "99999"]).exit_code != 0
    assert "playbook.fired" in runner.invoke(cli, ["webhook", "events"]).output
    assert runner.invoke(cli, ["webhook", "remove", str(subscription.pk), "--yes"]).exit_code == 0
    assert not Subscription.objects.exists()


def test_an_inactive_subscription_gets_no_events(settings: Any) -> None:
    from clientela.crm.webhooks.events import emit

    subscription = actions.create_subscription(None, name="Off", url=URL, event_types=["*"], active=False)
    assert emit("deal.won", {"deal_id": 1}) == 0
    actions.update_subscription(None, subscription, {"active": True})
    assert emit("deal.won", {"deal_id": 1}) == 1


def test_the_page_and_the_log_read_in_queries_that_do_not_grow_with_the_rows() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from clientela.crm.webhooks.models import DeliveryAttempt

    admin = _user("root", "admin")
    client = _browser(admin)
    subscription = actions.create_subscription(None, name="n8n", url=URL, event_types=["*"])

    def grow(n: int) -> None:
        for _ in range(n):
            delivery = actions.send_test_event(None, subscription)
            DeliveryAttempt.objects.create(delivery=delivery, number=1, started_at=delivery.created_at,
                                           response_code=500, duration_ms=2, error="HTTP 500")

    def count(path: str) -> int:
        client.get(path)  # warm
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    grow(2)
    before = {p: count(p) for p in ("/webhooks/", f"/webhooks/{subscription.pk}/")}
    grow(6)
    assert {p: count(p) for p in before} == before
