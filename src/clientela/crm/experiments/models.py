"""Randomized control groups: an experiment per campaign or playbook, each party's group,
and the global holdout that no campaign or playbook ever touches.

An experiment names its subject by kind and id, without a foreign key, so a subject app
(campaigns in ``engagement``, playbooks) can come and go without this app changing. The
randomization is in ``experiments.assignment``; the outcome report in
``experiments.outcomes``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q


class SubjectKind(models.TextChoices):
    CAMPAIGN = "campaign", "Campaign"
    PLAYBOOK = "playbook", "Playbook"


class Group(models.TextChoices):
    TREATED = "treated", "Treated"
    CONTROL = "control", "Control"


HOLDOUT = "holdout"  # what ``assign`` answers for a member of the global holdout
DEFAULT_CONTROL_SHARE = Decimal("0.10")
DEFAULT_MEASURE_DAYS = 90


class Experiment(models.Model):
    name = models.CharField(max_length=200)
    subject_kind = models.CharField(max_length=10, choices=SubjectKind.choices)
    subject_id = models.PositiveBigIntegerField()
    control_share = models.DecimalField(
        max_digits=4, decimal_places=3, default=DEFAULT_CONTROL_SHARE,
        help_text="Share of each value tier held out as the control group (0 = none)",
    )
    seed = models.PositiveBigIntegerField(help_text="The randomization's seed (kept to replay it)")
    measure_days = models.PositiveIntegerField(
        default=DEFAULT_MEASURE_DAYS, help_text="Measurement window, days from each party's assignment"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["subject_kind", "subject_id"], name="experiment_one_per_subject"),
            models.CheckConstraint(
                condition=Q(control_share__gte=0) & Q(control_share__lt=1), name="experiment_control_share_range"
            ),
            models.CheckConstraint(condition=Q(measure_days__gte=1), name="experiment_measure_days_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="assignments")
    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="experiment_assignments")
    group = models.CharField(max_length=8, choices=Group.choices)
    stratum = models.CharField(max_length=12, blank=True, help_text="Value tier when assigned")
    assigned_at = models.DateTimeField()

    class Meta:
        ordering = ["experiment", "id"]
        constraints = [
            models.UniqueConstraint(fields=["experiment", "party"], name="assignment_one_per_party"),
        ]
        indexes = [
            models.Index(fields=["experiment", "stratum", "group"]),
        ]

    def __str__(self) -> str:
        return f"{self.experiment_id}:{self.party_id}={self.group}"


class Holdout(models.Model):
    """The global holdout's settings: one row (pk 1), off until someone turns it on."""

    enabled = models.BooleanField(default=False)
    share = models.DecimalField(max_digits=4, decimal_places=3, default=Decimal("0.050"))
    seed = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(share__gte=0) & Q(share__lt=1), name="holdout_share_range"),
        ]

    def __str__(self) -> str:
        return f"holdout {self.share} ({'on' if self.enabled else 'off'})"


class HoldoutMember(models.Model):
    """A party drawn into the global holdout (recorded when drawn; kept while it is on)."""

    party = models.OneToOneField("parties.Party", on_delete=models.CASCADE, related_name="holdout_membership")
    seed = models.PositiveBigIntegerField(help_text="The holdout seed the party was drawn under")
    since = models.DateTimeField()

    def __str__(self) -> str:
        return f"holdout:{self.party_id}"
