"""Every write of the import wizard: upload a file, change how it is read and mapped,
replace it with a corrected one, start its import (a job), undo an import. Each takes the
acting user first and writes its audit entry (entity ``file_import``)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.crm.audit.actions import created, record_change
from clientela.crm.errors import Conflict, InvalidInput
from clientela.crm.imports import headers, journal, recipes, sources
from clientela.crm.imports.access import require_import, require_undo
from clientela.crm.imports.canonical import check_mapping
from clientela.crm.imports.limits import check_size
from clientela.crm.imports.models import FileImport, ImportStatus, SavedMapping
from clientela.crm.imports.plan import formula_problem, sheet_of
from clientela.crm.imports.queries import saved_mapping
from clientela.crm.transfer.columns import IGNORE_FIELD, Kind

EDITABLE = (ImportStatus.DRAFT, ImportStatus.FAILED)


def _read_settings(data: bytes, file_name: str, *, encoding: str = "", delimiter: str = "") -> tuple[
        str, str, str, sources.Sheet]:
    """The format, encoding and delimiter to read ``data`` with (the given ones when they
    read it, else guessed), and its sheet; ``InvalidInput`` for an empty one."""
    file_format = sources.file_format(file_name, data)
    if file_format == "xlsx":
        sheet = sources.xlsx_sheet(data)
        encoding = delimiter = ""
    else:
        candidates = [encoding] if encoding else []
        candidates += [sources.guess_encoding(data), *sources.ENCODINGS]
        text = None
        for candidate in candidates:
            try:
                text = sources.decode(data, candidate)
            except InvalidInput:
                continue
            encoding = candidate
            break
        if text is None:
            text = sources.decode(data, candidates[0])  # raises, naming the first bad byte
        delimiter = delimiter if delimiter in sources.DELIMITERS and delimiter in text[:65536] \
            else sources.guess_delimiter(text)
        sheet = sources.csv_sheet(text, delimiter)
    first = next(sheet.rows, None)
    if first is None:
        raise InvalidInput({"file": _("The file has a header and no rows: there is nothing to import.")})
    return file_format, encoding, delimiter, sheet


def _mapping_for(header: list[str], kind: Kind | str, remembered: SavedMapping | None) -> dict[str, str]:
    automatic = headers.auto_mapping(header, kind)
    if remembered is not None and remembered.kind == Kind(kind).value:
        return {h: remembered.mapping.get(h, automatic.get(h, IGNORE_FIELD)) for h in automatic}
    return automatic


@transaction.atomic
def upload_file(actor: Any, *, file_name: str, data: bytes) -> FileImport:
    """Keep an uploaded file as an import being prepared, read with guessed settings:
    a shop's export is given its recipe, a source seen before its remembered mapping."""
    require_import(actor)
    check_size(len(data))
    file_format, encoding, delimiter, sheet = _read_settings(data, file_name)
    recipe = recipes.recognise(sheet.header)
    remembered = saved_mapping(headers.signature(sheet.header))
    if recipe:
        kind = Kind.ORDERS
    elif remembered is not None and remembered.kind in {k.value for k in journal.WIZARD_KINDS}:
        kind = Kind(remembered.kind)
    else:
        kind = headers.guess_kind(sheet.header, journal.WIZARD_KINDS)
    upload = FileImport.objects.create(
        created_by=actor if getattr(actor, "pk", None) else None, created_at=timezone.now(),
        file_name=file_name[:255], file_size=len(data), file_format=file_format,
        sha256=hashlib.sha256(data).hexdigest(), data=data, kind=kind.value, recipe=recipe,
        encoding=encoding, delimiter=delimiter, mapping=_mapping_for(sheet.header, kind, remembered),
        create_missing=bool(recipe),
    )
    record_change(actor, entity="file_import", object_id=upload.pk, action="create", changes=created({
        "file": upload.file_name, "size": upload.file_size, "kind": upload.kind, "recipe": recipe}))
    return upload


def _editable(upload: FileImport) -> None:
    if upload.status not in EDITABLE:
        raise Conflict(_("This import has started already; upload the file again to import it anew."))


