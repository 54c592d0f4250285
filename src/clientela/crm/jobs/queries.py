"""Reads of the jobs page and the CLI: recent jobs, newest first."""

from __future__ import annotations

from django.db.models import QuerySet

from clientela.crm.jobs.models import Job


def recent_jobs(*, status: str = "") -> QuerySet[Job]:
    jobs = Job.objects.select_related("created_by").order_by("-created_at", "-id")
    return jobs.filter(status=status) if status else jobs
