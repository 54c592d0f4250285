"""Interactions on every channel, and marketing campaigns with their members."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from clientela.crm.engagement.merge_fields import message_problems
from clientela.crm.parties.models import Channel


class Direction(models.TextChoices):
    INBOUND = "inbound", "Inbound"
    OUTBOUND = "outbound", "Outbound"


class Interaction(models.Model):
    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="interactions")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    direction = models.CharField(max_length=8, choices=Direction.choices)
    occurred_at = models.DateTimeField()
    subject = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    cost = models.DecimalField(
        max_digits=10, decimal_places=2, default=Decimal("0"), help_text="Cost to serve, base currency"
    )

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["party", "occurred_at"]),
            models.Index(fields=["occurred_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(cost__gte=0), name="interaction_cost_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.direction} {self.occurred_at:%Y-%m-%d}"


class CampaignKind(models.TextChoices):
    ACQUISITION = "acquisition", "Acquisition"
    RETENTION = "retention", "Retention"
    ADD_ON = "add_on", "Add-on selling"
    WIN_BACK = "win_back", "Win-back"


class MessageChannel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"


class SendStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    # Claimed by a running send (engagement.sending), so a second send skips the member.
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    SUPPRESSED = "suppressed", "Suppressed (no consent)"
    FAILED = "failed", "Failed"


class Campaign(models.Model):
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=CampaignKind.choices)
    channel = models.CharField(max_length=20, help_text="Acquisition or contact channel")
    budget = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    spend = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(max_length=3, default="PLN")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    # The message sent to members (see engagement.sending). The body is a Django
    # template rendered as plain text with ``name``; the unsubscribe link is
    # always appended.
    message_channel = models.CharField(
        max_length=5, choices=MessageChannel.choices, default=MessageChannel.EMAIL
    )
    message_subject = models.CharField(max_length=200, blank=True)
    message_body = models.TextField(blank=True)
    segment = models.ForeignKey(
        "Segment", null=True, blank=True, on_delete=models.SET_NULL, related_name="campaigns",
        help_text="The saved segment the members were taken from",
    )
    # Set by "Stop sending": a send running at that moment stops before its next member
    # (engagement.sending); the members it had not reached stay queued for the next send.
    send_stop_requested_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(budget__gte=0), name="campaign_budget_nonneg"),
            models.CheckConstraint(condition=Q(spend__gte=0), name="campaign_spend_nonneg"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """The message's merge fields and subject (``merge_fields``), named by field."""
        problems = message_problems(subject=self.message_subject, body=self.message_body)
        if problems:
            raise ValidationError(problems)


class CampaignMember(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="members")
    party = models.ForeignKey(
        "parties.Party", on_delete=models.CASCADE, related_name="campaign_memberships"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    converting_order = models.ForeignKey(
        "commerce.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    send_status = models.CharField(
        max_length=10, choices=SendStatus.choices, default=SendStatus.QUEUED
    )
    send_reason = models.CharField(max_length=300, blank=True, help_text="Why suppressed or failed")
    status_at = models.DateTimeField(null=True, blank=True, help_text="When the status last changed")

    class Meta:
        ordering = ["campaign", "party"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "party"], name="campaign_member_unique"),
        ]
        indexes = [models.Index(fields=["party"])]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.party_id}"


class Segment(models.Model):
    """A saved target group: filters over the current scoring run's scores.

    ``definition`` is the JSON of ``engagement.segments.SegmentDefinition`` (RFM segments,
    ladder stages, next best actions, value tiers, a P(alive) range); it is validated by
    ``engagement.actions`` before saving. Members are computed when asked for, from the
    run that is current then; a campaign made from the segment keeps the members of that
    moment.
    """

    name = models.CharField(max_length=200)
    definition = models.JSONField(default=dict)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="segments",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name
