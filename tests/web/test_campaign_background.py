"""A campaign send is always queued as a job for the worker, whatever its size: the
request answers at once, the page polls the job's progress until the send
ends, every consenting member gets one mail through a real SMTP server on loopback when the
worker runs (here in-process, ``--burst``), a second Send while it is queued starts
nothing, and Stop answers at once (the job stops before its next member)."""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime

import pytest
from django.test import Client

from clientela.crm.accounts.models import User
from clientela.crm.engagement.models import Campaign, CampaignMember
from clientela.crm.jobs.models import Job
from clientela.crm.jobs.worker import JobWorker
from clientela.crm.parties.models import Consent, Party
from clientela_test_support import SmtpInbox

pytestmark = pytest.mark.django_db

MEMBERS = 12
CONSENTING = range(0, MEMBERS, 3)  # every third member may be mailed


def run_worker() -> None:
    JobWorker(worker_id="test", interval=0.05, burst=True, housekeeping=False, manage_connections=False).run()


def sending_job(campaign: Campaign) -> Job | None:
    return Job.objects.filter(subject=f"campaign:{campaign.pk}").first()


@pytest.fixture
def campaign() -> Campaign:
    given = datetime(2026, 1, 5, tzinfo=UTC)
    campaign = Campaign.objects.create(
        name="Spring add-on", kind="add_on", channel="email", message_channel="email",
        starts_on=date(2026, 3, 1), message_subject="Something new", message_body="Hello {{ name }}.",
    )
    for i in range(MEMBERS):
        party = Party.objects.create(ref=f"BG{i:03d}", name=f"Member {i}", email=f"m{i}@example.test",
                                     is_customer=True)
        if i in CONSENTING:
            Consent.objects.create(party=party, purpose="marketing", channel="email",
                                   lawful_basis="consent", source="test", given_at=given)
        CampaignMember.objects.create(campaign=campaign, party=party)
    return campaign


def _marketer() -> Client:
    c = Client()
    c.force_login(User.objects.create_user(username="mia", password="pw-mia", role="marketer"))
    return c


def test_a_large_send_runs_in_the_background_with_progress(
    campaign: Campaign, inbox: SmtpInbox
) -> None:
    c = _marketer()
    answer = c.post(f"/campaigns/{campaign.pk}/send/", {"confirm": "yes"}, HTTP_HX_REQUEST="true")
    page = answer.content.decode()
    assert answer.status_code == 200, page[-1500:]
    assert re.search(rf'data-testid="campaign-started">Sending to {MEMBERS} members in the background', page)
    assert inbox.messages == []  # the request did not send
    assert sending_job(campaign).status == "queued"
    run_worker()
    assert sending_job(campaign).status == "succeeded"
    consenting = {f"m{i}@example.test" for i in CONSENTING}
    assert inbox.recipients == sorted(consenting)  # each once
    statuses = dict(CampaignMember.objects.filter(campaign=campaign).values_list("party__email", "send_status"))
    assert {a for a, s in statuses.items() if s == "sent"} == consenting
    assert {s for a, s in statuses.items() if a not in consenting} == {"suppressed"}
    # The page's poll, once the send has ended: final counts, no more polling.
    done = c.get(f"/campaigns/{campaign.pk}/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="campaign-body")
    body = done.content.decode()
    assert "<html" not in body and 'data-testid="campaign-in-progress"' not in body and "hx-trigger" not in body.split(">")[0]
    assert re.search(rf'data-testid="count-sent">{len(consenting)}<', body)


def test_the_page_polls_while_a_send_runs_and_a_second_send_starts_nothing(
    campaign: Campaign, inbox: SmtpInbox
) -> None:
    c = _marketer()
    assert c.post(f"/campaigns/{campaign.pk}/send/", {"confirm": "yes"}).status_code == 200
    assert sending_job(campaign) is not None
    again = c.post(f"/campaigns/{campaign.pk}/send/", {"confirm": "yes"}, HTTP_HX_REQUEST="true")
    assert "This campaign is being sent already." in again.content.decode()
    poll = c.get(f"/campaigns/{campaign.pk}/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="campaign-body")
    body = poll.content.decode()
    opening = body.split(">")[0]
    assert 'hx-trigger="every 1s"' in opening and f'hx-get="/campaigns/{campaign.pk}/"' in opening
    assert re.search(rf'<progress id="send-progress" max="{MEMBERS}" value="0"', body)
    assert 'data-testid="send-job"' in body and "Queued: the worker starts it shortly." in body
    run_worker()
    assert Job.objects.filter(subject=f"campaign:{campaign.pk}").count() == 1
    assert inbox.recipients == sorted(f"m{i}@example.test" for i in CONSENTING)


def test_an_incomplete_message_fails_in_the_request(campaign: Campaign) -> None:
    Campaign.objects.filter(pk=campaign.pk).update(message_subject="")
    answer = _marketer().post(f"/campaigns/{campaign.pk}/send/", {"confirm": "yes"})
    assert answer.status_code == 422 and "an email needs a subject" in answer.content.decode()
    assert sending_job(campaign) is None
    assert set(CampaignMember.objects.filter(campaign=campaign).values_list("send_status", flat=True)) == {"queued"}


def test_stop_sending_leaves_the_rest_queued_and_send_takes_them_up(
    campaign: Campaign, inbox: SmtpInbox
) -> None:
    c = _marketer()
    running = c.post(f"/campaigns/{campaign.pk}/send/", {"confirm": "yes"}, HTTP_HX_REQUEST="true")
    assert 'data-testid="campaign-stop"' in running.content.decode()  # the progress has a Stop button
    began = time.monotonic()
    stopping = c.post(f"/campaigns/{campaign.pk}/stop/", HTTP_HX_REQUEST="true")
    assert stopping.status_code == 200 and time.monotonic() - began < 2  # answers at once
    body = stopping.content.decode()
    assert "Stopping after the member being mailed now." in body and 'data-testid="campaign-stop"' not in body
    run_worker()
    assert sending_job(campaign).status == "succeeded"
    assert inbox.messages == []  # stopped before its first member
    page = c.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert re.search(rf'data-testid="campaign-stopped">Sending was stopped on .+; {MEMBERS} members not yet sent '
                     r"to stay queued", page)
    assert 'data-testid="campaign-stop"' not in page
    # Send again: everyone is processed.
    again = c.post(f"/campaigns/{campaign.pk}/send/", {"confirm": "yes"}).content.decode()
    assert 'data-testid="campaign-stopped"' not in again
    run_worker()
    done = c.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert 'data-testid="campaign-stopped"' not in done and 'data-testid="campaign-sent"' in done
    assert inbox.recipients == sorted(f"m{i}@example.test" for i in CONSENTING)


def test_only_those_who_may_send_may_stop(campaign: Campaign) -> None:
    c = Client()
    c.force_login(User.objects.create_user(username="ana", password="pw-ana", role="analyst"))
    assert c.post(f"/campaigns/{campaign.pk}/stop/").status_code == 403
    assert Campaign.objects.get(pk=campaign.pk).send_stop_requested_at is None
