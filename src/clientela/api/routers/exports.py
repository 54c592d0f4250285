"""/exports: CSV exports of the rows the caller may see; large ones are written by a job
and fetched later (only by the caller and administrators)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from ninja import Router, Status

from clientela.api.fields import PathId
from clientela.api.problems import Problem
from clientela.api.responses import ERROR_CODES, answers
from clientela.api.routers.jobs import POLL_SECONDS
from clientela.api.schemas.jobs import ExportCreate, ExportOut
from clientela.crm.errors import Conflict
from clientela.crm.exports import storage
from clientela.crm.exports.access import access_export_by_id
from clientela.crm.exports.actions import request_export
from clientela.crm.exports.models import ExportFile, ExportStatus

router = Router(tags=["exports"])


def _out(export: ExportFile) -> ExportOut:
    ready = export.status == ExportStatus.READY
    return ExportOut(id=export.pk, kind=export.kind, status=export.status, rows=export.rows, size=export.size,
                     created_at=export.created_at, expires_at=export.expires_at, job_id=export.job_id,
                     file_url=f"/api/v1/exports/{export.pk}/file" if ready else None)


@router.post("/exports", response={201: ExportOut, 202: ExportOut, ERROR_CODES: Problem})
def create_export(request: HttpRequest, response: HttpResponse, payload: ExportCreate) -> Status[ExportOut]:
    """Export the rows of ``kind`` you may see as formula-safe CSV. Up to
    ``CLIENTELA_EXPORT_JOB_ROWS`` rows (10,000) the file is written at once: 201, its
    ``file_url`` ready. More are written by the worker: 202 with the job in ``Location``
    (``GET /jobs/{id}``, or ``GET /exports/{id}``) until ``file_url`` is set. Files are
    deleted after ``CLIENTELA_EXPORT_KEEP_DAYS`` days. Audited."""
    export, job = request_export(request.auth, kind=payload.kind)
    if job is None:
        response["Location"] = f"/api/v1/exports/{export.pk}"
        return Status(201, _out(export))
    response["Location"] = f"/api/v1/jobs/{job.pk}"
    response["Retry-After"] = str(POLL_SECONDS)
    return Status(202, _out(export))


@router.get("/exports/{export_id}", response=answers(200, ExportOut))
def get_export(request: HttpRequest, export_id: PathId) -> ExportOut:
    """An export you asked for (administrators: any): its status, rows and, once ready,
    where to fetch it."""
    return _out(access_export_by_id(request.auth, export_id))


@router.get("/exports/{export_id}/file", response={200: Any, ERROR_CODES: Problem},
            openapi_extra={"responses": {"200": {"description": "The CSV file",
                                                 "content": {"text/csv": {"schema": {"type": "string"}}}}}})
def get_export_file(request: HttpRequest, export_id: PathId) -> StreamingHttpResponse:
    """The export's CSV (UTF-8, CRLF rows; text a spreadsheet would run as a formula is
    prefixed with '), for the user who asked for it and administrators; 409 while it is
    being written."""
    export = access_export_by_id(request.auth, export_id)
    if export.status != ExportStatus.READY:
        raise Conflict(f"export {export.pk} is {export.status}, not ready")
    response = StreamingHttpResponse(storage.read(export), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    response["Cache-Control"] = "private, no-store"
    return response
