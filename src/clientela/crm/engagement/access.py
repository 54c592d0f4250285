"""Fetch interactions, campaigns, campaign members and segments for a user, or refuse.

Interactions belong to a party and are visible when their party is. Campaigns have no
owner: the role's operations decide. A membership is visible when both its campaign
and its party are. Segments are shared like campaigns: the role's operations decide
(the owner is who saved it); their members are read through the party scope.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from clientela.crm.accounts.permissions import Op, can, first_or_refuse, require, scope_queryset
from clientela.crm.engagement.models import Campaign, CampaignMember, Interaction, Segment
from clientela.crm.errors import RecordNotFound


def visible_interactions(user: Any) -> QuerySet[Interaction]:
    if not can(user, "interaction", "view"):
        return Interaction.objects.none()
    return scope_queryset(
        user, Interaction.objects.all(), owner_field="party__owner", team_field="party__team"
    )


def access_interaction_by_id(user: Any, interaction_id: int, *, op: Op = "view") -> Interaction:
    return first_or_refuse(user, visible_interactions(user), interaction_id, entity="interaction", op=op)


def visible_campaigns(user: Any) -> QuerySet[Campaign]:
    return Campaign.objects.all() if can(user, "campaign", "view") else Campaign.objects.none()


def check_campaign_create(user: Any) -> None:
    require(user, "campaign", "create")


def access_campaign_by_id(user: Any, campaign_id: int, *, op: Op = "view") -> Campaign:
    return first_or_refuse(user, visible_campaigns(user), campaign_id, entity="campaign", op=op)


def access_campaign_for_members(user: Any, campaign_id: int, *, op: Op) -> Campaign:
    """The campaign whose members a user lists (view) or adds to (create)."""
    if not can(user, "campaign_member", "view"):
        raise RecordNotFound("campaign member")
    campaign = first_or_refuse(user, visible_campaigns(user), campaign_id, entity="campaign")
    require(user, "campaign_member", op)
    return campaign


def visible_members(user: Any) -> QuerySet[CampaignMember]:
    if not (can(user, "campaign_member", "view") and can(user, "campaign", "view")):
        return CampaignMember.objects.none()
    return scope_queryset(
        user, CampaignMember.objects.all(), owner_field="party__owner", team_field="party__team"
    )


def access_member_by_id(user: Any, member_id: int, *, op: Op = "view") -> CampaignMember:
    return first_or_refuse(user, visible_members(user), member_id, entity="campaign_member", op=op)


def visible_segments(user: Any) -> QuerySet[Segment]:
    return Segment.objects.all() if can(user, "segment", "view") else Segment.objects.none()


def check_segment_create(user: Any) -> None:
    require(user, "segment", "create")


def access_segment_by_id(user: Any, segment_id: int, *, op: Op = "view") -> Segment:
    return first_or_refuse(user, visible_segments(user), segment_id, entity="segment", op=op)


def check_campaign_from_segment(user: Any) -> None:
    """Making a campaign from a segment creates the campaign and its members."""
    check_campaign_create(user)
    require(user, "campaign_member", "create")
