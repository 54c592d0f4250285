"""/jobs/{id}: the status of a background job the caller asked for (a 202's Location)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from clientela.api.fields import PathId
from clientela.api.responses import answers
from clientela.api.schemas.jobs import JobOut
from clientela.crm.jobs.access import access_job_by_id
from clientela.crm.jobs.models import ACTIVE_STATUSES, Job

router = Router(tags=["jobs"])

# How long a poller waits between two looks at a job that has not ended (Retry-After).
POLL_SECONDS = 2


def job_location(job: Job) -> str:
    return f"/api/v1/jobs/{job.pk}"


def job_out(job: Job) -> JobOut:
    result_url = None
    if job.status == "succeeded" and job.result.get("export_id"):
        result_url = f"/api/v1/exports/{job.result['export_id']}/file"
    return JobOut(
        id=job.pk, kind=job.kind, label=job.label, status=job.status, progress_done=job.progress_done,
        progress_total=job.progress_total, attempts=job.attempts, max_attempts=job.max_attempts,
        last_error=job.last_error, result=job.result or {}, result_url=result_url,
        created_at=job.created_at, started_at=job.started_at, finished_at=job.finished_at,
    )


def accepted(response: HttpResponse, job: Job) -> Status[JobOut]:
    """202 Accepted with the job's status resource in ``Location`` (RFC 9110 §15.3.3)."""
    response["Location"] = job_location(job)
    response["Retry-After"] = str(POLL_SECONDS)
    return Status(202, job_out(job))


@router.get("/jobs/{job_id}", response=answers(200, JobOut))
def get_job(request: HttpRequest, response: HttpResponse, job_id: PathId) -> JobOut:
    """A background job the caller started (or any job, for administrators and managers):
    status, progress, attempts, the last error and, once done, its result. Poll it while
    ``status`` is queued, running or retrying (``Retry-After`` says how soon)."""
    job = access_job_by_id(request.auth, job_id)
    if job.status in ACTIVE_STATUSES:
        response["Retry-After"] = str(POLL_SECONDS)
    return job_out(job)
