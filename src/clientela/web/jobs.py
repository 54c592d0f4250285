"""The jobs page (/jobs/): background jobs with their progress, attempts and last error,
and the schedules with their next run. Administrators and managers only."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from clientela.crm import labels
from clientela.crm.errors import NotPermitted
from clientela.crm.jobs.access import require_jobs_view
from clientela.crm.jobs.models import JobStatus
from clientela.crm.jobs.queries import recent_jobs
from clientela.crm.jobs.schedules import upcoming
from clientela.web.layout import render_page

PAGE_SIZE = 50
MAX_PAGE = 200


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    try:
        require_jobs_view(request.user)
    except NotPermitted:
        raise PermissionDenied from None
    status = request.GET.get("status", "")
    if status not in JobStatus.values:
        status = ""
    try:
        page = min(max(int(request.GET.get("page", "1")), 1), MAX_PAGE)
    except ValueError:
        page = 1
    start = (page - 1) * PAGE_SIZE
    rows = list(recent_jobs(status=status)[start : start + PAGE_SIZE + 1])
    active = any(job.status in (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.RETRYING) for job in rows)
    return render_page(request, "web/jobs/list.html", {
        "jobs": rows[:PAGE_SIZE], "page": page, "has_next": len(rows) > PAGE_SIZE and page < MAX_PAGE,
        "status": status, "statuses": labels.JOB_STATUS, "kinds": labels.JOB_KINDS,
        "schedules": upcoming(), "active": active,
    }, section="jobs")