@transaction.atomic
def update_settings(
    actor: Any, upload: FileImport, *, encoding: str | None = None, delimiter: str | None = None,
    kind: str | None = None, mapping: dict[str, str] | None = None, recipe: str | None = None,
    create_missing: bool | None = None, accept_formulas: bool | None = None,
) -> FileImport:
    """Change how ``upload`` is read (encoding, delimiter), what it holds (kind, or a shop's
    recipe) and how its columns map onto fields; the mapping is remembered for the next
    file with the same header."""
    require_import(actor)
    _editable(upload)
    before = {"encoding": upload.encoding, "delimiter": upload.delimiter, "kind": upload.kind,
              "recipe": upload.recipe, "mapping": upload.mapping}
    if encoding is not None and upload.file_format == "csv":
        if encoding not in sources.ENCODINGS:
            raise InvalidInput({"encoding": _("%(value)s is not one of the encodings offered") % {"value": encoding}})
        upload.encoding = encoding
    if delimiter is not None and upload.file_format == "csv":
        if delimiter not in sources.DELIMITERS:
            raise InvalidInput({"delimiter": _("%(value)s is not one of the delimiters offered")
                                % {"value": repr(delimiter)}})
        upload.delimiter = delimiter
    if kind is not None:
        if kind not in {k.value for k in journal.WIZARD_KINDS}:
            raise InvalidInput({"kind": _("%(value)s is not a kind of file the wizard imports") % {"value": kind}})
        upload.kind = kind
    if recipe is not None:
        if recipe and recipe not in recipes.RECIPES:
            raise InvalidInput({"recipe": _("%(value)s is not a recipe") % {"value": recipe}})
        upload.recipe = recipe
        if recipe:
            upload.kind = Kind.ORDERS.value
    if create_missing is not None:
        upload.create_missing = create_missing
    if accept_formulas is not None:
        upload.accept_formulas = accept_formulas
    sheet_header: list[str] = []
    try:
        sheet_header = sheet_of(upload).header
    except InvalidInput:
        pass  # shown on the page: the user chooses another encoding
    if mapping is not None:
        fields = {spec.name for spec in headers.fields(upload.kind)} | {IGNORE_FIELD}
        unknown = sorted({v for v in mapping.values() if v not in fields})
        if unknown:
            raise InvalidInput({"mapping": _("%(fields)s: not fields of this kind of file")
                                % {"fields": ", ".join(unknown)}})
        upload.mapping = {h: mapping.get(h, IGNORE_FIELD) for h in sheet_header} if sheet_header else dict(mapping)
        if sheet_header:
            SavedMapping.objects.update_or_create(
                signature=headers.signature(sheet_header),
                defaults={"kind": upload.kind, "mapping": upload.mapping, "encoding": upload.encoding,
                          "delimiter": upload.delimiter, "updated_at": timezone.now()})
    elif sheet_header and (set(upload.mapping) != set(h for h in sheet_header if h) or upload.kind != before["kind"]):
        # Read differently (another encoding or delimiter) or another kind: map afresh.
        upload.mapping = _mapping_for(sheet_header, upload.kind, saved_mapping(headers.signature(sheet_header)))
    if upload.status == ImportStatus.FAILED:
        upload.status = ImportStatus.DRAFT
    upload.save()
    after = {"encoding": upload.encoding, "delimiter": upload.delimiter, "kind": upload.kind,
             "recipe": upload.recipe, "mapping": upload.mapping}
    record_change(actor, entity="file_import", object_id=upload.pk, action="update",
                  changes={k: (before[k], after[k]) for k in before if before[k] != after[k]})
    return upload


@transaction.atomic
def replace_file(actor: Any, upload: FileImport, *, file_name: str, data: bytes) -> FileImport:
    """Put a corrected file in place of ``upload``'s, keeping its settings and mapping."""
    require_import(actor)
    _editable(upload)
    check_size(len(data))
    file_format, encoding, delimiter, sheet = _read_settings(
        data, file_name, encoding=upload.encoding, delimiter=upload.delimiter)
    old = upload.file_name
    upload.file_name, upload.file_size, upload.file_format = file_name[:255], len(data), file_format
    upload.data, upload.sha256 = data, hashlib.sha256(data).hexdigest()
    upload.encoding, upload.delimiter = encoding, delimiter
    if not upload.recipe:
        kept = {h: upload.mapping[h] for h in sheet.header if h in upload.mapping}
        automatic = headers.auto_mapping(sheet.header, upload.kind)
        upload.mapping = {h: kept.get(h, automatic[h]) for h in automatic}
    upload.status, upload.errors, upload.error_total, upload.problem = ImportStatus.DRAFT, [], 0, ""
    upload.save()
    record_change(actor, entity="file_import", object_id=upload.pk, action="update",
                  changes={"file": (old, upload.file_name), "sha256": ("", upload.sha256)})
    return upload


