"""Every write to interactions, campaigns and campaign members.

(Campaign sending lives in ``engagement.sending``.)
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction

from clientela.crm.audit.actions import created, deleted, diff, field_values, record_change
from clientela.crm.engagement.models import Campaign, CampaignMember, Interaction, Segment
from clientela.crm.engagement.segments import parse_definition, segment_scores
from clientela.crm.errors import Conflict, InvalidInput
from clientela.crm.experiments.assignment import assign, experiment_for
from clientela.crm.experiments.models import DEFAULT_CONTROL_SHARE
from clientela.crm.parties.models import Party
from clientela.crm.record_writes import create_recorded, delete_recorded, update_recorded
from clientela.crm.scoring.models import ModelRun
from clientela.crm.validation import only_fields, validate_instance

INTERACTION_FIELDS = ("channel", "direction", "occurred_at", "subject", "notes", "cost")
CAMPAIGN_FIELDS = ("name", "kind", "channel", "budget", "spend", "currency", "starts_on", "ends_on")
MEMBER_FIELDS = ("sent_at", "responded_at", "converting_order_id")
SEGMENT_FIELDS = ("name", "definition")
SEGMENT_CAMPAIGN_FIELDS = (
    "name", "kind", "budget", "currency", "starts_on", "ends_on",
    "message_channel", "message_subject", "message_body",
)
MEMBER_BATCH = 2000


@transaction.atomic
def create_interaction(actor: Any, party: Party, data: Mapping[str, Any]) -> Interaction:
    """Log an interaction with ``party``; the actor is its user."""
    interaction = Interaction(party=party, user_id=getattr(actor, "pk", None), **only_fields(data, INTERACTION_FIELDS))
    return create_recorded(actor, interaction, entity="interaction", fields=INTERACTION_FIELDS, party_id=party.pk)


@transaction.atomic
def update_interaction(actor: Any, interaction: Interaction, changes: Mapping[str, Any]) -> Interaction:
    return update_recorded(
        actor, interaction, changes, entity="interaction", fields=INTERACTION_FIELDS, party_id=interaction.party_id,
    )


@transaction.atomic
def delete_interaction(actor: Any, interaction: Interaction) -> None:
    delete_recorded(actor, interaction, entity="interaction", fields=INTERACTION_FIELDS, party_id=interaction.party_id)


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
    experiment = _experiment_of_campaign(campaign)
    if experiment is not None:  # a campaign with a control group: the new member is drawn too
        assign(experiment, [party.pk])
    record_change(
        actor, entity="campaign_member", object_id=member.pk, action="create",
        changes=created({"campaign_id": campaign.pk} | field_values(member, MEMBER_FIELDS)),
        party_id=party.pk,
    )
    return member


@transaction.atomic
def update_member(actor: Any, member: CampaignMember, changes: Mapping[str, Any]) -> CampaignMember:
    return update_recorded(
        actor, member, changes, entity="campaign_member", fields=MEMBER_FIELDS, party_id=member.party_id,
    )


@transaction.atomic
def remove_member(actor: Any, member: CampaignMember) -> None:
    member_id, party_id, campaign_id = member.pk, member.party_id, member.campaign_id
    member.delete()
    record_change(
        actor, entity="campaign_member", object_id=member_id, action="delete",
        changes={"campaign_id": (campaign_id, None)}, party_id=party_id,
    )


def _segment_values(segment: Segment) -> dict[str, Any]:
    return {"name": segment.name, "definition": segment.definition}


@transaction.atomic
def create_segment(actor: Any, data: Mapping[str, Any]) -> Segment:
    """Save a segment; ``definition`` is checked by ``segments.parse_definition``."""
    values = only_fields(data, SEGMENT_FIELDS)
    definition = parse_definition(values.get("definition") or {})
    segment = Segment(name=str(values.get("name", "")).strip(), definition=definition.as_json(),
                      owner_id=getattr(actor, "pk", None))
    validate_instance(segment, exclude=("owner",))
    segment.save()
    record_change(actor, entity="segment", object_id=segment.pk, action="create",
                  changes=created(_segment_values(segment)))
    return segment


@transaction.atomic
def update_segment(actor: Any, segment: Segment, changes: Mapping[str, Any]) -> Segment:
    before = _segment_values(segment)
    values = only_fields(changes, SEGMENT_FIELDS)
    if "name" in values:
        segment.name = str(values["name"]).strip()
    if "definition" in values:
        segment.definition = parse_definition(values["definition"] or {}).as_json()
    validate_instance(segment, exclude=("owner",))
    segment.save()
    changed = diff(before, _segment_values(segment))
    if changed:
        record_change(actor, entity="segment", object_id=segment.pk, action="update", changes=changed)
    return segment


@transaction.atomic
def delete_segment(actor: Any, segment: Segment) -> None:
    before, segment_id = _segment_values(segment), segment.pk
    segment.delete()
    record_change(actor, entity="segment", object_id=segment_id, action="delete", changes=deleted(before))


def _experiment_of_campaign(campaign: Campaign) -> Any:
    from clientela.crm.experiments.queries import experiment_of

    return experiment_of("campaign", campaign.pk)


def _control_share(data: Mapping[str, Any]) -> Decimal:
    raw = data.get("control_share")
    if raw is None or raw == "":
        return DEFAULT_CONTROL_SHARE
    try:
        share = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise InvalidInput({"control_share": "must be a number between 0 and 0.5"}) from None
    if not share.is_finite() or not Decimal("0") <= share <= Decimal("0.5"):
        raise InvalidInput({"control_share": "must be between 0 and 0.5"})
    return share


@transaction.atomic
def create_campaign_from_segment(
    actor: Any, segment: Segment, data: Mapping[str, Any], *, run: ModelRun | None
) -> Campaign:
    """A campaign whose members are the segment's customers now (those ``actor`` may see).

    The members are a snapshot: later runs do not change them. Consent is not checked
    here but at sending (``engagement.sending``), where members without an active
    marketing consent on the channel are suppressed.

    A control group is held out by default: ``control_share`` (default 10 %, 0 for none)
    of each value tier is drawn at random (``experiments.assignment``) and never sent to;
    members in the global holdout are never sent to either. The outcome report compares
    the treated members with the control group.
    """
    if run is None:
        raise InvalidInput({"segment": "there is no scoring run yet, so the segment has no members"})
    share = _control_share(data)
    values = only_fields({k: v for k, v in data.items() if k != "control_share"}, SEGMENT_CAMPAIGN_FIELDS)
    campaign = Campaign(segment=segment, **values)
    campaign.channel = campaign.message_channel
    validate_instance(campaign, exclude=("segment",))
    campaign.save()
    members = (
        segment_scores(actor, parse_definition(segment.definition), run)
        .order_by("party_id").values_list("party_id", flat=True)
    )
    added, last = 0, 0
    while True:  # keyset pages: no cursor held open while inserting
        party_ids = list(members.filter(party_id__gt=last)[:MEMBER_BATCH])
        if not party_ids:
            break
        CampaignMember.objects.bulk_create(
            [CampaignMember(campaign=campaign, party_id=party_id) for party_id in party_ids]
        )
        added, last = added + len(party_ids), party_ids[-1]
    record_change(
        actor, entity="campaign", object_id=campaign.pk, action="create",
        changes=created(field_values(campaign, (*CAMPAIGN_FIELDS, "message_channel", "message_subject"))
                        | {"segment_id": segment.pk, "members": added, "run_id": run.pk,
                           "control_share": share}),
    )
    if share > 0:
        experiment = experiment_for("campaign", campaign.pk, user=actor, name=campaign.name, control_share=share)
        assign(experiment, campaign.members.values_list("party_id", flat=True))
    return campaign
