"""Run one attempt of a job in the worker: claim it, beat while it runs, record the end.

The handler gets a ``JobContext``: ``progress(done, total)`` records how far it is (and
proves it alive); when the worker is asked to stop (SIGTERM, the demo ending) the next
``progress`` call raises ``WorkerStopping`` and the job is queued again, so a long send
stops between two members instead of being cut in the middle of one.

Errors are recorded by type, with the message only for the project's own input errors
(whose messages name a field): a mail or database error's text can carry an address.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings

from clientela.crm.errors import InvalidInput
from clientela.crm.jobs import attempts as actions
from clientela.crm.jobs.pulse import beating
from clientela.crm.jobs.registry import handler

log = logging.getLogger(__name__)

# Set by the worker when it is asked to stop; a job's next progress report raises.
stopping = threading.Event()
worker_id = "inline"
# Set by a process that runs a job itself (``jobs.here``, the CLI's progress bar):
# called with (job id, done, total) on every progress report of a job it runs.
progress_listener: Callable[[int, int, int | None], None] | None = None


class WorkerStopping(Exception):  # noqa: N818 - a signal, not an error
    """The worker is stopping: the job is queued again and resumes later."""


@dataclass
class JobContext:
    job_id: int
    attempt: int
    params: dict[str, Any]
    _last: float = field(default=0.0, repr=False)

    @property
    def resumed(self) -> bool:
        """Is this a later attempt (a previous one failed or its worker died)?"""
        return self.attempt > 1

    @property
    def lost_after(self) -> timedelta:
        """How long a silent worker is taken to be alive: older work is a dead worker's."""
        return timedelta(seconds=settings.JOB_TIMEOUT_SECONDS)

    def progress(self, done: int, total: int | None = None, *, force: bool = False,
                 check_stop: bool = True) -> None:
        """Record ``done`` of ``total`` (written at most once a second unless ``force``);
        ``WorkerStopping`` when the worker is stopping (unless not ``check_stop``)."""
        if check_stop and stopping.is_set():
            raise WorkerStopping
        if progress_listener is not None:
            progress_listener(self.job_id, done, total)
        now = time.monotonic()
        if force or now - self._last >= 1.0:
            self._last = now
            actions.record_progress(self.job_id, self.attempt, done=done, total=total)


def describe(exc: BaseException) -> str:
    name = type(exc).__name__
    if isinstance(exc, (InvalidInput, *_safe_errors())):
        return f"{name}: {exc}"[:300]
    return name


def _safe_errors() -> tuple[type[BaseException], ...]:
    from clientela.crm.engagement.sending import SendingError
    from clientela.crm.jobs.leases import LeaseHeld
    from clientela.crm.scoring.pipeline import ScoringError
    from clientela.crm.webhooks.delivery import NotDelivered

    return (SendingError, ScoringError, LeaseHeld, LookupError, NotDelivered)


def run_attempt(job_id: int, attempt: int, *, task_id: str) -> dict[str, Any]:
    """Run attempt ``attempt`` of job ``job_id`` unless it is not its turn."""
    job = actions.claim_attempt(job_id, attempt, worker_id=worker_id, task_id=task_id)
    if job is None:
        return {"skipped": True}
    context = JobContext(job_id=job.pk, attempt=attempt, params=job.params)
    every = max(settings.JOB_TIMEOUT_SECONDS / 5, 0.5)
    with beating(lambda: actions.beat(job_id, attempt), every=every, name=f"job-{job_id}"):
        try:
            result = handler(job.kind)(context, **job.params) or {}
        except WorkerStopping:
            actions.requeue_stopped(job, attempt)
            return {"stopped": True}
        except Exception as exc:
            error = describe(exc)
            status = actions.attempt_failed(job, attempt, error)
            log.warning("job %s (%s) attempt %s failed: %s; now %s", job_id, job.kind, attempt, error, status)
            return {"failed": error}
    actions.attempt_succeeded(job, attempt, result)
    return result
