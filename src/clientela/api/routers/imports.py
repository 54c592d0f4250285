"""/imports: the import wizard's flow as operations — upload a file, change how it is read
and mapped, preview it, start the import (a job), follow it, undo it. Roles with the
``import`` capability (admins, managers, marketers); an import being prepared is its
uploader's alone."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from clientela.api.fields import PathId
from clientela.api.responses import answers
from clientela.api.schemas.imports import ImportOut, ImportPreviewOut, ImportSettingsIn, UndoOut
from clientela.crm.errors import InvalidInput
from clientela.crm.imports import actions, limits
from clientela.crm.imports.access import access_import, require_import
from clientela.crm.imports.models import FileImport
from clientela.crm.imports.plan import inspect

router = Router(tags=["imports"])


def _when(value: Any) -> str | None:
    return value.isoformat() if value else None


def _out(upload: FileImport) -> dict[str, Any]:
    job = upload.job
    return {
        "id": upload.pk, "file_name": upload.file_name, "file_size": upload.file_size,
        "file_format": upload.file_format, "status": upload.status, "kind": upload.kind, "recipe": upload.recipe,
        "encoding": upload.encoding, "delimiter": upload.delimiter, "mapping": upload.mapping,
        "create_missing": upload.create_missing, "accept_formulas": upload.accept_formulas,
        "created_by": upload.created_by.get_username() if upload.created_by else None,
        "created_at": upload.created_at.isoformat(), "finished_at": _when(upload.finished_at),
        "undone_at": _when(upload.undone_at), "job_id": upload.job_id,
        "progress_done": job.progress_done if job else None, "progress_total": job.progress_total if job else None,
        "counts": upload.counts or {}, "problem": upload.problem, "errors": upload.errors or [],
        "error_total": upload.error_total,
    }


def _read_file(request: HttpRequest) -> bytes:
    """The request's body: the file (the gateway checked its size against the limit)."""
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    limits.check_size(length)
    return request.read(length) if length else b""


@router.post("/imports/upload", response=answers(201, ImportOut),
             summary="Upload a file to import",
             description="The body is the file itself (CSV in UTF-8, Windows-1250 or Windows-1251 with any "
                         "common delimiter, or XLSX), up to CLIENTELA_IMPORT_MAX_MB; name it with "
                         "``?file_name=``. Encoding, delimiter, kind, a shop's recipe and the mapping are "
                         "guessed (a source seen before gets its remembered mapping). Nothing is imported yet.")
def upload(request: HttpRequest, file_name: str = Query("upload.csv", max_length=255)) -> Status:
    require_import(request.auth)
    created = actions.upload_file(request.auth, file_name=file_name, data=_read_file(request))
    return Status(201, _out(created))


@router.get("/imports/{import_id}", response=answers(200, ImportOut),
            summary="An import: its settings, status, progress and counts",
            description="Poll it while the job runs: status queued → running → imported (or failed, with "
                        "the bad rows).")
def get_import(request: HttpRequest, import_id: PathId) -> dict[str, Any]:
    return _out(access_import(request.auth, import_id))


@router.patch("/imports/{import_id}", response=answers(200, ImportOut),
              summary="Change how the file is read and mapped",
              description="Encoding, delimiter, kind, recipe, mapping (file column → field, or - to skip), "
                          "whether to create missing customers and to import formulas' computed values. "
                          "The mapping is remembered for the next file with the same header.")
def change_import(request: HttpRequest, import_id: PathId, payload: ImportSettingsIn) -> dict[str, Any]:
    upload = access_import(request.auth, import_id)
    actions.update_settings(request.auth, upload, **payload.dict(exclude_none=True))
    return _out(upload)


@router.post("/imports/{import_id}/file", response=answers(200, ImportOut),
             summary="Replace the file with a corrected one",
             description="The body is the file, as for /imports/upload; the settings and mapping are kept.")
def replace_file(request: HttpRequest, import_id: PathId,
                 file_name: str = Query("upload.csv", max_length=255)) -> dict[str, Any]:
    upload = access_import(request.auth, import_id)
    actions.replace_file(request.auth, upload, file_name=file_name, data=_read_file(request))
    return _out(upload)


@router.get("/imports/{import_id}/preview", response=answers(200, ImportPreviewOut),
            summary="Preview: the first rows as they will be stored, and the bad rows",
            description="The page's check: the first 10,000 rows are imported in a transaction that is "
                        "rolled back; ``ready`` says whether the import may start.")
def preview(request: HttpRequest, import_id: PathId) -> dict[str, Any]:
    upload = access_import(request.auth, import_id)
    if upload.status not in actions.EDITABLE:
        raise InvalidInput({"status": "the import has started: see GET /imports/{id}"})
    found = inspect(upload)
    return {**found.__dict__, "ready": found.ready,
            "previews": [{"kind": p.kind, "columns": p.columns, "rows": _jsonable(p.rows)} for p in found.previews]}


def _jsonable(rows: list[list[Any]]) -> list[list[Any]]:
    return [[v if v is None or isinstance(v, (str, int, float, bool)) else str(v) for v in row] for row in rows]


@router.post("/imports/{import_id}/start", response=answers(202, ImportOut),
             summary="Start the import (a job)",
             description="Refused (422) when the mapping leaves a required field out, maps two columns to one "
                         "field, or a workbook's formulas are not confirmed; the job checks every row and "
                         "writes all or nothing.")
def start(request: HttpRequest, import_id: PathId) -> Status:
    upload = access_import(request.auth, import_id)
    actions.start_import(request.auth, upload)
    return Status(202, _out(upload))


@router.post("/imports/{import_id}/undo", response=answers(200, UndoOut), by_alias=True,
             summary="Undo an import",
             description="Removes what the import created and restores what it changed. Imports are undone "
                         "newest first (409 while a later one is in place).")
def undo(request: HttpRequest, import_id: PathId) -> dict[str, Any]:
    upload = access_import(request.auth, import_id)
    removed = actions.undo_import(request.auth, upload)
    return {"import": _out(upload), "removed": removed}
