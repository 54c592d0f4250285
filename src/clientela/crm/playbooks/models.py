"""Playbooks, their versions, their evaluations (runs) and what each did to a customer.

A ``Playbook`` holds its current definition (``definition``: trigger, conditions,
actions, limits and control share — the JSON ``playbooks.definition`` reads) and a
version number; every edit writes a ``PlaybookVersion`` with the whole definition, so
the history is kept. A ``PlaybookRun`` is one evaluation (after a scoring run, or by the
``playbooks`` schedule for events). A ``Firing`` is one customer met by a run: held out
(the control group), acted on (with what each action did), or skipped (the daily cap).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models


class Playbook(models.Model):
    name = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="playbooks",
        help_text="Who built it; its actions are done in this user's name",
    )
    enabled = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    definition = models.JSONField(default=dict, help_text="The current version's definition")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # Events are looked for after this moment (the last evaluation of an event trigger).
    checked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class PlaybookVersion(models.Model):
    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    definition = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["playbook", "-number"]
        constraints = [models.UniqueConstraint(fields=["playbook", "number"], name="playbook_version_unique")]


class PlaybookRun(models.Model):
    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="runs")
    version = models.PositiveIntegerField()
    # What it looked at: "run:<model run id>" after a scoring run, "events:<iso time>" by the schedule.
    occasion = models.CharField(max_length=80)
    at = models.DateTimeField()
    matched = models.PositiveIntegerField(default=0)
    treated = models.PositiveIntegerField(default=0)
    control = models.PositiveIntegerField(default=0)
    limited = models.PositiveIntegerField(default=0, help_text="Left out by the once-per-N-days limit")
    capped = models.PositiveIntegerField(default=0, help_text="Left out by the daily cap")

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [models.UniqueConstraint(fields=["playbook", "occasion"], name="playbook_run_once")]


class Outcome(models.TextChoices):
    PENDING = "pending", "Waiting (quiet hours)"
    FIRED = "fired", "Acted on"
    HELD_OUT = "held_out", "Held out (control group)"
    CAPPED = "capped", "Skipped (daily cap)"


class Firing(models.Model):
    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="firings")
    run = models.ForeignKey(PlaybookRun, on_delete=models.CASCADE, related_name="firings")
    version = models.PositiveIntegerField()
    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="playbook_firings")
    group = models.CharField(max_length=10, help_text="treated, control or holdout")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    # One entry per action: {"kind": ..., "status": "done" | "suppressed" | "failed", "ref": ..., "note": ...}
    results = models.JSONField(default=list)
    # What its actions cost, in the base currency (each result's "cost" summed; ``ActionCosts``).
    cost = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [models.UniqueConstraint(fields=["run", "party"], name="playbook_firing_once_per_run")]
        indexes = [
            models.Index(fields=["party", "at"]),
            models.Index(fields=["playbook", "party", "at"]),
            models.Index(fields=["outcome", "playbook"]),
        ]


class ActionCosts(models.Model):
    """What each kind of playbook action costs, in the base currency: one row (pk 1), set by
    an administrator; the defaults hold until then. Each executed action is priced with the
    row of its day and the price is kept on the firing (``Firing.cost``), so a later change
    of prices does not rewrite what was spent."""

    email = models.DecimalField(max_digits=10, decimal_places=4, default=Decimal("0.05"),
                                help_text="One e-mail sent")
    sms = models.DecimalField(max_digits=10, decimal_places=4, default=Decimal("0.20"), help_text="One SMS sent")
    task_minutes = models.PositiveIntegerField(default=15, help_text="Staff minutes one task takes")
    hourly_cost = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("60.00"),
                                      help_text="Staff cost of an hour")
    point_value = models.DecimalField(max_digits=10, decimal_places=4, default=Decimal("0.01"),
                                      help_text="What one loyalty point costs the company")
    case = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("25.00"),
                               help_text="Handling one service case")
    webhook = models.DecimalField(max_digits=10, decimal_places=4, default=Decimal("0"),
                                  help_text="One outbound webhook event")
    campaign = models.DecimalField(max_digits=10, decimal_places=4, default=Decimal("0"),
                                   help_text="Adding a customer to a campaign")
    tag = models.DecimalField(max_digits=10, decimal_places=4, default=Decimal("0"), help_text="Tagging a customer")

    class Meta:
        verbose_name = "playbook action costs"
        verbose_name_plural = "playbook action costs"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email__gte=0) & models.Q(sms__gte=0) & models.Q(hourly_cost__gte=0)
                & models.Q(point_value__gte=0) & models.Q(case__gte=0) & models.Q(webhook__gte=0)
                & models.Q(campaign__gte=0) & models.Q(tag__gte=0),
                name="playbook_action_costs_nonneg"),
        ]

    def __str__(self) -> str:
        return "playbook action costs"
