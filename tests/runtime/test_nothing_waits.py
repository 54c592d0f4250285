"""Requests never wait on background work (issue 13): an idempotent repeat of a request
still running is answered at once with 409 and Retry-After (it polled for 30 s before),
and Stop on a campaign only records the stop — the send job sees it before its next
member — so neither holds a web process."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from datetime import date

import pytest
from django.test import Client

from clientela.api.models import IdempotencyKey
from clientela.crm.accounts.api_tokens import create_token
from clientela.crm.accounts.models import User
from clientela.crm.engagement.models import Campaign, CampaignMember
from clientela.crm.jobs.models import Job
from clientela.crm.parties.models import Party

pytestmark = pytest.mark.django_db


def _token(role: str = "admin") -> tuple[User, str]:
    user = User.objects.create_user(username=f"u-{role}", password="pw", role=role)
    return user, create_token(user, name="t")[1]


def test_a_repeat_of_a_request_still_running_is_told_to_come_back() -> None:
    user, token = _token()
    body = json.dumps({"ref": "IK-RUN", "name": "Still running"}).encode()
    fingerprint = hashlib.sha256(b"\n".join([b"POST", b"/api/v1/parties", body])).hexdigest()
    # The first request with this key has reserved it and not answered yet.
    IdempotencyKey.objects.create(user=user, key="k-running", fingerprint=fingerprint,
                                  created_at=dt.datetime.now(dt.UTC))
    repeat = Client().post("/api/v1/parties", body, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_IDEMPOTENCY_KEY="k-running")
    assert repeat.status_code == 409 and repeat["Retry-After"] == "1"
    assert json.loads(repeat.content)["type"].endswith("idempotency-in-progress")
    assert not Party.objects.filter(ref="IK-RUN").exists()  # the repeat did not run it


def test_stop_records_the_stop_and_leaves_the_send_to_the_job() -> None:
    campaign = Campaign.objects.create(name="C", kind="retention", channel="email", message_channel="email",
                                       starts_on=date(2026, 3, 1), message_subject="S", message_body="Hi")
    for i in range(3):
        CampaignMember.objects.create(campaign=campaign, party=Party.objects.create(ref=f"NW{i}", name=f"P{i}"))
    _, token = _token("marketer")
    api = {"content_type": "application/json", "HTTP_AUTHORIZATION": f"Bearer {token}"}
    queued = Client().post(f"/api/v1/campaigns/{campaign.pk}/send", "{}", **api)
    assert queued.status_code == 202
    stopped = Client().post(f"/api/v1/campaigns/{campaign.pk}/stop", "{}", **api)
    assert stopped.status_code == 200 and json.loads(stopped.content) == {"queued": 3}
    # The request only recorded the stop; the job, still queued, sees it when it runs.
    assert Campaign.objects.get(pk=campaign.pk).send_stop_requested_at is not None
    assert Job.objects.get(kind="campaign.send").status == "queued"
