"""Surveys (NPS, CSAT), invitations with a single-use link, and responses."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from clientela.crm.engagement.models import SendStatus


class SurveyKind(models.TextChoices):
    NPS = "nps", "Net Promoter Score (0–10)"
    CSAT = "csat", "Customer satisfaction (1–5)"


SCORE_RANGE = {SurveyKind.NPS: (0, 10), SurveyKind.CSAT: (1, 5)}


class Survey(models.Model):
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=4, choices=SurveyKind.choices)
    question = models.CharField(max_length=500)
    # The optional single-choice question after the score ("What did you buy?"): its text and
    # its options (2 to MAX_OPTIONS strings); empty text means the survey has none.
    choice_question = models.CharField(max_length=300, blank=True)
    choice_options = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def score_range(self) -> tuple[int, int]:
        return SCORE_RANGE[SurveyKind(self.kind)]


class SurveyInvitation(models.Model):
    """An invitation to answer a survey once, through a signed link (see ``tokens``).

    ``nonce`` goes into the signed token, so a token cannot be made from the id
    alone, and changing the nonce revokes links already sent.
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    party = models.ForeignKey(
        "parties.Party", on_delete=models.CASCADE, related_name="survey_invitations"
    )
    nonce = models.CharField(max_length=32)
    send_status = models.CharField(
        max_length=10, choices=SendStatus.choices, default=SendStatus.QUEUED
    )
    send_reason = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    channel = models.CharField(max_length=10, default="email", help_text="email or sms: how it was sent")
    reminded_at = models.DateTimeField(
        null=True, blank=True, help_text="When the one reminder was sent (set before it may be delivered)")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["survey", "party"]),
                   models.Index(fields=["send_status", "sent_at"], name="feedback_inv_reminder_idx",
                                condition=Q(answered_at__isnull=True, reminded_at__isnull=True))]

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.party_id}"


class SurveyResponse(models.Model):
    """One answer. ``kind`` repeats the survey's kind so the database can check the score range."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    party = models.ForeignKey(
        "parties.Party", null=True, blank=True, on_delete=models.SET_NULL, related_name="survey_responses"
    )
    invitation = models.OneToOneField(
        SurveyInvitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="response"
    )
    kind = models.CharField(max_length=4, choices=SurveyKind.choices)
    score = models.SmallIntegerField()
    comment = models.TextField(blank=True)
    choice = models.CharField(max_length=100, blank=True, help_text="The option chosen in the survey's choice question")
    answered_at = models.DateTimeField()

    class Meta:
        ordering = ["-answered_at", "-id"]
        indexes = [
            models.Index(fields=["survey", "answered_at"]),
            models.Index(fields=["party", "answered_at"]),
            # The dashboard's NPS of two years: an index-only scan on PostgreSQL.
            models.Index(fields=["kind", "answered_at"], include=["score"], name="feedback_kind_answered_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="nps", score__gte=0, score__lte=10)
                | Q(kind="csat", score__gte=1, score__lte=5),
                name="response_score_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}: {self.score}"
