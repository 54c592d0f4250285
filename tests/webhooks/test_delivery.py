"""Webhooks end to end in one process: events emitted by the record's actions reach a
receiver on loopback through the job queue's worker (``JobWorker``, as the jobs tests run
it), each signed, each accepted exactly once although the receiver fails the first attempt
and the queue retries; the delivery log, replay and the address rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from clientela.crm.accounts.models import User
from clientela.crm.commerce import actions as commerce
from clientela.crm.errors import InvalidInput
from clientela.crm.jobs.models import Job, JobStatus
from clientela.crm.parties import actions as parties
from clientela.crm.service import actions as service
from clientela.crm.webhooks import actions
from clientela.crm.webhooks.events import emit
from clientela.crm.webhooks.models import Delivery, DeliveryStatus, Event
from jobs_in_process import run_jobs
from webhooks.receiver import receiver

pytestmark = pytest.mark.django_db

SECRET = "s3cret-for-the-tests-only"


@pytest.fixture
def loopback(settings: Any) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    settings.JOB_RETRY_SECONDS = 0  # retried at once: one burst of the worker runs every attempt


@pytest.fixture
def admin() -> User:
    return User.objects.create_user("hook-admin", password="x", role="admin")


def test_every_event_arrives_signed_exactly_once_despite_a_failure_and_a_retry(loopback: None, admin: User) -> None:
    with receiver(SECRET, fail_first=1) as hook:
        subscription = actions.create_subscription(admin, name="n8n", url=hook.url, event_types=["*"], secret=SECRET)
        party = parties.create_party(admin, {"name": "Ada Nowak", "kind": "person", "is_customer": True})
        product = commerce.create_product(admin, {"sku": "LID-1", "name": "Lid", "list_price": Decimal("10")})
        commerce.create_order(admin, party, {"ref": "W-1", "ordered_at": "2026-12-01T10:00:00Z", "currency": "PLN"},
                              [{"product_id": product.pk, "quantity": 2, "unit_price": Decimal("10")}])
        service.open_case(admin, party=party, subject="Broken lid")
        actions.send_test_event(admin, subscription)
        assert Delivery.objects.count() == 4
        run_jobs()

    events = {str(e.uid): e.type for e in Event.objects.all()}
    assert sorted(events.values()) == ["case.opened", "order.created", "party.created", "webhook.test"]
    assert hook.bad_signatures == 0 and all(r["good"] for r in hook.requests)
    assert dict(hook.accepted) == dict.fromkeys(events, 1)  # each event exactly once
    assert len(hook.requests) == 5  # four events, one of them twice (500, then the retry)
    first = hook.requests[0]
    assert [r["id"] for r in hook.requests].count(first["id"]) == 2
    assert all(r["event_id"] == r["id"] for r in hook.requests)
    retried = Delivery.objects.get(event__uid=first["id"])
    assert (retried.status, retried.attempts, retried.response_code) == (DeliveryStatus.SUCCEEDED, 2, 200)
    assert [(a.number, a.response_code, a.error) for a in retried.attempt_log.all()] == [
        (1, 500, "HTTP 500"), (2, 200, "")]
    job = Job.objects.get(pk=retried.job_id)
    assert job.status == JobStatus.SUCCEEDED and [h["outcome"] for h in job.history] == ["failed", "succeeded"]
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SUCCEEDED}
    party_event = next(r["data"] for r in hook.requests if r["type"] == "party.created")
    assert party_event["party_id"] == party.pk and "Ada" not in str(party_event)  # ids, no personal data


def test_a_replay_sends_the_same_event_again_as_a_new_delivery(loopback: None, admin: User) -> None:
    with receiver(SECRET) as hook:
        subscription = actions.create_subscription(admin, name="Make", url=hook.url, event_types=["order.created"],
                                                   secret=SECRET)
        assert emit("party.created", {"party_id": 1}) == 0  # nobody listens: nothing stored
        assert emit("order.created", {"order_id": 7, "total_amount": Decimal("12.50")}) == 1
        run_jobs()
        original = Delivery.objects.get()
        replay = actions.replay_delivery(admin, original)
        run_jobs()
    assert replay.replay_of_id == original.pk and replay.event_id == original.event_id
    assert [r["id"] for r in hook.requests] == [str(original.event.uid)] * 2
    assert [r["delivery_id"] for r in hook.requests] == [str(original.pk), str(replay.pk)]
    assert hook.requests[0]["data"] == {"order_id": 7, "total_amount": "12.50"}
    assert Event.objects.count() == 1 and subscription.deliveries.count() == 2


def test_a_delivery_gives_up_after_its_attempts(loopback: None, admin: User, settings: Any) -> None:
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    with receiver(SECRET, fail_first=99) as hook:
        subscription = actions.create_subscription(admin, name="Zap", url=hook.url, event_types=["webhook.test"],
                                                   secret=SECRET)
        delivery = actions.send_test_event(admin, subscription)
        run_jobs()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (DeliveryStatus.FAILED, 3, 500)
    assert len(hook.requests) == 3 and not hook.accepted
    assert Job.objects.get(pk=delivery.job_id).status == JobStatus.FAILED


def test_a_receiver_that_is_down_is_retried_and_logged(loopback: None, admin: User, settings: Any) -> None:
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    with receiver(SECRET) as hook:
        url = hook.url  # the server stops at the end of the block: nothing listens there now
    subscription = actions.create_subscription(admin, name="Down", url=url, event_types=["webhook.test"])
    delivery = actions.send_test_event(admin, subscription)
    run_jobs()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (DeliveryStatus.FAILED, 2, None)
    assert delivery.last_error and "secret" not in delivery.last_error.lower()


@pytest.mark.parametrize(("url", "field"), [
    ("ftp://example.com/x", "url"), ("file:///etc/passwd", "url"), ("http://127.0.0.1:8500/", "url"),
    ("http://localhost/x", "url"), ("http://10.0.0.7/x", "url"), ("http://[::1]/x", "url"),
    ("http://169.254.169.254/latest", "url"), ("https://user:pw@example.com/", "url"), ("", "url"),
])
def test_unsafe_or_bad_addresses_are_refused(admin: User, url: str, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        actions.create_subscription(admin, name="x", url=url, event_types=["*"])
    assert field in refused.value.errors


def test_event_types_are_checked(admin: User) -> None:
    with pytest.raises(InvalidInput, match="event_types"):
        actions.create_subscription(admin, name="x", url="https://example.com/h", event_types=["party.exploded"])
    with pytest.raises(InvalidInput, match="event_types"):
        actions.create_subscription(admin, name="x", url="https://example.com/h", event_types=[])
    with pytest.raises(ValueError, match="event_type"):
        emit("party.exploded", {})


def test_the_records_actions_announce_their_events(admin: User) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from clientela.crm.feedback import actions as feedback
    from clientela.crm.notifications.actions import notify_sla_breaches
    from clientela.crm.sales import actions as sales

    actions.create_subscription(admin, name="all", url="https://hooks.example.com/in", event_types=["*"])
    party = parties.create_party(admin, {"name": "Firma", "kind": "organisation", "is_customer": True})
    parties.update_party(admin, party, expected_version=party.version, changes={"country": "PL"})
    pipeline = sales.create_pipeline(None, "Main", [sales.StageSpec("Lead", Decimal("0.2")),
                                                    sales.StageSpec("Won", Decimal("1"), is_won=True)])
    deal = sales.create_deal(admin, party=party, name="Big", pipeline=pipeline, amount="100")
    sales.win_deal(admin, deal, reason="signed")
    survey = feedback.create_survey(admin, name="NPS", kind="nps", question="Recommend us?")
    feedback.record_response(admin, survey=survey, party=party, score=3, comment="slow delivery")
    opened = timezone.now() - timedelta(days=5)
    service.open_case(admin, party=party, subject="Late", owner=admin, at=opened)
    notify_sla_breaches(None, timezone.now())
    notify_sla_breaches(None, timezone.now())  # the same breach: announced once
    types = list(Event.objects.order_by("id").values_list("type", flat=True))
    assert types == ["party.created", "party.updated", "deal.stage_changed", "deal.won", "survey.answered",
                     "case.opened", "case.sla_breached"]
    answered = Event.objects.get(type="survey.answered").payload
    assert answered["score"] == 3 and answered["has_comment"] and "slow" not in str(answered)
    assert Event.objects.get(type="party.updated").payload["changed"] == ["country"]


def test_the_log_of_ended_deliveries_is_purged_after_its_days(admin: User, settings: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    settings.WEBHOOK_KEEP_DAYS = 30
    subscription = actions.create_subscription(admin, name="x", url="https://hooks.example.com/in",
                                               event_types=["*"])
    ended = actions.send_test_event(admin, subscription)
    Delivery.objects.filter(pk=ended.pk).update(status=DeliveryStatus.SUCCEEDED)
    waiting = actions.send_test_event(admin, subscription)
    Event.objects.update(created_at=timezone.now() - timedelta(days=31))
    assert actions.purge_webhook_log(None, timezone.now()) == 1
    assert list(Delivery.objects.values_list("pk", flat=True)) == [waiting.pk]
