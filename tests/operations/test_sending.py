"""Campaign and survey mail through a real SMTP server on loopback (aiosmtpd), and SMS
through a tiny HTTP gateway the test starts. Links are taken from the received mail and
followed with Django's test client."""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client

from clientela.crm.engagement import sending
from clientela.crm.engagement.models import Campaign, CampaignMember
from clientela.crm.engagement.sms import HttpJsonGateway, SmsError
from clientela.crm.feedback import actions as feedback
from clientela.crm.feedback.models import SurveyInvitation, SurveyResponse
from clientela.crm.parties.models import Consent, Party
from clientela_test_support import SmtpInbox

pytestmark = pytest.mark.django_db

GIVEN = datetime(2026, 1, 1, tzinfo=UTC)
PUBLIC = "http://crm.example.test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def inbox(inbox: SmtpInbox, settings) -> SmtpInbox:  # type: ignore[no-untyped-def]
    """The shared loopback SMTP server, with links in the mail pointing at PUBLIC."""
    settings.PUBLIC_URL = PUBLIC
    settings.ALLOWED_HOSTS = ["*"]
    return inbox


def _party(ref: str, *, email_address: str = "", consents: list[tuple[str, str, bool]] = ()) -> Party:  # type: ignore[assignment]
    party = Party.objects.create(ref=ref, name=f"Customer {ref}", email=email_address, phone="+48500100200")
    for purpose, channel, active in consents:
        Consent.objects.create(
            party=party, purpose=purpose, channel=channel, given_at=GIVEN,
            withdrawn_at=None if active else GIVEN + timedelta(days=30),
        )
    return party


def _body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(message.get_content_charset() or "utf-8")


def _link(message: Message, prefix: str) -> str:
    found = re.findall(re.escape(PUBLIC) + r"(/" + prefix + r"/[^/\s]+/)", _body(message))
    assert len(found) == 1, _body(message)
    return found[0]


@pytest.fixture
def campaign() -> Campaign:
    return Campaign.objects.create(
        name="Winter retention", kind="retention", channel="email", starts_on=date(2026, 11, 23),
        message_channel="email", message_subject="We miss you",
        message_body="Hello {{ name }}, here is 10% off your next order.",
    )


def _members(campaign: Campaign) -> dict[str, Party]:
    parties = {
        "yes": _party("A", email_address="anna@example.test", consents=[("marketing", "email", True)]),
        "withdrawn": _party("B", email_address="bob@example.test", consents=[("marketing", "email", False)]),
        "none": _party("C", email_address="cyril@example.test"),
        "sms_only": _party("D", email_address="dora@example.test", consents=[("marketing", "sms", True)]),
        "newsletter": _party("E", email_address="emil@example.test", consents=[("newsletter", "email", True)]),
        "no_address": _party("F", consents=[("marketing", "email", True)]),
    }
    for party in parties.values():
        CampaignMember.objects.create(campaign=campaign, party=party)
    return parties


def _status(campaign: Campaign) -> dict[str, tuple[str, str]]:
    return {
        m.party.ref: (m.send_status, m.send_reason)
        for m in CampaignMember.objects.filter(campaign=campaign).select_related("party")
    }


def test_retention_campaign_reaches_only_consenting_members(inbox: SmtpInbox, campaign: Campaign) -> None:
    _members(campaign)
    summary = sending.send_campaign(campaign)
    assert inbox.recipients == ["anna@example.test"]
    (message,) = inbox.to("anna@example.test")
    assert message["Subject"] == "We miss you"
    assert "Hello Customer A, here is 10% off" in _body(message)
    status = _status(campaign)
    assert status["A"][0] == "sent"
    assert {ref for ref, (s, _) in status.items() if s == "suppressed"} == {"B", "C", "D", "E"}
    assert status["B"][1] == "no active marketing consent for email"
    assert status["F"] == ("failed", "the party has no email address")
    assert (summary.sent, summary.suppressed, summary.failed) == (1, 4, 1)
    assert CampaignMember.objects.get(campaign=campaign, party__ref="A").sent_at is not None

    # Without resend, a second run sends nobody twice.
    again = sending.send_campaign(campaign)
    assert again.skipped == 1 and len(inbox.messages) == 1


def test_unsubscribe_link_from_the_mail_works_end_to_end(inbox: SmtpInbox, campaign: Campaign) -> None:
    parties = _members(campaign)
    sending.send_campaign(campaign)
    (message,) = inbox.to("anna@example.test")
    path = _link(message, "u")
    # RFC 8058 headers name the same link.
    assert "".join(message["List-Unsubscribe"].split()) == f"<{PUBLIC}{path}>"  # unfolded
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    client = Client(enforce_csrf_checks=True)
    page = client.get(path)
    assert page.status_code == 200 and b"<form method=\"post\">" in page.content
    consent = Consent.objects.get(party=parties["yes"], purpose="marketing", channel="email")
    assert consent.withdrawn_at is None  # GET only shows the button

    # The one-click POST a mail client makes: no cookie, no CSRF token.
    answer = client.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 200
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert client.post(path).status_code == 200  # a second click changes nothing
    consent.refresh_from_db()
    assert Consent.objects.filter(party=parties["yes"], withdrawn_at__isnull=True).count() == 0

    summary = sending.send_campaign(campaign, resend=True)
    assert len(inbox.messages) == 1  # nothing new went out
    assert _status(campaign)["A"] == ("suppressed", "no active marketing consent for email")
    assert summary.sent == 0


