"""Survey invitations by SMS end to end (issue 16): queued through the API as a job, the
worker texts each party holding a *surveys* consent for SMS through the HTTP gateway (a
real server on loopback), the text's link answers the survey once, and the one reminder
goes by SMS too; a party without that consent, or with an e-mail consent only, gets no
text."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from clientela.crm.accounts.api_tokens import create_token
from clientela.crm.accounts.models import User
from clientela.crm.feedback import actions as feedback
from clientela.crm.feedback.invitations import send_survey_reminders
from clientela.crm.feedback.models import SurveyInvitation, SurveyResponse
from clientela.crm.parties.models import Consent, Party
from jobs_in_process import run_jobs

pytestmark = pytest.mark.django_db

GIVEN = datetime(2026, 1, 1, tzinfo=UTC)


class _Gateway(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Gateway.received.append(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"id": f"m{len(_Gateway.received)}"}).encode())

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def gateway(settings: Any) -> Iterator[list[dict[str, Any]]]:
    _Gateway.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_address[1]}/sms"
    settings.SMS_SENDER = "Sklep"
    try:
        yield _Gateway.received
    finally:
        server.shutdown()
        server.server_close()


def _party(ref: str, phone: str, *consents: str) -> Party:
    party = Party.objects.create(ref=ref, name=f"Customer {ref}", phone=phone, email=f"{ref.lower()}@example.test",
                                 is_customer=True, language="pl")
    for channel in consents:
        Consent.objects.create(party=party, purpose="surveys", channel=channel, given_at=GIVEN)
    return party


def test_sms_invitations_respect_consent_and_the_link_answers_once(gateway: list[dict[str, Any]],
                                                                   settings: Any) -> None:
    survey = feedback.create_survey(None, name="NPS SMS", kind="nps", question="Polecisz nas?")
    texted = _party("SMS-A", "+48600100200", "sms")
    email_only = _party("SMS-B", "+48600100201", "email")
    nobody = _party("SMS-C", "+48600100202")
    no_phone = _party("SMS-D", "", "sms")
    user = User.objects.create_user(username="sms-marketer", password="pw", role="marketer")
    _, token = create_token(user, name="t")
    queued = Client().post(f"/api/v1/surveys/{survey.pk}/invitations",
                           data=json.dumps({"party_ids": [p.pk for p in (texted, email_only, nobody, no_phone)],
                                            "channel": "sms"}),
                           content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert queued.status_code == 202, queued.content
    assert gateway == []  # the request only queued
    run_jobs()
    result = json.loads(Client().get(queued["Location"], HTTP_AUTHORIZATION=f"Bearer {token}").content)["result"]
    assert result == {"sent": 1, "suppressed": 2, "failed": 1, "already_invited": 0}
    assert [(m["to"], m["from"]) for m in gateway] == [("+48600100200", "Sklep")]
    statuses = dict(SurveyInvitation.objects.values_list("party__ref", "send_status"))
    assert statuses == {"SMS-A": "sent", "SMS-B": "suppressed", "SMS-C": "suppressed", "SMS-D": "failed"}
    assert SurveyInvitation.objects.get(party=texted).channel == "sms"
    text = gateway[0]["text"]
    assert "Polecisz nas?" in text and "Odpowiedz tutaj" in text and "Rezygnacja: " in text  # her language
    link = re.search(r"https?://\S+/s/[^/\s]+/", text)
    assert link is not None, text
    page = Client().get(urlsplit(link.group(0)).path)
    assert page.status_code == 200 and page["Content-Language"] == "pl"
    assert Client().post(urlsplit(link.group(0)).path, {"score": "3", "comment": "Za drogo"}).status_code == 200
    again = Client().post(urlsplit(link.group(0)).path, {"score": "10"})
    assert again.status_code == 200 and SurveyResponse.objects.filter(survey=survey).count() == 1
    assert SurveyResponse.objects.get(survey=survey).party_id == texted.pk

    # The one reminder goes by SMS to who has not answered, consent checked again.
    other = _party("SMS-E", "+48600100203", "sms")
    feedback.invite(None, survey, other)
    SurveyInvitation.objects.filter(party=other).update(channel="sms", send_status="sent",
                                                         sent_at=timezone.now() - timedelta(days=30))
    settings.SURVEY_REMINDER_DAYS = 7
    assert send_survey_reminders(None, timezone.now())["reminded"] == 1
    assert [m["to"] for m in gateway] == ["+48600100200", "+48600100203"]
    assert send_survey_reminders(None, timezone.now())["reminded"] == 0
