"""``clientela campaign list``, ``send`` and ``stop``: the web page's sending from the command line,
through a real SMTP server on loopback, with clear errors for a wrong id or an
incomplete message."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from click.testing import CliRunner

from clientela.cli.main import main
from clientela.crm.engagement.models import Campaign, CampaignMember
from clientela.crm.parties.models import Consent, Party
from clientela_test_support import SmtpInbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign() -> Campaign:
    campaign = Campaign.objects.create(
        name="Autumn", kind="retention", channel="email", message_channel="email",
        starts_on=date(2026, 10, 1), message_subject="Hello again", message_body="Dear {{ name }}.",
    )
    for i in range(5):
        party = Party.objects.create(ref=f"CLI{i}", name=f"Client {i}", email=f"c{i}@example.test", is_customer=True)
        if i % 2 == 0:
            Consent.objects.create(party=party, purpose="marketing", channel="email", lawful_basis="consent",
                                   source="test", given_at=datetime(2026, 1, 1, tzinfo=UTC))
        CampaignMember.objects.create(campaign=campaign, party=party)
    return campaign


def test_send_from_the_command_line(campaign: Campaign, inbox: SmtpInbox) -> None:
    runner = CliRunner()
    listing = runner.invoke(main, ["campaign", "list"])
    assert listing.exit_code == 0 and "Autumn" in listing.output and " 5 " in listing.output
    result = runner.invoke(main, ["campaign", "send", str(campaign.pk), "--yes"])
    assert result.exit_code == 0, result.output
    assert "Sent 3; suppressed for lack of consent 2; failed 0; skipped 0." in result.output
    assert inbox.recipients == ["c0@example.test", "c2@example.test", "c4@example.test"]
    again = runner.invoke(main, ["campaign", "send", str(campaign.pk), "--yes"])
    assert again.exit_code == 0 and "every member has been sent to already" not in again.output
    assert len(inbox.messages) == 3  # the suppressed two are processed again, nobody mailed twice


def test_refusals(campaign: Campaign) -> None:
    runner = CliRunner()
    missing = runner.invoke(main, ["campaign", "send", "999999", "--yes"])
    assert missing.exit_code != 0 and "no campaign 999999" in missing.output
    declined = runner.invoke(main, ["campaign", "send", str(campaign.pk)], input="n\n")
    assert declined.exit_code != 0 and "to 5 members?" in declined.output
    Campaign.objects.filter(pk=campaign.pk).update(message_subject="")
    incomplete = runner.invoke(main, ["campaign", "send", str(campaign.pk), "--yes"])
    assert incomplete.exit_code != 0 and "message_subject" in incomplete.output
    assert set(CampaignMember.objects.filter(campaign=campaign).values_list("send_status", flat=True)) == {"queued"}


def test_stop_from_the_command_line(campaign: Campaign, inbox: SmtpInbox) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["campaign", "stop", str(campaign.pk)])
    assert result.exit_code == 0, result.output
    assert "Stop requested for campaign" in result.output and "5 members not yet sent to stay queued" in result.output
    assert Campaign.objects.get(pk=campaign.pk).send_stop_requested_at is not None
    missing = runner.invoke(main, ["campaign", "stop", "999999"])
    assert missing.exit_code != 0 and "no campaign 999999" in missing.output
    # A stop asked for before a send began does not stop it.
    sent = runner.invoke(main, ["campaign", "send", str(campaign.pk), "--yes"])
    assert sent.exit_code == 0 and "Sent 3;" in sent.output and "Stopped" not in sent.output
