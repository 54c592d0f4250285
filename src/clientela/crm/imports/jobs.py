"""The import in the worker: the ``imports.run`` job.

Progress counts steps (reading the file, then for each table the importer's reading,
validating and writing). A file of one table is loaded in the importer's transaction, its
journal and its record written in the same one (``Journal.on_complete``); a recipe's two
tables (new customers, then the orders) in one transaction around both, so that a bad
order line leaves no customer behind. Run again after a lost worker, a job whose import
committed finds it imported and does nothing; one that did not commit starts over.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.db import transaction
from django.utils import timezone

from clientela.crm.errors import InvalidInput
from clientela.crm.imports.journal import Journal, summary
from clientela.crm.imports.models import FileImport, ImportStatus
from clientela.crm.imports.plan import errors_of, formula_problem, sheet_of, tables

STEPS_PER_TABLE = 3  # the importer's reading, validating, writing


def run_import_job(job: Any, *, import_id: int) -> dict[str, Any]:
    """Import ``import_id``; an unexpected error marks it failed (the job retries it)."""
    from clientela.crm.jobs.runner import WorkerStopping

    try:
        return _run(job, import_id)
    except WorkerStopping:
        raise
    except Exception:
        _failed(import_id, problem="The import stopped on an unexpected error; nothing was written. "
                                   "The worker tries it again (see the jobs page).")
        raise


def _run(job: Any, import_id: int) -> dict[str, Any]:
    upload = FileImport.objects.get(pk=import_id)
    if upload.status in (ImportStatus.IMPORTED, ImportStatus.UNDONE):
        return {"import": import_id, "status": upload.status}
    FileImport.objects.filter(pk=import_id).update(status=ImportStatus.RUNNING, started_at=timezone.now())
    job.progress(0, 1 + STEPS_PER_TABLE, force=True)
    try:
        sheet = sheet_of(upload)
        made = tables(upload, sheet, sheet.rows)
        problem = formula_problem(upload, sheet) if upload.file_format == "xlsx" else ""
        if problem:
            raise InvalidInput({"accept_formulas": problem})
    except InvalidInput as exc:
        return _failed(import_id, problem=" ".join(exc.errors.values()))
    total = 1 + STEPS_PER_TABLE * len(made)
    done = 1
    job.progress(done, total, force=True)

    def step(_label: str) -> None:
        nonlocal done
        done += 1
        job.progress(min(done, total), total, force=True, check_stop=False)

    def complete(journal: Journal) -> None:
        counts = {"tables": journal.counts, "rows": sum(c.rows for c in made), **summary(journal.entries)}
        FileImport.objects.filter(pk=import_id).update(
            status=ImportStatus.IMPORTED, journal=journal.dumps(), counts=counts, finished_at=timezone.now(),
            data=b"", errors=[], error_total=0, problem="")

    from clientela.crm.transfer.csv_import import FileProblem, ImportFailed, import_file

    journal = Journal(expected=len(made), on_complete=complete)
    outer = transaction.atomic() if len(made) > 1 else contextlib.nullcontext()
    canonical = made[0]
    try:
        with outer:
            for canonical in made:
                import_file(canonical.kind, canonical.data, create_missing=upload.create_missing,
                            actor=upload.created_by, file_name=upload.file_name, on_step=step, journal=journal,
                            import_id=import_id)
    except ImportFailed as exc:
        return _failed(import_id, errors=errors_of(exc, canonical), total=exc.total)
    except FileProblem as exc:
        return _failed(import_id, problem=str(exc))
    if len(journal.entries) < journal.expected:  # a table without rows loads nothing
        complete(journal)
    job.progress(total, total, force=True, check_stop=False)
    return {"import": import_id, "status": ImportStatus.IMPORTED.value}


def _failed(import_id: int, *, problem: str = "", errors: list[dict[str, Any]] | None = None,
            total: int = 0) -> dict[str, Any]:
    FileImport.objects.filter(pk=import_id).update(
        status=ImportStatus.FAILED, problem=problem[:500], errors=errors or [], error_total=total,
        finished_at=timezone.now())
    return {"import": import_id, "status": ImportStatus.FAILED.value, "errors": total}
