"""Scoring in the worker: a scoring run as a job, and the nightly schedule's function."""

from __future__ import annotations

from datetime import datetime
from typing import Any

# The stages run_scoring reports (reading, value models, insight, writing), for a
# progress bar on the jobs page.
STAGES = 20


def scoring_job(job: Any, *, model: str = "auto", as_of: str | None = None) -> dict[str, Any]:
    """Score every customer (``scoring.actions.run_scoring``) as of the day ``as_of``
    (ISO date; default today); progress counts stages."""
    from datetime import date

    from django.conf import settings

    from clientela.crm.scoring.actions import run_scoring
    from clientela.crm.scoring.pipeline import ScoringSettings

    stage = 0

    def step(_message: str) -> None:
        nonlocal stage
        stage += 1
        job.progress(min(stage, STAGES), STAGES)

    job.progress(0, STAGES, force=True)
    day = date.fromisoformat(as_of) if as_of else None
    run = run_scoring(None, settings=ScoringSettings(model=model, currency=settings.BASE_CURRENCY, as_of=day),
                      progress=step)
    return {"run_id": run.pk, "model": run.model_name, "customers": run.customers}


def nightly_scoring(now: datetime) -> dict[str, Any]:
    """The ``nightly-scoring`` schedule: queue a scoring job (its own progress and retries)
    that scores as of the local day the run was due."""
    from django.utils import timezone

    from clientela.crm.jobs.actions import enqueue_job
    from clientela.crm.jobs.queries import active_job

    if active_job("scoring") is not None:
        return {"skipped": "a scoring job is queued or running"}
    job = enqueue_job(None, kind="scoring.run", label="Scoring run (nightly)", subject="scoring",
                      params={"model": "auto", "as_of": timezone.localdate(now).isoformat()})
    return {"job_id": job.pk}
