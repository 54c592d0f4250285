"""The jobs page (/jobs/): background jobs with their progress, attempts and last error,
and the schedules with their next run. Administrators and managers only."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from clientela.crm import labels
from clientela.crm.jobs.access import require_jobs_view
from clientela.crm.jobs.models import JobStatus
from clientela.crm.jobs.queries import recent_jobs
from clientela.crm.jobs.schedules import upcoming
from clientela.web.layout import render_page
from clientela.web.paging import one_page, page_number


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    require_jobs_view(request.user)
    status = request.GET.get("status", "")
    if status not in JobStatus.values:
        status = ""
    page = page_number(request.GET)
    rows, has_next = one_page(recent_jobs(status=status), page)
    active = any(job.status in (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.RETRYING) for job in rows)
    return render_page(request, "web/jobs/list.html", {
        "jobs": rows, "page": page, "has_next": has_next,
        "status": status, "statuses": labels.JOB_STATUS, "kinds": labels.JOB_KINDS,
        "schedules": upcoming(), "active": active,
    }, section="jobs")
