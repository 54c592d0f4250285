"""Reads of the jobs page and the CLI: recent jobs, newest first."""

from __future__ import annotations

from django.db.models import QuerySet

from clientela.crm.jobs.models import ACTIVE_STATUSES, Job


def recent_jobs(*, status: str = "") -> QuerySet[Job]:
    jobs = Job.objects.select_related("created_by").order_by("-created_at", "-id")
    return jobs.filter(status=status) if status else jobs


def active_job(subject: str) -> Job | None:
    """The queued, running or retrying job on ``subject``, if any."""
    return Job.objects.filter(subject=subject, status__in=ACTIVE_STATUSES).order_by("-id").first()


def last_ended_job(subject: str) -> Job | None:
    """The most recent job on ``subject`` that succeeded or failed."""
    return (Job.objects.filter(subject=subject).exclude(status__in=ACTIVE_STATUSES)
            .order_by("-id").first())
