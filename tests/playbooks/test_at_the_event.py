"""Playbooks on events act at the event: the write (an order through the API, an NPS
answer, the SLA scan finding a breach) queues a ``playbooks.on_event`` job once its
transaction commits, and the worker (``JobWorker``, in the test's process) acts without
the 15-minute schedule; the schedule afterwards finds the event handled and acts on no one
again; an import of many orders queues one job."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from clientela.crm.jobs.models import Job
from clientela.crm.parties.models import Party
from clientela.crm.playbooks import actions, engine
from clientela.crm.playbooks.models import Firing, Playbook
from jobs_in_process import run_jobs

pytestmark = pytest.mark.django_db

EVENT_JOB = "playbooks.on_event"


def _playbook(owner: Any, name: str, kind: str, actions_: list[dict[str, Any]], **limits: Any) -> Playbook:
    playbook = actions.create_playbook(owner, name=name, enabled=True, definition={
        "trigger": {"kind": kind}, "actions": actions_, "limits": limits, "control_share": 0})
    # Switched on an hour ago: events since then are its to act on.
    hour_ago = timezone.now() - timedelta(hours=1)
    Playbook.objects.filter(pk=playbook.pk).update(updated_at=hour_ago, checked_until=hour_ago)
    playbook.refresh_from_db()
    return playbook


def _api(user: Any) -> Client:
    from clientela.crm.accounts.api_tokens import create_token

    _record, secret = create_token(user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_a_first_order_through_the_api_is_acted_on_by_the_worker_and_not_again_by_the_schedule(
    make_marketer: Any, django_capture_on_commit_callbacks: Any,
) -> None:
    from clientela.crm.accounts.models import User
    from clientela.crm.commerce.actions import create_product
    from clientela.crm.tasks.models import Task

    playbook = _playbook(make_marketer(), "Welcome", "first_order",
                         [{"kind": "task", "title": "Welcome call", "due_days": 1}])
    admin = User.objects.create_user("orders-admin", password="x", role="admin")
    party = Party.objects.create(name="Nowa", kind="person", ref="AT-1", is_customer=True)
    product = create_product(admin, {"sku": "AT-SKU", "name": "Lid", "list_price": Decimal("10")})
    api = _api(admin)
    with django_capture_on_commit_callbacks(execute=True):
        answer = api.post("/api/v1/orders", {
            "party_id": party.pk, "ref": "AT-O1", "ordered_at": timezone.now().isoformat(), "currency": "PLN",
            "lines": [{"product_id": product.pk, "quantity": 1}]}, content_type="application/json")
    assert answer.status_code == 201, answer.content
    assert Job.objects.filter(kind=EVENT_JOB).count() == 1
    assert not Task.objects.filter(party=party).exists()  # the worker acts, not the request

    run_jobs()

    assert list(Task.objects.filter(party=party).values_list("title", flat=True)) == ["Welcome call"]
    assert Firing.objects.filter(playbook=playbook, party=party).count() == 1
    # The schedule's look over the same window: the event was handled; nobody is met again.
    engine.check_events(timezone.now() + timedelta(minutes=15))
    assert Firing.objects.filter(playbook=playbook).count() == 1
    assert Task.objects.filter(party=party).count() == 1
    # A second order is not a first order: its job (if any) acts on no one.
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/api/v1/orders", {
            "party_id": party.pk, "ref": "AT-O2", "ordered_at": timezone.now().isoformat(), "currency": "PLN",
            "lines": [{"product_id": product.pk, "quantity": 2}]}, content_type="application/json")
    run_jobs()
    assert Task.objects.filter(party=party).count() == 1


def test_the_schedule_acts_on_an_event_whose_job_was_lost_and_the_job_then_acts_on_no_one(
    make_marketer: Any, django_capture_on_commit_callbacks: Any,
) -> None:
    from clientela.crm.feedback.actions import create_survey, record_response

    playbook = _playbook(make_marketer(), "Detractors", "nps_detractor", [{"kind": "tag", "tag": "unhappy"}])
    party = Party.objects.create(name="Zła", kind="person", ref="AT-2", is_customer=True)
    survey = create_survey(None, name="NPS", kind="nps", question="Recommend us?")
    with django_capture_on_commit_callbacks(execute=True):
        record_response(None, survey=survey, party=party, score=2)
    job = Job.objects.get(kind=EVENT_JOB)
    assert job.params == {"events": {"nps_detractor": [party.pk]}}
    # The schedule runs first (the worker was down): it acts; the job, run later, does not again.
    engine.check_events(timezone.now() + timedelta(minutes=1))
    run_jobs()
    party.refresh_from_db()
    assert party.tags == ["unhappy"]
    assert Firing.objects.filter(playbook=playbook).count() == 1
    # A promoter's answer queues nothing.
    with django_capture_on_commit_callbacks(execute=True):
        record_response(None, survey=survey, party=party, score=10)
    assert Job.objects.filter(kind=EVENT_JOB).count() == 1


def test_an_sla_breach_is_acted_on_when_the_scan_detects_it(
    make_marketer: Any, django_capture_on_commit_callbacks: Any,
) -> None:
    from clientela.crm.notifications.actions import notify_sla_breaches
    from clientela.crm.service.actions import open_case
    from clientela.crm.service.models import Case

    playbook = _playbook(make_marketer(), "Late cases", "sla_breach", [{"kind": "tag", "tag": "late"}])
    owner = make_marketer("owner")
    party = Party.objects.create(name="Czeka", kind="person", ref="AT-3", is_customer=True)
    case = open_case(None, party=party, subject="Broken", priority="urgent", owner=owner)
    now = timezone.now()  # opened 40 minutes ago, due 5 minutes ago: breached since the playbook was on
    Case.objects.filter(pk=case.pk).update(opened_at=now - timedelta(minutes=40), sla_due_at=now - timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        notify_sla_breaches(None, timezone.now())
    run_jobs()
    party.refresh_from_db()
    assert party.tags == ["late"] and Firing.objects.filter(playbook=playbook).count() == 1
    engine.check_events(timezone.now() + timedelta(minutes=15))
    assert Firing.objects.filter(playbook=playbook).count() == 1


def test_an_import_of_many_first_orders_queues_one_job(
    make_marketer: Any, django_capture_on_commit_callbacks: Any,
) -> None:
    from clientela.crm.transfer.csv_import import import_file

    count = 300
    playbook = _playbook(make_marketer(), "Welcome all", "first_order", [{"kind": "tag", "tag": "new"}])
    when = timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    rows = [f"IMP-{n},C-{n},{when},SKU-1,1,10.00,PLN" for n in range(count)]
    data = ("order_ref,customer_ref,ordered_at,sku,quantity,unit_price,currency\n" + "\n".join(rows)).encode()
    with django_capture_on_commit_callbacks(execute=True):
        result = import_file("orders", data, create_missing=True)
    assert result.created == count
    assert Job.objects.filter(kind=EVENT_JOB).count() == 1
    run_jobs()
    assert Firing.objects.filter(playbook=playbook).count() == count
    tags = Party.objects.filter(ref__startswith="C-").values_list("tags", flat=True)
    assert [t for t in tags if "new" in t] == [["new"]] * count
    engine.check_events(timezone.now() + timedelta(minutes=15))
    assert Firing.objects.filter(playbook=playbook).count() == count
