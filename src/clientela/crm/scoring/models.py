"""Model runs and the per-customer scores they produce.

A ModelRun is reproducible: its data window, the model chosen and why, the
fitted parameters, fit diagnostics and holdout accuracy are stored with it.
CustomerScore rows are written in bulk by ``scoring.actions`` (COPY on
PostgreSQL), one per party and run; the web and API read the current run's.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
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
    """One party's scores in one run.

    ``owner`` and ``team`` are a copy of the party's owner and team, so that a sales
    representative's or a team's customer list reads its page straight from the
    ``(run, owner, -clv, party)`` / ``(run, team, -clv, party)`` indexes in CLV order
    instead of walking every score and joining each to its party (issue 6). The party
    stays the truth: the lists still apply the party's own scope, so a stale copy can
    hide a row, never show one. The copy is written by the scoring run (read with the
    parties, and corrected from them in the transaction that makes the run current), and
    ``parties.actions.update_party`` (and the admin's party form) update the party's row in
    the current run in the same transaction. Other writes (bulk ``QuerySet.update``, SQL)
    are corrected by the next scoring run; older runs keep the copy of their day (only the
    current run is listed).

    Foreign keys without a database constraint (``db_constraint=False``, DO_NOTHING): the
    COPY of a million scores would otherwise check two million more references, and
    deleting a user or a team must neither cascade into every run's scores nor rewrite
    them; a deleted user's or team's id left in the copy matches no one (ids are not reused).
    """

    # No single-column FK indexes: the unique (run, party) and the (party, run) index
    # already serve lookups by run and by party; each extra index costs ~8 s per 1M scores.
    run = models.ForeignKey(ModelRun, on_delete=models.CASCADE, related_name="scores", db_index=False)
    party = models.ForeignKey(
        "parties.Party", on_delete=models.CASCADE, related_name="scores", db_index=False
    )

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING,
        db_constraint=False, db_index=False, related_name="+",
        help_text="The party's owner when scored (kept in sync for the current run)",
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.DO_NOTHING,
        db_constraint=False, db_index=False, related_name="+",
        help_text="The party's team when scored (kept in sync for the current run)",
    )

    p_alive = models.FloatField(null=True, blank=True)
    expected_purchases_90 = models.FloatField(null=True, blank=True)
    expected_purchases_365 = models.FloatField(null=True, blank=True)
    expected_spend = models.DecimalField(**MONEY, null=True, blank=True)
    clv = models.DecimalField(**MONEY, default=Decimal("0"))
    # The 90 % interval of the CLV from the parameters' sampling error (value.uncertainty;
    # null for parties without a purchase, runs before it, or a fit without a covariance).
    clv_low = models.DecimalField(**MONEY, null=True, blank=True, help_text="CLV, lower end of the 90 % interval")
    clv_high = models.DecimalField(**MONEY, null=True, blank=True, help_text="CLV, upper end of the 90 % interval")
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
    # The reason in English as the scoring run wrote it (exports, older runs). Pages and
    # the API build the reason from the figures below and the score's own (scoring.reasons),
    # in the reader's language and without the figures their role may not see.
    nba_reason = models.TextField(blank=True)
    nba_product_sku = models.CharField(max_length=64, blank=True)
    # The reason's figures that are not scores of their own (null in runs before them).
    p_alive_previous = models.FloatField(null=True, blank=True, help_text="P(alive) in the previous run")
    nba_lift = models.FloatField(null=True, blank=True, help_text="Lift of the add-on product")
    nba_because_sku = models.CharField(max_length=64, blank=True,
                                       help_text="The owned product the add-on is bought with")
    nba_signals = models.PositiveIntegerField(null=True, blank=True, help_text="A prospect's engagement signals")

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
            # Lists by P(alive) / churn risk, highest first: walked in order, the scope's
            # copy and the id ride along, so the walk reads no table rows.
            models.Index(
                fields=["run", "-p_alive", "party"], include=("id", "owner", "team"),
                name="score_run_p_alive_cover",
            ),
            models.Index(
                fields=["run", "-churn_risk", "party"], include=("id", "owner", "team"),
                name="score_run_churn_cover",
            ),
            models.Index(fields=["run", "next_best_action"]),
            models.Index(fields=["run", "ladder_stage"]),
            models.Index(fields=["run", "rfm_segment"]),
            # A party's scores, and a search's few thousand matching parties sorted by a
            # score: the sort keys ride along (PostgreSQL INCLUDE), so the page reads
            # this index alone, no table row per match (SQLite: the plain two columns).
            models.Index(
                fields=["party", "run"], include=("id", "clv", "p_alive", "churn_risk"),
                name="score_party_run_cover",
            ),
            # A representative's / a team's list by CLV (highest first, then by party);
            # by P(alive) or churn risk, their scores are read from the same range (the
            # keys ride along: an index-only scan) and the page is sorted from it.
            models.Index(
                fields=["run", "owner", "-clv", "party"], include=("id", "p_alive", "churn_risk"),
                name="score_run_owner_clv_cover",
            ),
            models.Index(
                fields=["run", "team", "-clv", "party"], include=("id", "p_alive", "churn_risk"),
                name="score_run_team_clv_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party_id}@{self.run_id}"
