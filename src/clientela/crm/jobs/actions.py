"""The write of a job that users (pages, the API, the CLI) and schedules make: enqueue it
(audited). What the worker records of each attempt is in ``jobs.attempts``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clientela.crm.audit.actions import created, record_change
from clientela.crm.jobs.attempts import enqueue_attempt
from clientela.crm.jobs.models import Job
from clientela.crm.jobs.registry import KINDS


class JobError(ValueError):
    """The job cannot be enqueued; the message names the field."""


@transaction.atomic
def enqueue_job(
    actor: Any,
    *,
    kind: str,
    params: dict[str, Any],
    label: str,
    subject: str = "",
    schedule: str = "",
    max_attempts: int | None = None,
) -> Job:
    """Record a job and queue its first attempt (one transaction: both or neither)."""
    if kind not in KINDS:
        raise JobError(f"kind: unknown job kind {kind!r}")
    now = timezone.now()
    job = Job.objects.create(
        kind=kind, label=label[:200], subject=subject, schedule=schedule, params=params,
        max_attempts=max_attempts or settings.JOB_MAX_ATTEMPTS, created_at=now, run_after=now,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    enqueue_attempt(job.pk, 1, None)
    record_change(actor, entity="job", object_id=job.pk, action="create",
                  changes=created({"kind": kind, "label": job.label, "subject": subject}))
    return job


