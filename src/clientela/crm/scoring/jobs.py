"""Scoring in the worker: a scoring run as a job, and the nightly schedule's function."""

from __future__ import annotations

from datetime import datetime
from typing import Any

# The stages run_scoring reports (reading, value models, insight, writing), for a
# progress bar on the jobs page.
STAGES = 20


def scoring_job(job: Any, *, model: str = "auto") -> dict[str, Any]:
    """Score every customer (``scoring.actions.run_scoring``); progress counts stages."""
    from django.conf import settings

    from clientela.crm.scoring.actions import run_scoring
    from clientela.crm.scoring.pipeline import ScoringSettings

    stage = 0

    def step(_message: str) -> None:
        nonlocal stage
        stage += 1
        job.progress(min(stage, STAGES), STAGES)

    job.progress(0, STAGES, force=True)
    run = run_scoring(None, settings=ScoringSettings(model=model, currency=settings.BASE_CURRENCY), progress=step)
    return {"run_id": run.pk, "model": run.model_name, "customers": run.customers}


def nightly_scoring(now: datetime) -> dict[str, Any]:
    """The ``nightly-scoring`` schedule: queue a scoring job (its own progress and retries)."""
    from clientela.crm.jobs.actions import enqueue_job
    from clientela.crm.jobs.queries import active_job

    if active_job("scoring") is not None:
        return {"skipped": "a scoring job is queued or running"}
    job = enqueue_job(None, kind="scoring.run", params={"model": "auto"}, label="Scoring run (nightly)",
                      subject="scoring")
    return {"job_id": job.pk}
