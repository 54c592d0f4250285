"""Fetch interactions, campaigns, campaign members and segments for a user, or refuse.

Interactions belong to a party and are visible when their party is. Campaigns have no
owner: the role's operations decide. A membership is visible when both its campaign
and its party are. Segments are shared like campaigns: the role's operations decide
(the owner is who saved it); their members are read through the party scope.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from clientela.crm.accounts.permissions import Op, can, scope_queryset
from clientela.crm.engagement.models import Campaign, CampaignMember, Interaction, Segment
from clientela.crm.errors import NotPermitted, RecordNotFound


def visible_interactions(user: Any) -> QuerySet[Interaction]:
    if not can(user, "interaction", "view"):
        return Interaction.objects.none()
    return scope_queryset(
        user, Interaction.objects.all(), owner_field="party__owner", team_field="party__team"
    )


def access_interaction_by_id(user: Any, interaction_id: int, *, op: Op = "view") -> Interaction:
    interaction = visible_interactions(user).filter(pk=interaction_id).first()
    if interaction is None:
        raise RecordNotFound(f"interaction {interaction_id}")
    if not can(user, "interaction", op):
        raise NotPermitted(f"{user.role} may not {op} interactions")
    return interaction


def visible_campaigns(user: Any) -> QuerySet[Campaign]:
    return Campaign.objects.all() if can(user, "campaign", "view") else Campaign.objects.none()


def check_campaign_create(user: Any) -> None:
    if not can(user, "campaign", "create"):
        raise NotPermitted(f"{user.role} may not create campaigns")


def access_campaign_by_id(user: Any, campaign_id: int, *, op: Op = "view") -> Campaign:
    campaign = visible_campaigns(user).filter(pk=campaign_id).first()
    if campaign is None:
        raise RecordNotFound(f"campaign {campaign_id}")
    if not can(user, "campaign", op):
        raise NotPermitted(f"{user.role} may not {op} campaigns")
    return campaign


def access_campaign_for_members(user: Any, campaign_id: int, *, op: Op) -> Campaign:
    """The campaign whose members a user lists (view) or adds to (create)."""
    if not can(user, "campaign_member", "view"):
        raise RecordNotFound("campaign member")
    campaign = visible_campaigns(user).filter(pk=campaign_id).first()
    if campaign is None:
        raise RecordNotFound(f"campaign {campaign_id}")
    if not can(user, "campaign_member", op):
        raise NotPermitted(f"{user.role} may not {op} campaign members")
    return campaign


def visible_members(user: Any) -> QuerySet[CampaignMember]:
    if not (can(user, "campaign_member", "view") and can(user, "campaign", "view")):
        return CampaignMember.objects.none()
    return scope_queryset(
        user, CampaignMember.objects.all(), owner_field="party__owner", team_field="party__team"
    )


def access_member_by_id(user: Any, member_id: int, *, op: Op = "view") -> CampaignMember:
    member = visible_members(user).filter(pk=member_id).first()
    if member is None:
        raise RecordNotFound(f"campaign member {member_id}")
    if not can(user, "campaign_member", op):
        raise NotPermitted(f"{user.role} may not {op} campaign members")
    return member


def visible_segments(user: Any) -> QuerySet[Segment]:
    return Segment.objects.all() if can(user, "segment", "view") else Segment.objects.none()


def check_segment_create(user: Any) -> None:
    if not can(user, "segment", "create"):
        raise NotPermitted(f"{user.role} may not create segments")


def access_segment_by_id(user: Any, segment_id: int, *, op: Op = "view") -> Segment:
    segment = visible_segments(user).filter(pk=segment_id).first()
    if segment is None:
        raise RecordNotFound(f"segment {segment_id}")
    if not can(user, "segment", op):
        raise NotPermitted(f"{user.role} may not {op} segments")
    return segment


def check_campaign_from_segment(user: Any) -> None:
    """Making a campaign from a segment creates the campaign and its members."""
    check_campaign_create(user)
    if not can(user, "campaign_member", "create"):
        raise NotPermitted(f"{user.role} may not add campaign members")
