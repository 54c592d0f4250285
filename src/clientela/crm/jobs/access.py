"""Who may see jobs: administrators and managers see every job (the ``jobs`` capability,
the jobs page); anyone sees the jobs they asked for (a send, an erasure, an export they
follow through ``/api/v1/jobs/{id}``)."""

from __future__ import annotations

from typing import Any

from clientela.crm.accounts.permissions import has_capability
from clientela.crm.errors import NotPermitted, RecordNotFound
from clientela.crm.jobs.models import Job


def may_view_jobs(user: Any) -> bool:
    return has_capability(user, "jobs")


def require_jobs_view(user: Any) -> None:
    """``NotPermitted`` unless the user may follow background jobs."""
    if not may_view_jobs(user):
        raise NotPermitted("jobs")


def access_job_by_id(user: Any, job_id: int) -> Job:
    """The job, for the user who asked for it or one who follows every job;
    ``RecordNotFound`` otherwise (another user's job is not revealed)."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        raise RecordNotFound("job")
    if may_view_jobs(user):
        return job
    if getattr(user, "pk", None) is not None and job.created_by_id == user.pk:
        return job
    raise RecordNotFound("job")
