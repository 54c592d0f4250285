"""What the worker records of each attempt of a job: its claim, heartbeats, progress, how
it ended, the retry with backoff, and jobs whose worker died. These are the queue's own
bookkeeping, written by ``jobs.runner`` and ``jobs.worker`` (not by users: no audit
entry); each is one conditional UPDATE on the attempt it concerns, so a late write of an
attempt already declared lost changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clientela.crm.jobs.models import Job, JobStatus

MAX_BACKOFF = timedelta(hours=1)


def backoff(attempt: int) -> timedelta:
    """Wait before attempt ``attempt + 1``: JOB_RETRY_SECONDS doubled per attempt, at most 1 h."""
    seconds = settings.JOB_RETRY_SECONDS * 2 ** max(attempt - 1, 0)
    return min(timedelta(seconds=seconds), MAX_BACKOFF)


def enqueue_attempt(job_id: int, attempt: int, run_after: datetime | None) -> None:
    from clientela.crm.jobs.tasks import run_job

    task = run_job.using(run_after=run_after) if run_after is not None else run_job
    task.enqueue(job_id, attempt)


def claim_attempt(job_id: int, attempt: int, *, worker_id: str, task_id: str) -> Job | None:
    """Mark attempt ``attempt`` running; None when it is not this attempt's turn (run
    already, or the job ended)."""
    now = timezone.now()
    claimed = Job.objects.filter(
        pk=job_id, status__in=(JobStatus.QUEUED, JobStatus.RETRYING), attempts=attempt - 1,
    ).update(status=JobStatus.RUNNING, attempts=attempt, started_at=now, heartbeat_at=now,
             worker_id=worker_id[:64], task_id=task_id[:64])
    if not claimed:
        return None
    job = Job.objects.get(pk=job_id)
    _set_history(job, attempt, started_at=now.isoformat(), outcome="running")
    return job


def _set_history(job: Job, attempt: int, **entry: Any) -> None:
    history = [h for h in job.history if h.get("attempt") != attempt]
    previous: dict[str, Any] = next((h for h in job.history if h.get("attempt") == attempt), {})
    history.append({**previous, "attempt": attempt, **entry})
    history.sort(key=lambda h: h["attempt"])
    job.history = history
    Job.objects.filter(pk=job.pk, attempts=attempt).update(history=history)


def beat(job_id: int, attempt: int) -> None:
    Job.objects.filter(pk=job_id, attempts=attempt, status=JobStatus.RUNNING).update(
        heartbeat_at=timezone.now())


def record_progress(job_id: int, attempt: int, *, done: int, total: int | None) -> None:
    Job.objects.filter(pk=job_id, attempts=attempt, status=JobStatus.RUNNING).update(
        progress_done=done, progress_total=total, heartbeat_at=timezone.now())


@transaction.atomic
def attempt_succeeded(job: Job, attempt: int, result: dict[str, Any]) -> bool:
    now = timezone.now()
    done = Job.objects.filter(pk=job.pk, attempts=attempt, status=JobStatus.RUNNING).update(
        status=JobStatus.SUCCEEDED, finished_at=now, result=result, heartbeat_at=now)
    if done:
        _set_history(job, attempt, ended_at=now.isoformat(), outcome="succeeded")
    return bool(done)


@transaction.atomic
def attempt_failed(job: Job, attempt: int, error: str, *, outcome: str = "failed",
                   now: datetime | None = None, retry: bool = True) -> str:
    """Record the attempt's error; queue the next attempt after ``backoff`` while attempts
    remain (and ``retry``), else the job fails. Returns the job's new status ("" when the
    attempt was no longer the running one)."""
    now = now or timezone.now()
    retrying = retry and attempt < job.max_attempts
    run_after = now + backoff(attempt)
    changes: dict[str, Any] = {"last_error": error[:300], "heartbeat_at": None}
    if retrying:
        changes.update(status=JobStatus.RETRYING, run_after=run_after)
    else:
        changes.update(status=JobStatus.FAILED, finished_at=now)
    moved = Job.objects.filter(pk=job.pk, attempts=attempt, status=JobStatus.RUNNING).update(**changes)
    if not moved:
        return ""
    _set_history(job, attempt, ended_at=now.isoformat(), outcome=outcome, error=error[:300])
    if retrying:
        enqueue_attempt(job.pk, attempt + 1, run_after)
    return str(changes["status"])


def requeue_stopped(job: Job, attempt: int) -> None:
    """The worker was asked to stop mid-job: the attempt ends and the job is queued again
    at once (the attempt is not counted against ``max_attempts``)."""
    now = timezone.now()
    with transaction.atomic():
        moved = Job.objects.filter(pk=job.pk, attempts=attempt, status=JobStatus.RUNNING).update(
            status=JobStatus.RETRYING, run_after=now, heartbeat_at=None,
            max_attempts=job.max_attempts + 1)
        if moved:
            _set_history(job, attempt, ended_at=now.isoformat(), outcome="worker stopped")
            enqueue_attempt(job.pk, attempt + 1, None)


def recover_lost_jobs(now: datetime | None = None) -> list[int]:
    """Jobs whose worker stopped beating for ``JOB_TIMEOUT_SECONDS`` (killed, machine
    lost): their attempt is recorded as lost and the job retried (or failed when no
    attempt is left). Returns the ids taken up."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.JOB_TIMEOUT_SECONDS)
    recovered = []
    for job in Job.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=cutoff):
        error = f"WorkerLost: no heartbeat from worker {job.worker_id[:20]} for {settings.JOB_TIMEOUT_SECONDS} s"
        if attempt_failed(job, job.attempts, error, outcome="worker lost", now=now):
            recovered.append(job.pk)
            if job.task_id:
                DBTaskResult.objects.filter(id=job.task_id, status=TaskResultStatus.RUNNING).update(
                    status=TaskResultStatus.FAILED, finished_at=now,
                    exception_class_path="clientela.crm.jobs.WorkerLost", traceback="")
    return recovered
