"""Reads of scoring results shared by the CLI, the API and the pages."""

from __future__ import annotations

from django.db import models
from django.db.models import QuerySet

from clientela.crm.query_filters import filter_given
from clientela.crm.scoring.models import CustomerScore, ModelRun


def current_run() -> ModelRun | None:
    """The run the interface shows: the latest successful one."""
    return ModelRun.objects.filter(is_current=True).first()


def current_scores() -> QuerySet[CustomerScore]:
    """Scores of the current run, with their party and run for output."""
    return CustomerScore.objects.filter(run__is_current=True).select_related("party", "run")


def list_scores(
    qs: QuerySet[CustomerScore],
    *,
    next_best_action: str | None = None,
    ladder_stage: str | None = None,
    rfm_segment: str | None = None,
    min_p_alive: float | None = None,
    max_p_alive: float | None = None,
    unprofitable: bool | None = None,
) -> QuerySet[CustomerScore]:
    """Filter a score queryset the way the API and pages offer."""
    return filter_given(qs, next_best_action=next_best_action, ladder_stage=ladder_stage, rfm_segment=rfm_segment,
                        p_alive__gte=min_p_alive, p_alive__lte=max_p_alive, unprofitable=unprofitable)


def recent_runs(*, limit: int = 10) -> list[dict[str, object]]:
    """The latest ``limit`` runs of any status, newest first, with the holdout RMSE (one
    query that leaves the large JSON reports in the database)."""
    return list(
        ModelRun.objects.order_by("-started_at", "-id").values(
            "id", "started_at", "finished_at", "status", "is_current", "model_name", "customers",
            "transactions", "error", holdout_rmse=models.F("holdout__rmse"),
        )[:limit]
    )