@transaction.atomic
def start_import(actor: Any, upload: FileImport) -> Any:
    """Queue the import of ``upload`` as a job (``imports.run``); ``InvalidInput`` when the
    file cannot be read, its mapping is incomplete or its formulas are not confirmed."""
    from clientela.crm.jobs.actions import enqueue_job

    require_import(actor)
    _editable(upload)
    sheet = sheet_of(upload)
    if not upload.recipe:
        check_mapping(sheet.header, upload.mapping, upload.kind)
    if upload.file_format == "xlsx":
        for _row in sheet.rows:
            pass
        problem = formula_problem(upload, sheet)
        if problem:
            raise InvalidInput({"accept_formulas": problem})
    job = enqueue_job(actor, kind="imports.run", params={"import_id": upload.pk},
                      label=f"import {upload.pk} ({upload.kind})", subject=f"import:{upload.pk}")
    upload.status, upload.job = ImportStatus.QUEUED, job
    upload.errors, upload.error_total, upload.problem, upload.counts = [], 0, "", {}
    upload.save(update_fields=["status", "job", "errors", "error_total", "problem", "counts"])
    record_change(actor, entity="file_import", object_id=upload.pk, action="update",
                  changes={"status": (ImportStatus.DRAFT.value, ImportStatus.QUEUED.value), "job": (None, job.pk)})
    return job


@transaction.atomic
def undo_import(actor: Any, upload: FileImport) -> dict[str, int]:
    """Remove what ``upload``'s import created and restore what it changed. Imports are
    undone newest first: a later import still in place may have changed the same records."""
    require_import(actor)
    require_undo(actor, upload)
    locked = FileImport.objects.select_for_update().get(pk=upload.pk)
    if locked.status != ImportStatus.IMPORTED:
        raise Conflict(_("Only an import that is in place can be undone."))
    later = (FileImport.objects.filter(status=ImportStatus.IMPORTED, finished_at__gt=locked.finished_at)
             .order_by("finished_at").values_list("file_name", flat=True))
    if later:
        raise Conflict(_("Undo the later imports first: %(files)s.") % {"files": ", ".join(later)})
    try:
        removed = journal.undo(journal.loads(locked.journal))
    except journal.UndoRefused as exc:
        raise Conflict(_("This import cannot be undone: %(reason)s.") % {"reason": exc}) from None
    locked.status, locked.undone_at = ImportStatus.UNDONE, timezone.now()
    locked.undone_by = actor if getattr(actor, "pk", None) else None
    locked.save(update_fields=["status", "undone_at", "undone_by"])
    record_change(actor, entity="file_import", object_id=locked.pk, action="update", changes={
        "status": (ImportStatus.IMPORTED.value, ImportStatus.UNDONE.value),
        **{f"{name} removed": (None, count) for name, count in removed.items() if count}})
    upload.refresh_from_db()
    return removed


@transaction.atomic
def purge_abandoned_imports(actor: Any, now: datetime) -> dict[str, Any]:
    """The purge-imports schedule: delete uploads left as drafts, or failed, for more than
    ``IMPORT_DRAFT_KEEP_DAYS`` days (each keeps the uploaded file, which may hold personal
    data). Imports that ran keep their record (their file was emptied when they ran)."""
    before = now - timedelta(days=settings.IMPORT_DRAFT_KEEP_DAYS)
    stale = FileImport.objects.filter(
        Q(status=ImportStatus.DRAFT, created_at__lt=before)
        | Q(status=ImportStatus.FAILED, finished_at__lt=before)
        | Q(status=ImportStatus.FAILED, finished_at__isnull=True, created_at__lt=before))
    rows = list(stale.values_list("pk", "status"))
    for pk, status in rows:
        record_change(actor, entity="file_import", object_id=pk, action="delete",
                      changes={"status": (status, None)})
    FileImport.objects.filter(pk__in=[pk for pk, _status in rows]).delete()
    return {"deleted": len(rows)}
