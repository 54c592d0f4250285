"""The audited writes of contacts, consents, interactions and campaign members
(``crm.record_writes``): a create records each field's first value, an update only the fields
that changed (nothing when none did), a delete the last values, each with the party;
an invalid change raises naming the field and leaves the record and the trail as they were."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from clientela.crm.accounts.models import User
from clientela.crm.audit.models import AuditEntry
from clientela.crm.engagement import actions as engagement
from clientela.crm.engagement.models import Campaign, CampaignMember
from clientela.crm.errors import InvalidInput
from clientela.crm.parties import actions as parties
from clientela.crm.parties.models import Party

pytestmark = pytest.mark.django_db

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def trail(entity: str, object_id: int) -> list[tuple[str, str, str | None, str | None]]:
    rows = AuditEntry.objects.filter(entity=entity, object_id=str(object_id)).order_by("id")
    return [(e.action, e.field, e.old, e.new) for e in rows]


@pytest.fixture
def actor() -> User:
    return User.objects.create_user(username="root", password="pw-root", role="admin")


@pytest.fixture
def org() -> Party:
    return Party.objects.create(ref="ORG1", name="Acme Sp. z o.o.", kind="organisation", is_customer=True)


def _check_lifecycle(entity: str, record: Any, update: dict[str, Any], field: str, old: str | None, new: str,
                     delete: Any, party_id: int) -> None:
    created = trail(entity, record.pk)
    assert created and {a for a, *_ in created} == {"create"}
    assert set(AuditEntry.objects.filter(entity=entity, object_id=str(record.pk)).values_list("party_id", flat=True)) == {party_id}
    before = len(created)
    update_fn, args = update["fn"], update["args"]
    update_fn(*args, {field: update["value"]})
    assert trail(entity, record.pk)[before:] == [("update", field, old, new)]
    update_fn(*args, {field: update["value"]})  # the same value again: no entry
    assert len(trail(entity, record.pk)) == before + 1
    record_id = record.pk
    delete()
    assert {a for a, *_ in trail(entity, record_id)[before + 1:]} == {"delete"}


def test_contact(actor: User, org: Party) -> None:
    contact = parties.create_contact(actor, org, {"name": "Jan Kowalski", "email": "jan@acme.example"})
    assert ("create", "name", None, "Jan Kowalski") in trail("contact", contact.pk)
    _check_lifecycle(
        "contact", contact, {"fn": parties.update_contact, "args": (actor, contact), "value": "CFO"},
        "job_title", "", "CFO", lambda: parties.delete_contact(actor, contact), org.pk,
    )


def test_consent(actor: User, org: Party) -> None:
    consent = parties.record_consent(actor, org, {
        "purpose": "marketing", "channel": "email", "lawful_basis": "consent", "source": "web form", "given_at": AT,
    })
    _check_lifecycle(
        "consent", consent, {"fn": parties.update_consent, "args": (actor, consent), "value": "phone call"},
        "source", "web form", "phone call", lambda: parties.delete_consent(actor, consent), org.pk,
    )


def test_interaction(actor: User, org: Party) -> None:
    interaction = engagement.create_interaction(actor, org, {
        "channel": "phone", "direction": "inbound", "occurred_at": AT, "subject": "Invoice question",
    })
    _check_lifecycle(
        "interaction", interaction,
        {"fn": engagement.update_interaction, "args": (actor, interaction), "value": "Invoice paid"},
        "subject", "Invoice question", "Invoice paid", lambda: engagement.delete_interaction(actor, interaction),
        org.pk,
    )


def test_member_update_and_invalid_changes_write_nothing(actor: User, org: Party) -> None:
    campaign = Campaign.objects.create(name="Spring", kind="retention", channel="email", starts_on=date(2026, 3, 1))
    member = engagement.add_member(actor, campaign, org)
    engagement.update_member(actor, member, {"sent_at": AT})
    assert [a for a, f, *_ in trail("campaign_member", member.pk) if f == "sent_at"] == ["update"]
    interaction = engagement.create_interaction(actor, org, {
        "channel": "email", "direction": "outbound", "occurred_at": AT, "subject": "Hello",
    })
    entries = AuditEntry.objects.count()
    with pytest.raises(InvalidInput) as refused:
        engagement.update_interaction(actor, interaction, {"channel": "pigeon"})
    assert "channel" in refused.value.errors
    with pytest.raises(InvalidInput) as unknown:
        parties.update_consent(actor, parties.record_consent(actor, org, {
            "purpose": "marketing", "channel": "sms", "lawful_basis": "consent", "source": "shop", "given_at": AT,
        }), {"colour": "red"})
    assert "colour" in unknown.value.errors
    interaction.refresh_from_db()
    assert interaction.channel == "email"
    assert AuditEntry.objects.count() == entries + len(trail("consent", org.consents.get(channel="sms").pk))
    assert CampaignMember.objects.get(pk=member.pk).sent_at == AT
