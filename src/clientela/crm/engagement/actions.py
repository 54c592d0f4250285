"""Every write to interactions, campaigns and campaign members.

(Campaign sending lives in ``engagement.sending``.)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction

from clientela.crm.audit.actions import created, deleted, diff, field_values, record_change
from clientela.crm.engagement.models import Campaign, CampaignMember, Interaction
from clientela.crm.errors import Conflict
from clientela.crm.parties.models import Party
from clientela.crm.validation import only_fields, validate_instance

INTERACTION_FIELDS = ("channel", "direction", "occurred_at", "subject", "notes", "cost")
CAMPAIGN_FIELDS = ("name", "kind", "channel", "budget", "spend", "currency", "starts_on", "ends_on")
MEMBER_FIELDS = ("sent_at", "responded_at", "converting_order_id")


@transaction.atomic
def create_interaction(actor: Any, party: Party, data: Mapping[str, Any]) -> Interaction:
    """Log an interaction with ``party``; the actor is its user."""
    interaction = Interaction(party=party, user_id=getattr(actor, "pk", None), **only_fields(data, INTERACTION_FIELDS))
    validate_instance(interaction)
    interaction.save()
    interaction.refresh_from_db()
    record_change(
        actor, entity="interaction", object_id=interaction.pk, action="create",
        changes=created(field_values(interaction, INTERACTION_FIELDS)), party_id=party.pk,
    )
    return interaction


@transaction.atomic
def update_interaction(actor: Any, interaction: Interaction, changes: Mapping[str, Any]) -> Interaction:
    before = field_values(interaction, INTERACTION_FIELDS)
    for name, value in only_fields(changes, INTERACTION_FIELDS).items():
        setattr(interaction, name, value)
    validate_instance(interaction)
    interaction.save()
    interaction.refresh_from_db()
    changed = diff(before, field_values(interaction, INTERACTION_FIELDS))
    if changed:
        record_change(
            actor, entity="interaction", object_id=interaction.pk, action="update",
            changes=changed, party_id=interaction.party_id,
        )
    return interaction


@transaction.atomic
def delete_interaction(actor: Any, interaction: Interaction) -> None:
    before = field_values(interaction, INTERACTION_FIELDS)
    interaction_id, party_id = interaction.pk, interaction.party_id
    interaction.delete()
    record_change(
        actor, entity="interaction", object_id=interaction_id, action="delete",
        changes=deleted(before), party_id=party_id,
    )


@transaction.atomic
def create_campaign(actor: Any, data: Mapping[str, Any]) -> Campaign:
    campaign = Campaign(**only_fields(data, CAMPAIGN_FIELDS))
    validate_instance(campaign)
    campaign.save()
    campaign.refresh_from_db()
    return campaign


@transaction.atomic
def update_campaign(actor: Any, campaign: Campaign, changes: Mapping[str, Any]) -> Campaign:
    for name, value in only_fields(changes, CAMPAIGN_FIELDS).items():
        setattr(campaign, name, value)
    validate_instance(campaign)
    campaign.save()
    campaign.refresh_from_db()
    return campaign


@transaction.atomic
def delete_campaign(actor: Any, campaign: Campaign) -> None:
    campaign.delete()


@transaction.atomic
def add_member(actor: Any, campaign: Campaign, party: Party, data: Mapping[str, Any] | None = None) -> CampaignMember:
    member = CampaignMember(campaign=campaign, party=party, **only_fields(data or {}, MEMBER_FIELDS))
    validate_instance(member, exclude=("campaign", "party"))
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        raise Conflict("party: already a member of this campaign") from None
    member.refresh_from_db()
    record_change(
        actor, entity="campaign_member", object_id=member.pk, action="create",
        changes=created({"campaign_id": campaign.pk} | field_values(member, MEMBER_FIELDS)),
        party_id=party.pk,
    )
    return member


@transaction.atomic
def update_member(actor: Any, member: CampaignMember, changes: Mapping[str, Any]) -> CampaignMember:
    before = field_values(member, MEMBER_FIELDS)
    for name, value in only_fields(changes, MEMBER_FIELDS).items():
        setattr(member, name, value)
    validate_instance(member)
    member.save()
    member.refresh_from_db()
    changed = diff(before, field_values(member, MEMBER_FIELDS))
    if changed:
        record_change(
            actor, entity="campaign_member", object_id=member.pk, action="update",
            changes=changed, party_id=member.party_id,
        )
    return member


@transaction.atomic
def remove_member(actor: Any, member: CampaignMember) -> None:
    member_id, party_id, campaign_id = member.pk, member.party_id, member.campaign_id
    member.delete()
    record_change(
        actor, entity="campaign_member", object_id=member_id, action="delete",
        changes={"campaign_id": (campaign_id, None)}, party_id=party_id,
    )