def test_tampered_unsubscribe_link_is_404(inbox: SmtpInbox, campaign: Campaign) -> None:
    _members(campaign)
    sending.send_campaign(campaign)
    path = _link(inbox.to("anna@example.test")[0], "u")
    token = path.split("/")[2]
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert Client().get(f"/u/{forged}/").status_code == 404
    assert Client().post(f"/u/{forged}/").status_code == 404
    assert Client().get("/u/not-a-token/").status_code == 404
    assert Consent.objects.filter(withdrawn_at__isnull=True, purpose="marketing", channel="email").count() == 2


def test_survey_link_in_the_mail_answers_once(inbox: SmtpInbox) -> None:
    survey = feedback.create_survey(
        None,
        name="NPS Q4", kind="nps", question="How likely are you to recommend us? <script>alert(1)</script>"
    )
    anna = _party("A", email_address="anna@example.test", consents=[("surveys", "email", True)])
    bob = _party("B", email_address="bob@example.test", consents=[("marketing", "email", True)])
    counts = feedback.send_invitations(None, survey, [anna, bob], subject="Two minutes?")
    assert counts == {"sent": 1, "suppressed": 1, "failed": 0}
    assert inbox.recipients == ["anna@example.test"]
    assert SurveyInvitation.objects.get(party=bob).send_status == "suppressed"
    message = inbox.to("anna@example.test")[0]
    assert message["List-Unsubscribe"]
    path = _link(message, "s")

    client = Client(enforce_csrf_checks=True)
    page = client.get(path)
    assert page.status_code == 200
    assert b"<script>alert(1)</script>" not in page.content  # the question is escaped
    assert b"&lt;script&gt;" in page.content
    token = client.cookies["csrftoken"].value

    assert client.post(path, {"score": "9", "comment": "Great"}).status_code == 403  # no CSRF token
    assert SurveyResponse.objects.count() == 0

    bad = client.post(path, {"score": "11", "csrfmiddlewaretoken": token})
    assert bad.status_code == 422 and SurveyResponse.objects.count() == 0

    done = client.post(path, {"score": "9", "comment": "<b>Great</b>", "csrfmiddlewaretoken": token})
    assert done.status_code == 200 and b"Thank you" in done.content
    response = SurveyResponse.objects.get()
    assert (response.party, response.score, response.comment, response.kind) == (anna, 9, "<b>Great</b>", "nps")
    assert SurveyInvitation.objects.get(party=anna).answered_at is not None

    again = client.post(path, {"score": "0", "csrfmiddlewaretoken": token})
    assert again.status_code == 200 and b"Already answered" in again.content
    assert client.get(path).content.count(b"Already answered") == 1
    assert SurveyResponse.objects.count() == 1 and SurveyResponse.objects.get().score == 9

    forged = path[:-3] + ("x" if path[-3] != "x" else "y") + path[-2:]
    assert client.get(forged).status_code == 404
    with pytest.raises(feedback.AlreadyAnswered):
        feedback.answer(path.split("/")[2], score=5)


def test_survey_scores_are_validated_per_kind() -> None:
    csat = feedback.create_survey(None, name="CSAT", kind="csat", question="Happy?")
    party = _party("A")
    for bad in (0, 6, "x", True):
        with pytest.raises(feedback.FeedbackError, match="score"):
            feedback.record_response(None, survey=csat, party=party, score=bad)
    assert feedback.record_response(None, survey=csat, party=party, score="5").score == 5
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyResponse.objects.create(survey=csat, kind="csat", score=0, answered_at=GIVEN)
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyResponse.objects.create(survey=csat, kind="nps", score=11, answered_at=GIVEN)


class _Gateway(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []
    status = 200

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers["Content-Length"])
        _Gateway.received.append(
            {"auth": self.headers.get("Authorization"), "body": json.loads(self.rfile.read(length))}
        )
        self.send_response(_Gateway.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"id": f"m{len(_Gateway.received)}"}).encode())

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def gateway_url() -> Iterator[str]:
    _Gateway.received, _Gateway.status = [], 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sms"
    finally:
        server.shutdown()
        server.server_close()


