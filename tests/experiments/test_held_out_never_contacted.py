"""Sending a campaign made from a segment (issue 15 item 2): the control group (10 % by
default, per value tier) and the global holdout receive nothing — a real SMTP server on
loopback counts the mail — and the campaign page shows them as held out."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from clientela.crm.engagement import sending
from clientela.crm.engagement.actions import create_campaign_from_segment, create_segment
from clientela.crm.experiments.actions import configure_holdout
from clientela.crm.experiments.models import Assignment, HoldoutMember
from clientela.crm.parties.models import Consent, Party
from clientela.crm.scoring.models import CustomerScore, ModelRun
from clientela_test_support import SmtpInbox

pytestmark = pytest.mark.django_db
GIVEN = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def customers(db: None) -> dict[str, int]:
    run = ModelRun.objects.create(started_at=GIVEN, status="succeeded", is_current=True, model_name="bgnbd",
                                  observation_end=date(2026, 1, 1), summary={"currency": "PLN"})
    out = {}
    for i in range(60):
        party = Party.objects.create(ref=f"K{i:03d}", name=f"Klient {i}", email=f"k{i}@example.test",
                                     is_customer=True)
        Consent.objects.create(party=party, purpose="marketing", channel="email", given_at=GIVEN)
        CustomerScore.objects.create(run=run, party=party, clv=Decimal(100 + 10 * i), p_alive=0.5)
        out[party.email] = party.pk
    return out


def test_control_and_holdout_members_get_no_mail(customers: dict[str, int], inbox: SmtpInbox,
                                                 make_user: Any) -> None:
    marketer = make_user("mk", "marketer")
    admin = make_user("root", "admin")
    configure_holdout(admin, enabled=True, share="0.1", seed=4)
    segment = create_segment(marketer, {"name": "Everyone", "definition": {}})
    campaign = create_campaign_from_segment(marketer, segment, {
        "name": "Win-back", "kind": "win_back", "starts_on": date(2026, 2, 1), "message_channel": "email",
        "message_subject": "We miss you", "message_body": "Hello {{ name }}",
    }, run=ModelRun.objects.get())
    control = set(Assignment.objects.filter(experiment__subject_id=campaign.pk, group="control")
                  .values_list("party_id", flat=True))
    held = set(HoldoutMember.objects.values_list("party_id", flat=True))
    assert control  # 10 % of each tier, balanced within one customer (the seed is drawn anew each run)
    for stratum in Assignment.objects.filter(experiment__subject_id=campaign.pk).values_list(
            "stratum", flat=True).distinct():
        tier = Assignment.objects.filter(experiment__subject_id=campaign.pk, stratum=stratum)
        assert abs(tier.filter(group="control").count() - 0.1 * tier.count()) <= 1, stratum
    assert held and not held & control
    summary = sending.send_campaign(campaign)
    reached = {customers[address] for address in inbox.recipients}
    assert reached == set(customers.values()) - control - held
    assert summary.sent == len(reached) and summary.held_out == len(control | held)
    page = Client()
    page.force_login(marketer)
    text = page.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert f'data-testid="count-held-out">{len(control | held)}<' in text
    # A second send (resend) still leaves them alone.
    sending.send_campaign(campaign, resend=True)
    assert not {customers[a] for a in inbox.recipients} & (control | held)


def test_no_control_group_when_the_share_is_zero(customers: dict[str, int], make_user: Any) -> None:
    marketer = make_user("mk", "marketer")
    segment = create_segment(marketer, {"name": "Everyone", "definition": {}})
    campaign = create_campaign_from_segment(marketer, segment, {
        "name": "Plain", "kind": "retention", "starts_on": date(2026, 2, 1), "message_channel": "email",
        "message_subject": "News", "message_body": "Hello", "control_share": 0,
    }, run=ModelRun.objects.get())
    assert sending.members_to_send(campaign).count() == 60
    assert not Assignment.objects.exists()
