"""Reading an upload with its settings: the canonical tables to import, and what the
wizard's page shows before anything is written (the mapping's problems, formulas in a
workbook, a preview of the first rows as they will be stored, the bad rows).

The page checks the first ``CHECK_ROWS`` rows by running the import of them inside a
transaction that is rolled back (every rule of the importer, the customers of an order
file included); the job checks every row again before it writes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clientela.crm.errors import InvalidInput
from clientela.crm.imports import recipes
from clientela.crm.imports.canonical import CanonicalFile, check_mapping, write_canonical
from clientela.crm.imports.models import FileImport
from clientela.crm.imports.sources import Sheet, open_sheet

CHECK_ROWS = 10_000
PREVIEW_ROWS = 10
SAMPLE_ROWS = 3
ERROR_CAP = 100


@dataclass
class Preview:
    kind: str
    columns: list[str]
    rows: list[list[Any]]


@dataclass
class Inspection:
    header: list[str] = field(default_factory=list)
    samples: dict[str, list[str]] = field(default_factory=dict)  # column → its first values
    problem: str = ""  # the file cannot be read with these settings
    mapping_problem: str = ""
    formula_cells: list[str] = field(default_factory=list)
    formula_count: int = 0
    uncomputed_cells: list[str] = field(default_factory=list)
    previews: list[Preview] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_total: int = 0
    checked_rows: int = 0
    more_rows: bool = False
    counts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not (self.problem or self.mapping_problem or self.error_total or self.uncomputed_cells)


def sheet_of(file_import: FileImport) -> Sheet:
    return open_sheet(bytes(file_import.data), file_format=file_import.file_format,
                      encoding=file_import.encoding, delimiter=file_import.delimiter)


def tables(file_import: FileImport, sheet: Sheet, rows: Iterable[tuple[int, list[str]]]) -> list[CanonicalFile]:
    """The canonical files of ``rows``, in the order they are imported."""
    if file_import.recipe:
        made = recipes.read(file_import.recipe, sheet.header, iter(rows))
        return [write_canonical(t.kind, t.header, t.rows, {h: h for h in t.header}) for t in made]
    return [write_canonical(file_import.kind, sheet.header, rows, file_import.mapping)]


def formula_problem(file_import: FileImport, sheet: Sheet) -> str:
    """Why the formulas of a workbook stop the import ("" when they do not)."""
    if sheet.uncomputed_cells:
        return _("Cells %(cells)s hold formulas without a saved result: open the file in Excel and save it, "
                 "or paste the values over the formulas.") % {"cells": ", ".join(sheet.uncomputed_cells)}
    if sheet.formula_count and not file_import.accept_formulas:
        return ngettext(
            "%(count)s cell holds a formula (%(cells)s): confirm that the value Excel last computed is to be "
            "imported.",
            "%(count)s cells hold formulas (%(cells)s): confirm that the values Excel last computed are to be "
            "imported.", sheet.formula_count) % {"count": sheet.formula_count, "cells": ", ".join(sheet.formula_cells)}
    return ""


def inspect(file_import: FileImport) -> Inspection:
    """What the page shows for ``file_import`` with its current settings."""
    from clientela.crm.transfer.csv_reader import read_csv
    from clientela.crm.transfer.validation import check_table

    found = Inspection()
    try:
        sheet = sheet_of(file_import)
        found.header = sheet.header
        rows = list(_take(sheet.rows, CHECK_ROWS + 1))
    except InvalidInput as exc:
        found.problem = " ".join(exc.errors.values())
        return found
    found.more_rows = len(rows) > CHECK_ROWS
    rows = rows[:CHECK_ROWS]
    found.checked_rows = len(rows)
    found.samples = {h: [r[i] if i < len(r) else "" for _line, r in rows[:SAMPLE_ROWS]]
                     for i, h in enumerate(sheet.header)}
    found.formula_cells, found.formula_count = sheet.formula_cells, sheet.formula_count
    found.uncomputed_cells = sheet.uncomputed_cells
    if not file_import.recipe:
        try:
            check_mapping(sheet.header, file_import.mapping, file_import.kind)
        except InvalidInput as exc:
            found.mapping_problem = exc.errors["mapping"]
            return found
    made = tables(file_import, sheet, rows)
    for canonical in made:
        checked = check_table(read_csv(_first_records(canonical, PREVIEW_ROWS), canonical.kind))
        names = list(checked.columns)
        values = [checked.columns[n].to_pylist()[:PREVIEW_ROWS] for n in names]
        found.previews.append(Preview(canonical.kind.value, names, [list(r) for r in zip(*values, strict=True)]))
    dry_run(file_import, made, found)
    return found


def dry_run(file_import: FileImport, made: list[CanonicalFile], found: Inspection) -> None:
    """Import ``made`` in a transaction that is rolled back: the counts, or the bad rows."""
    from clientela.crm.transfer.csv_import import FileProblem, ImportFailed, import_file

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            for canonical in made:
                result = import_file(canonical.kind, canonical.data, create_missing=file_import.create_missing,
                                     announce=False)
                found.counts.append({"kind": canonical.kind.value, "rows": result.rows, "created": result.created,
                                     "updated": result.updated, "unchanged": result.unchanged, **result.extra})
            raise Rollback
    except Rollback:
        pass
    except ImportFailed as exc:
        found.errors = errors_of(exc, canonical)
        found.error_total = exc.total
        found.counts = []
    except FileProblem as exc:
        found.problem = str(exc)
        found.counts = []


def errors_of(exc: Any, canonical: CanonicalFile) -> list[dict[str, Any]]:
    """The importer's errors with the lines of the user's file."""
    def user_lines(reason: str) -> str:  # "the same customer_ref is on line 7"
        return re.sub(r"\bline (\d+)", lambda m: f"line {canonical.source_line(int(m.group(1)))}", reason)

    return [{"line": canonical.source_line(e.line), "column": e.column, "reason": user_lines(e.reason)}
            for e in exc.errors[:ERROR_CAP]]


def _take(rows: Iterator[tuple[int, list[str]]], limit: int) -> Iterator[tuple[int, list[str]]]:
    for count, item in enumerate(rows):
        if count >= limit:
            return
        yield item


def _first_records(canonical: CanonicalFile, count: int) -> bytes:
    """The header and the first ``count`` records of a canonical file."""
    data = canonical.data
    if canonical.rows <= count:
        return data
    stop_line = next(line for line, index in canonical.starts.items() if index == count)
    position = -1
    for _n in range(stop_line - 1):
        position = data.index(b"\n", position + 1)
    return data[: position + 1]
