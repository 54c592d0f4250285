"""The writes of exports: ask for one (written at once when small, else queued as the
``export.csv`` job), write its file, and purge the expired ones (a schedule)."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clientela.crm.audit.actions import created, record_change
from clientela.crm.exports import storage
from clientela.crm.exports.models import ExportFile, ExportStatus
from clientela.crm.exports.sources import count_rows, source_for


def request_export(actor: Any, *, kind: str) -> tuple[ExportFile, Any]:
    """Export ``kind`` (the rows ``actor`` may see): up to ``EXPORT_JOB_ROWS`` rows the
    file is written now and ``(export, None)`` returned; more are written by the worker:
    ``(export, job)``. Audited (who exported what, how many rows). ``InvalidInput`` for an
    unknown kind or nothing to export, ``NotPermitted`` without the right."""
    from clientela.crm.errors import InvalidInput
    from clientela.crm.jobs.actions import enqueue_job

    source = source_for(actor, kind)
    try:
        rows = count_rows(actor, source)
    except LookupError as exc:  # e.g. no scoring run yet
        raise InvalidInput({"kind": str(exc)}) from None
    now = timezone.now()
    with transaction.atomic():
        export = ExportFile.objects.create(
            kind=kind, created_by=actor if getattr(actor, "pk", None) else None, created_at=now,
            expires_at=now + timedelta(days=settings.EXPORT_KEEP_DAYS))
        record_change(actor, entity="export", object_id=export.pk, action="export",
                      changes=created({"kind": kind, "rows": rows}))
        job = None
        if rows > settings.EXPORT_JOB_ROWS:
            job = enqueue_job(actor, kind="export.csv", params={"export_id": export.pk},
                              label=f"Export {kind} ({rows} rows)", subject=f"export:{export.pk}")
            ExportFile.objects.filter(pk=export.pk).update(job=job)
            export.job = job
    if job is None:
        write_export(actor, export)
    return export, job


def write_export(actor: Any, export: ExportFile, *,
                 progress: Callable[[int], None] | None = None) -> ExportFile:
    """Write the export's file with the rows ``actor`` (the user who asked for it) may
    see — again from the start when an earlier attempt died — then mark it ready.
    ``progress(rows)`` as rows are written. (The request was audited.)"""
    source = source_for(actor, export.kind)
    with tempfile.TemporaryFile() as raw:
        with storage.gzip_writer(raw) as compressed:
            text = _CountingText(io.TextIOWrapper(compressed, encoding="utf-8", newline=""), progress)
            rows = source.write(text, narrow=source.narrow(actor))
            text.flush()
            size = text.size
            text.detach()
        storage.store(export, raw)
    ExportFile.objects.filter(pk=export.pk).update(
        status=ExportStatus.READY, rows=rows, size=size, finished_at=timezone.now())
    export.refresh_from_db()
    return export


class _CountingText:
    """A text stream that counts the csv writer's rows (one ``write`` per row) and bytes."""

    def __init__(self, inner: io.TextIOWrapper, progress: Callable[[int], None] | None) -> None:
        self.inner, self.progress = inner, progress
        self.writes = 0
        self.size = 0

    def write(self, text: str) -> int:
        self.writes += 1
        self.size += len(text.encode("utf-8"))
        if self.progress is not None and self.writes % 1000 == 0:
            self.progress(self.writes - 1)  # the header is not a row
        return self.inner.write(text)

    def flush(self) -> None:
        self.inner.flush()

    def detach(self) -> None:
        self.inner.detach()


def purge_expired_exports(actor: Any, now: datetime) -> dict[str, Any]:
    """The purge-exports schedule: delete exports (and their files) expired before ``now``."""
    deleted, by_model = ExportFile.objects.filter(expires_at__lt=now).delete()
    return {"deleted": by_model.get("exports.ExportFile", 0)}
