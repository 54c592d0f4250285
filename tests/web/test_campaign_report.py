"""The campaign page describes the send (issue 12 item 7): consent is counted as it was
when each member was sent to (a customer who unsubscribes through the campaign's own
link afterwards still counts), and each suppressed or failed member shows why, in the
reader's language."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from django.test import Client

from clientela.crm.accounts.models import User
from clientela.crm.engagement import sending, unsubscribe
from clientela.crm.engagement.models import Campaign, CampaignMember
from clientela.crm.parties.models import Consent, Party

pytestmark = pytest.mark.django_db

GIVEN = datetime(2026, 1, 5, tzinfo=UTC)


def _member(campaign: Campaign, ref: str, *, email: str, consent: bool, withdrawn: bool = False) -> Party:
    party = Party.objects.create(ref=ref, name=f"Customer {ref}", email=email)
    if consent:
        Consent.objects.create(party=party, purpose="marketing", channel="email", given_at=GIVEN,
                               withdrawn_at=datetime(2026, 2, 1, tzinfo=UTC) if withdrawn else None)
    CampaignMember.objects.create(campaign=campaign, party=party)
    return party


def _page(client: Client, campaign: Campaign, lang: str = "en") -> str:
    return client.get(f"/campaigns/{campaign.pk}/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()


def _reachable(page: str) -> int:
    match = re.search(r'data-testid="count-reachable">([^<]*)<', page)
    assert match
    return int(match.group(1))


def test_consent_is_counted_as_it_was_at_sending_and_reasons_are_shown(settings) -> None:  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    campaign = Campaign.objects.create(
        name="Winter", kind="retention", channel="email", starts_on=date(2026, 11, 23), message_channel="email",
        message_subject="We miss you", message_body="Hello {{ name }}",
    )
    anna = _member(campaign, "A", email="anna@example.test", consent=True)
    _member(campaign, "B", email="bob@example.test", consent=True, withdrawn=True)
    _member(campaign, "F", email="", consent=True)
    summary = sending.send_campaign(campaign)
    assert (summary.sent, summary.suppressed, summary.failed) == (1, 1, 1)

    client = Client()
    client.force_login(User.objects.create_user("boss", password="pw-boss-long", role="admin"))
    assert _reachable(_page(client, campaign)) == 2  # Anna and F held consent when sent to

    # Anna unsubscribes through the campaign's link the day after.
    path = unsubscribe.url(anna.pk, "marketing", "email").split("://", 1)[1]
    path = path[path.index("/"):]
    assert Client().post(path, "List-Unsubscribe=One-Click",
                         content_type="application/x-www-form-urlencoded").status_code == 200
    assert not Consent.objects.filter(party=anna, withdrawn_at__isnull=True).exists()

    page = _page(client, campaign)
    assert _reachable(page) == 2  # still what the send saw
    reasons = re.findall(r'data-testid="delivery-reason">([^<]*)<', page)
    assert "No email address" in reasons
    assert "No active marketing consent for Email" in reasons
    polish = re.findall(r'data-testid="delivery-reason">([^<]*)<', _page(client, campaign, "pl"))
    assert "Brak adresu e-mail" in polish
