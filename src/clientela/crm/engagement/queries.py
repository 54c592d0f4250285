"""Reads of interactions, campaigns and members that pages and the API share."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from clientela.crm.engagement.access import (
    visible_campaigns,
    visible_interactions,
    visible_members,
)
from clientela.crm.engagement.models import Campaign, CampaignMember, Interaction


def list_interactions(
    user: Any,
    *,
    party_id: int | None = None,
    channel: str | None = None,
    direction: str | None = None,
    occurred_from: dt.datetime | None = None,
    occurred_to: dt.datetime | None = None,
) -> QuerySet[Interaction]:
    qs = visible_interactions(user)
    if party_id is not None:
        qs = qs.filter(party_id=party_id)
    if channel:
        qs = qs.filter(channel=channel)
    if direction:
        qs = qs.filter(direction=direction)
    if occurred_from:
        qs = qs.filter(occurred_at__gte=occurred_from)
    if occurred_to:
        qs = qs.filter(occurred_at__lt=occurred_to)
    return qs


def list_campaigns(user: Any, *, q: str | None = None, kind: str | None = None) -> QuerySet[Campaign]:
    qs = visible_campaigns(user)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(channel__icontains=q))
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def list_members(
    user: Any, *, campaign_id: int | None = None, party_id: int | None = None
) -> QuerySet[CampaignMember]:
    qs = visible_members(user)
    if campaign_id is not None:
        qs = qs.filter(campaign_id=campaign_id)
    if party_id is not None:
        qs = qs.filter(party_id=party_id)
    return qs
