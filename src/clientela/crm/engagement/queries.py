"""Reads of interactions, campaigns and members that pages and the API share."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, Count, DateTimeField, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from clientela.crm.engagement.access import (
    visible_campaigns,
    visible_interactions,
    visible_members,
)
from clientela.crm.engagement.models import Campaign, CampaignMember, Interaction, SendStatus
from clientela.crm.parties.models import Consent, ConsentPurpose
from clientela.crm.query_filters import filter_given


def list_interactions(
    user: Any,
    *,
    party_id: int | None = None,
    channel: str | None = None,
    direction: str | None = None,
    occurred_from: dt.datetime | None = None,
    occurred_to: dt.datetime | None = None,
) -> QuerySet[Interaction]:
    return filter_given(visible_interactions(user), party_id=party_id, channel=channel, direction=direction,
                        occurred_at__gte=occurred_from, occurred_at__lt=occurred_to)


def list_campaigns(user: Any, *, q: str | None = None, kind: str | None = None) -> QuerySet[Campaign]:
    qs = visible_campaigns(user)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(channel__icontains=q))
    return filter_given(qs, kind=kind)


def list_members(
    user: Any, *, campaign_id: int | None = None, party_id: int | None = None
) -> QuerySet[CampaignMember]:
    return filter_given(visible_members(user), campaign_id=campaign_id, party_id=party_id)


def member_status_counts(user: Any, campaign: Campaign) -> dict[str, int]:
    """How many of the campaign's members the user may see are in each send status (one query)."""
    rows = (
        visible_members(user).filter(campaign=campaign).order_by()
        .values("send_status").annotate(n=Count("id")).values_list("send_status", "n")
    )
    return dict(rows)


def members_with_consent(user: Any, campaign: Campaign) -> int:
    """Visible members who held an active marketing consent on the campaign's channel
    when they were sent to (or suppressed, or failed), and, for members still queued, who
    hold one now (whom sending would reach; the rule of ``engagement.sending.has_consent``).
    A customer who unsubscribes through the campaign's own link still counts: the count
    describes the send, not today (issue 12 item 7). Members held out (the control group,
    the global holdout: ``experiments``) are never reached, so never counted."""
    from clientela.crm.experiments.queries import held_back

    members = visible_members(user).filter(campaign=campaign).exclude(held_back("campaign", campaign.pk)).annotate(
        consent_at=Case(
            When(send_status=SendStatus.QUEUED, then=Value(timezone.now())),
            default=Coalesce("sent_at", "status_at", Value(timezone.now())),
            output_field=DateTimeField(),
        )
    )
    consent = Consent.objects.filter(
        party_id=OuterRef("party_id"), purpose=ConsentPurpose.MARKETING, channel=campaign.message_channel,
        given_at__lte=OuterRef("consent_at"),
    ).filter(Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=OuterRef("consent_at")))
    return members.filter(Exists(consent)).count()


def campaigns_with_send_counts() -> QuerySet[Campaign]:
    """Every campaign, newest first, annotated with its members (``members_n``) and those
    queued (``queued_n``) and sent (``sent_n``): one aggregate, for operators (the CLI),
    not scoped to a user."""
    return Campaign.objects.annotate(
        members_n=Count("members"),
        queued_n=Count("members", filter=Q(members__send_status=SendStatus.QUEUED)),
        sent_n=Count("members", filter=Q(members__send_status=SendStatus.SENT)),
    ).order_by("-starts_on", "-id")
