"""Model runs and the per-customer scores they produce.

A ModelRun is reproducible: its data window, the model chosen and why, the
fitted parameters, fit diagnostics and holdout accuracy are stored with it.
CustomerScore rows are written in bulk by ``scoring.actions`` (COPY on
PostgreSQL), one per party and run; the web and API read the current run's.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q

MONEY = {"max_digits": 16, "decimal_places": 2}


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class ModelRun(models.Model):
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    is_current = models.BooleanField(default=False, help_text="The run the interface shows")

    data_start = models.DateField(null=True, blank=True)
    calibration_end = models.DateField(null=True, blank=True)
    observation_end = models.DateField(null=True, blank=True)
    period = models.CharField(max_length=2, default="W")
    customers = models.PositiveIntegerField(default=0)
    transactions = models.PositiveBigIntegerField(default=0)

    model_name = models.CharField(max_length=20, blank=True)
    model_requested = models.CharField(max_length=20, default="auto")
    model_reason = models.TextField(blank=True)
    params = models.JSONField(default=dict)
    spend_params = models.JSONField(default=dict)
    diagnostics = models.JSONField(default=dict, help_text="log-likelihood, AIC, BIC, SEs")
    holdout = models.JSONField(default=dict, help_text="holdout MAE, RMSE, correlation, curve")
    comparison = models.JSONField(default=list, help_text="models compared on the holdout")
    settings = models.JSONField(default=dict, help_text="horizon, discount rate, margin")
    summary = models.JSONField(default=dict, help_text="equity, KPIs and report figures")
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_run"
            ),
        ]

    def __str__(self) -> str:
        return f"Run {self.pk} {self.model_name or self.model_requested} {self.started_at:%Y-%m-%d %H:%M}"


class CustomerScore(models.Model):
    # No single-column FK indexes: the unique (run, party) and the (party, run) index
    # already serve lookups by run and by party; each extra index costs ~8 s per 1M scores.
    run = models.ForeignKey(ModelRun, on_delete=models.CASCADE, related_name="scores", db_index=False)
    party = models.ForeignKey(
        "parties.Party", on_delete=models.CASCADE, related_name="scores", db_index=False
    )

    p_alive = models.FloatField(null=True, blank=True)
    expected_purchases_90 = models.FloatField(null=True, blank=True)
    expected_purchases_365 = models.FloatField(null=True, blank=True)
    expected_spend = models.DecimalField(**MONEY, null=True, blank=True)
    clv = models.DecimalField(**MONEY, default=Decimal("0"))
    churn_risk = models.FloatField(null=True, blank=True)

    rfm_r = models.PositiveSmallIntegerField(null=True, blank=True)
    rfm_f = models.PositiveSmallIntegerField(null=True, blank=True)
    rfm_m = models.PositiveSmallIntegerField(null=True, blank=True)
    rfm_segment = models.CharField(max_length=24, blank=True)
    ladder_stage = models.CharField(max_length=12, blank=True)

    revenue = models.DecimalField(**MONEY, default=Decimal("0"))
    net_contribution = models.DecimalField(**MONEY, default=Decimal("0"))
    unprofitable = models.BooleanField(default=False)

    next_best_action = models.CharField(max_length=16, blank=True)
    nba_reason = models.TextField(blank=True)
    nba_product_sku = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "party"], name="score_unique_per_run"),
            models.CheckConstraint(
                condition=Q(p_alive__isnull=True) | (Q(p_alive__gte=0) & Q(p_alive__lte=1)),
                name="score_p_alive_probability",
            ),
        ]
        indexes = [
            models.Index(fields=["run", "clv"]),
            models.Index(fields=["run", "p_alive"]),
            models.Index(fields=["run", "churn_risk"]),
            models.Index(fields=["run", "next_best_action"]),
            models.Index(fields=["run", "ladder_stage"]),
            models.Index(fields=["run", "rfm_segment"]),
            models.Index(fields=["party", "run"]),
        ]

    def __str__(self) -> str:
        return f"{self.party_id}@{self.run_id}"
