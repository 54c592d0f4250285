"""Campaign messages (issue 20): merge fields substituted without a template engine
(F13) and subjects that cannot carry a line break (F11), through the model check, the
web form, the API send and a real SMTP server on loopback."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from email.message import Message
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from clientela.crm.accounts.api_tokens import create_token
from clientela.crm.accounts.models import User
from clientela.crm.engagement import merge_fields, sending
from clientela.crm.engagement.actions import create_segment
from clientela.crm.engagement.models import Campaign, CampaignMember, SendStatus
from clientela.crm.parties.models import Consent, Party
from clientela_test_support import SmtpInbox

pytestmark = pytest.mark.django_db

GIVEN = datetime(2026, 1, 1, tzinfo=UTC)


def _campaign(**message: str) -> Campaign:
    """A campaign saved as it could be before its message was checked (no clean())."""
    values = {"message_subject": "Hello", "message_body": "Hi {{ first_name }}"} | message
    return Campaign.objects.create(name="C", kind="retention", channel="email", starts_on=date(2026, 11, 23),
                                   message_channel="email", **values)


def _member(campaign: Campaign, name: str = "Żaneta Łukasiewicz-Górecka") -> CampaignMember:
    party = Party.objects.create(ref=f"M-{Party.objects.count()}", name=name, email="zaneta@example.test")
    Consent.objects.create(party=party, purpose="marketing", channel="email", given_at=GIVEN)
    return CampaignMember.objects.create(campaign=campaign, party=party)


# -- the substitution ---------------------------------------------------------------------
def test_fields_are_substituted_once_and_nothing_else_runs() -> None:
    values = merge_fields.recipient_values("Jan {{ name }} Kowalski")
    assert values == {"name": "Jan {{ name }} Kowalski", "first_name": "Jan", "last_name": "Kowalski"}
    text = "Dear {{first_name}} {{  last_name }}, {{ name }}! {% load x %} {{ name.__class__ }} {{ x }}"
    assert merge_fields.render(text, values) == (
        "Dear Jan Kowalski, Jan {{ name }} Kowalski! {% load x %}  ")
    assert merge_fields.render("{{ first_name }}", merge_fields.recipient_values("Acme")) == "Acme"
    assert merge_fields.render("{{ last_name }}", merge_fields.recipient_values("Acme")) == ""


def test_cost_is_linear_in_the_message() -> None:
    body = "{% for a in b %}{% for c in d %}{% lorem 9999 w %}{{ name }}" * 20_000
    started = time.monotonic()
    rendered = merge_fields.render(body, merge_fields.recipient_values("Ann Lee"))
    assert time.monotonic() - started < 2 and rendered.count("Ann Lee") == 20_000


def test_unknown_fields_and_tags_are_named() -> None:
    assert merge_fields.unknown_fields("{{ name }} {{ nme }} {{ x.y }} {{ nme }}") == ["nme", "x.y"]
    assert merge_fields.body_problem("{{ name }} and {{ first_name }}") is None
    assert merge_fields.body_problem("Hi {{ nme }}") == (
        "Unknown field {{ nme }}; the fields are {{ name }}, {{ first_name }}, {{ last_name }}.")
    assert "{% load x %}" in merge_fields.body_problem("{% load x %}")  # type: ignore[operator]
    assert merge_fields.subject_problem("Hi\r\nBcc: all@example.test") == (
        "A subject is one line: remove the line break.")
    assert merge_fields.subject_problem("Hi\u2028there") is not None
    assert merge_fields.subject_problem("{{ name }} here") is None  # sent as written


# -- the check when a campaign is saved ---------------------------------------------------
def test_the_model_check_names_each_field() -> None:
    campaign = Campaign(name="C", kind="retention", channel="email", starts_on=date(2026, 11, 23),
                        message_channel="email", message_subject="A\nB", message_body="{{ name.__class__ }}")
    with pytest.raises(ValidationError) as refused:
        campaign.full_clean()
    assert set(refused.value.message_dict) == {"message_subject", "message_body"}
    assert "{{ name.__class__ }}" in refused.value.message_dict["message_body"][0]


@pytest.fixture
def marketer_client() -> Client:
    user = User.objects.create_user(username="mk", password="pw-mk", role="admin")
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(("lang", "words"), [("en", "Unknown field"), ("pl", "Nieznane pole"),
                                             ("ru", "Неизвестное поле")])
def test_the_web_form_refuses_unknown_fields_and_a_two_line_subject(
    marketer_client: Client, lang: str, words: str
) -> None:
    segment = create_segment(None, {"name": "All", "definition": {}})
    response = marketer_client.post(f"/segments/{segment.pk}/campaign/", {
        "name": "Bad", "kind": "retention", "message_channel": "email", "starts_on": "2026-11-23",
        "message_subject": "Hi\r\nBcc: everyone@example.test", "message_body": "Hello {{ nme }}",
    }, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 422
    page = response.content.decode()
    assert words in page and "{{ nme }}" in page
    assert not Campaign.objects.exists()


# -- sending a campaign saved before the check --------------------------------------------
def test_a_subject_with_a_line_break_is_refused_before_any_member(inbox: SmtpInbox) -> None:
    campaign = _campaign(message_subject="Hi\r\nBcc: everyone@example.test")
    member = _member(campaign)
    with pytest.raises(sending.SendingError, match="message_subject"):
        sending.send_campaign(campaign)
    member.refresh_from_db()
    assert member.send_status != SendStatus.SENDING and not inbox.messages
    Campaign.objects.filter(pk=campaign.pk).update(message_subject="Hi")
    campaign.refresh_from_db()
    summary = sending.send_campaign(campaign)
    assert (summary.sent, summary.skipped) == (1, 0)


def test_the_api_send_names_the_bad_field() -> None:
    campaign = _campaign(message_body="Hi {{ name.__class__ }}")
    _member(campaign)
    _, token = create_token(User.objects.create(username="api", role="admin"), name="t")
    response = Client().post(f"/api/v1/campaigns/{campaign.pk}/send", "{}", content_type="application/json",
                             HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 422 and "message_body" in response.json()["errors"]
    assert not CampaignMember.objects.filter(send_status=SendStatus.SENDING).exists()


def test_the_mail_carries_the_fields(inbox: SmtpInbox) -> None:
    campaign = _campaign(message_body="Dzień dobry {{ first_name }}, {{ name }}.")
    _member(campaign)
    assert sending.send_campaign(campaign).sent == 1
    message: Message = inbox.messages[0][1]
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    assert "Dzień dobry Żaneta, Żaneta Łukasiewicz-Górecka." in payload.decode("utf-8")


def test_a_failure_while_sending_never_leaves_a_member_claimed(
    inbox: SmtpInbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    campaign = _campaign()
    first, second = _member(campaign, "Ann Lee"), _member(campaign, "Bob Roe")

    def broken(*_args: Any, **_kw: Any) -> None:  # stands for any bug below the send loop
        raise RuntimeError("boom")

    monkeypatch.setattr(sending.smtp_delivery, "deliver", broken)  # where a campaign mail leaves
    with pytest.raises(RuntimeError):
        sending.send_campaign(campaign)
    first.refresh_from_db()
    assert first.send_status == SendStatus.FAILED and "RuntimeError" in first.send_reason
    monkeypatch.undo()
    summary = sending.send_campaign(campaign)
    assert (summary.sent, summary.skipped) == (2, 0)
    assert {m.send_status for m in CampaignMember.objects.filter(pk__in=[first.pk, second.pk])} == {"sent"}


def test_survey_invitations_check_their_subject_and_fields_before_the_first(inbox: SmtpInbox) -> None:
    from clientela.crm.errors import InvalidInput
    from clientela.crm.feedback import actions as feedback
    from clientela.crm.feedback.models import Survey, SurveyInvitation

    survey = Survey.objects.create(name="NPS", kind="nps", question="How likely …?")
    party = Party.objects.create(ref="S-1", name="Ann Lee", email="ann@example.test")
    Consent.objects.create(party=party, purpose="surveys", channel="email", given_at=GIVEN)
    with pytest.raises(InvalidInput) as refused:
        feedback.send_invitations(None, survey, [party], subject="Hi\nBcc: x@example.test", body="{{ nme }}")
    assert set(refused.value.errors) == {"subject", "body"}
    assert not SurveyInvitation.objects.exists() and not inbox.messages
    sent = feedback.send_invitations(None, survey, [party], subject="Hi", body="{{ first_name }}: {{ question }}")
    assert sent["sent"] == 1
    payload = inbox.messages[0][1].get_payload(decode=True)
    assert "Ann: How likely …?" in payload.decode("utf-8")