def test_sms_campaign_through_the_http_gateway(gateway_url: str, settings) -> None:  # type: ignore[no-untyped-def]
    settings.PUBLIC_URL = PUBLIC
    campaign = Campaign.objects.create(
        name="SMS win-back", kind="win_back", channel="sms", starts_on=date(2026, 11, 23),
        message_channel="sms", message_body="{{ name }}: come back for 20% off.",
    )
    ok = _party("A", consents=[("marketing", "sms", True)])
    email_only = _party("B", consents=[("marketing", "email", True)])
    for party in (ok, email_only):
        CampaignMember.objects.create(campaign=campaign, party=party)
    gateway = HttpJsonGateway(gateway_url, token="secret-token", sender="Shop")
    summary = sending.send_campaign(campaign, gateway=gateway)
    assert (summary.sent, summary.suppressed) == (1, 1)
    (call,) = _Gateway.received
    assert call["auth"] == "Bearer secret-token"
    assert call["body"]["to"] == "+48500100200" and call["body"]["from"] == "Shop"
    assert call["body"]["text"].startswith("Customer A: come back for 20% off. Stop: " + PUBLIC + "/u/")

    _Gateway.status = 503
    with pytest.raises(SmsError, match="503"):
        gateway.send("+48500100200", "hi")
    summary = sending.send_campaign(campaign, gateway=gateway, resend=True)
    assert summary.failed == 1
    assert _status(campaign)["A"] == ("failed", "gateway answered HTTP 503")
    with pytest.raises(SmsError, match="unreachable"):
        HttpJsonGateway(f"http://127.0.0.1:{_free_port()}/", timeout=2).send("1", "x")


def test_a_member_claimed_by_a_running_send_is_skipped_and_a_stale_claim_retaken(
    inbox: SmtpInbox, campaign: Campaign
) -> None:
    from django.utils import timezone

    _members(campaign)
    member = CampaignMember.objects.get(campaign=campaign, party__ref="A")
    CampaignMember.objects.filter(pk=member.pk).update(send_status="sending", status_at=timezone.now())
    summary = sending.send_campaign(campaign)
    assert inbox.to("anna@example.test") == []
    assert summary.sent == 0 and summary.skipped == 1
    assert _status(campaign)["A"][0] == "sending"

    # A claim left by a send that died long ago is taken again.
    CampaignMember.objects.filter(pk=member.pk).update(
        status_at=timezone.now() - sending.STALE_CLAIM - timedelta(minutes=1))
    summary = sending.send_campaign(campaign)
    assert summary.sent == 1 and len(inbox.to("anna@example.test")) == 1
    assert _status(campaign)["A"][0] == "sent"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sends_of_one_campaign_at_once_mail_each_member_once(inbox: SmtpInbox) -> None:
    """Two processes pressing "send" together (threads with their own connections here):
    every consenting member gets exactly one mail, whoever sent it."""
    from django.db import connections

    campaign = Campaign.objects.create(
        name="Flash sale", kind="retention", channel="email", starts_on=date(2026, 11, 23),
        message_channel="email", message_subject="Today only", message_body="Hello {{ name }}")
    for i in range(60):
        party = _party(f"P{i:02d}", email_address=f"p{i:02d}@example.test",
                       consents=[("marketing", "email", True)])
        CampaignMember.objects.create(campaign=campaign, party=party)
    barrier = threading.Barrier(2)
    summaries: list[sending.SendSummary] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            summaries.append(sending.send_campaign(Campaign.objects.get(pk=campaign.pk)))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert sorted(inbox.recipients) == [f"p{i:02d}@example.test" for i in range(60)]
    assert sum(s.sent for s in summaries) == 60
    assert set(_status(campaign).values()) == {("sent", "")}


def _consenting_members(campaign: Campaign, n: int) -> None:
    for i in range(n):
        party = _party(f"ST{i:02d}", email_address=f"st{i}@example.test", consents=[("marketing", "email", True)])
        CampaignMember.objects.create(campaign=campaign, party=party)


def test_a_stop_requested_during_a_send_ends_it_before_the_next_member(inbox: SmtpInbox, campaign: Campaign) -> None:
    _consenting_members(campaign, 6)
    processed: list[str] = []

    def after_member(status: str) -> None:
        processed.append(status)
        if len(processed) == 2:
            assert sending.request_stop(campaign) == 4  # still queued
    summary = sending.send_campaign(campaign, on_member=after_member)
    assert summary.stopped and summary.sent == 2
    assert len(inbox.messages) == 2
    statuses = list(CampaignMember.objects.filter(campaign=campaign).order_by("id").values_list("send_status", flat=True))
    assert statuses == ["sent"] * 2 + ["queued"] * 4
    # The next send takes up the members left queued; the old stop no longer applies.
    again = sending.send_campaign(campaign)
    assert not again.stopped and (again.sent, again.skipped) == (4, 2)
    assert sorted(inbox.recipients) == sorted(f"st{i}@example.test" for i in range(6))
    assert Campaign.objects.get(pk=campaign.pk).send_stop_requested_at is None  # cleared by the unstopped send


def test_a_stop_asked_for_before_the_send_began_does_not_stop_it(inbox: SmtpInbox, campaign: Campaign) -> None:
    _consenting_members(campaign, 3)
    sending.request_stop(campaign)
    summary = sending.send_campaign(campaign)
    assert not summary.stopped and summary.sent == 3
    # ... unless the send was asked for before the stop (a background send passes that time).
    Campaign.objects.filter(pk=campaign.pk).update(send_stop_requested_at=None)
    asked = datetime.now(UTC)
    sending.request_stop(campaign)
    late = sending.send_campaign(campaign, resend=True, since=asked)
    assert late.stopped and late.sent == 0
