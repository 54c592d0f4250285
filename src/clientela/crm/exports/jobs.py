"""The ``export.csv`` job: write a large export's file in the worker (idempotent: a
second run writes the file again from the start and replaces the first's chunks)."""

from __future__ import annotations

from typing import Any

from clientela.crm.exports.actions import write_export
from clientela.crm.exports.models import ExportFile
from clientela.crm.exports.sources import count_rows, source_for


def export_job(job: Any, *, export_id: int) -> dict[str, Any]:
    export = ExportFile.objects.select_related("created_by").get(pk=export_id)
    total = count_rows(export.created_by, source_for(export.created_by, export.kind))
    job.progress(0, total, force=True)
    export = write_export(export.created_by, export, progress=lambda rows: job.progress(rows, total))
    job.progress(export.rows, export.rows, force=True, check_stop=False)
    return {"export_id": export.pk, "rows": export.rows, "bytes": export.size}
