"""Import actions: read, validate and load a CSV of customers, orders or interactions.

This module owns the import's transaction: every row is validated before any
write, and the load runs in one ``transaction.atomic()`` block, so a file is
either imported whole or not at all. PostgreSQL loads through COPY and
set-based SQL (pg_copy.py); other databases (SQLite) through batched ORM
writes (batch_load.py). Both upsert by the same keys (docs/import-export.md).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.db import connection, transaction

from clientela.crm.transfer.columns import Kind
from clientela.crm.transfer.csv_reader import FileProblem, read_csv
from clientela.crm.transfer.validation import CheckedTable, check_table

ERROR_CAP = 100

__all__ = ["ERROR_CAP", "ErrorKind", "FileProblem", "ImportFailed", "ImportResult", "RowError", "import_file"]


@dataclass(frozen=True)
class RowError:
    line: int  # physical line in the file, header = 1
    column: str  # canonical column ("" for a problem with the whole row)
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class ErrorKind:
    """All the errors of one column and reason: how many rows, and the first one's line."""

    column: str
    reason: str
    rows: int
    first_line: int


class ImportFailed(Exception):
    """Some rows are bad; nothing was written. ``errors`` holds the first ``ERROR_CAP``,
    ``kinds`` every error counted by column and reason."""

    def __init__(self, errors: list[RowError], total: int, kinds: list[ErrorKind] | None = None) -> None:
        self.errors = errors
        self.total = total
        self.kinds = kinds or []
        super().__init__(f"{total} error(s) in the file; nothing was imported")


@dataclass
class LoadCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Side effects worth reporting, e.g. {"products created": 3}.
    extra: dict[str, int] = field(default_factory=dict)


@dataclass
class ImportResult:
    kind: Kind
    rows: int
    created: int
    updated: int
    unchanged: int
    elapsed: float
    dry_run: bool
    extra: dict[str, int] = field(default_factory=dict)


class _DryRunRollback(Exception):
    pass


def import_file(
    kind: Kind | str,
    source: Path | str | bytes,
    *,
    mapping: Mapping[str, str] | None = None,
    dry_run: bool = False,
    create_missing: bool = False,
    on_step: Callable[[str], None] | None = None,
    actor: Any = None,
    file_name: str | None = None,
    journal: Any = None,
) -> ImportResult:
    """Validate ``source`` (a path or the file's bytes) and upsert its rows.

    A import that writes is audited in its own transaction: one entry (entity
    ``import``, the file's SHA-256 as its id) naming ``actor`` (``None``: the system),
    the file's name (``file_name``, else the path's), its kind and the counts.

    Raises ``FileProblem`` when the file cannot be read at all and ``ImportFailed``
    when rows are bad; in both cases nothing is written. With ``dry_run`` the load
    runs inside a transaction that is rolled back, so the counts are exact and
    nothing is kept. A file with a header and no rows imports nothing (rows=0).

    ``journal`` (the import wizard's undo journal, ``crm/imports/journal.py``) is told
    ``before(checked)`` and ``after(checked, counts)`` around the load, in its transaction.
    """
    started = time.monotonic()
    kind = Kind(kind)
    step = on_step or (lambda _label: None)
    step("reading")
    raw = read_csv(source, kind, mapping)
    if raw.num_rows == 0:
        return ImportResult(kind, 0, 0, 0, 0, time.monotonic() - started, dry_run)
    step("validating")
    checked = check_table(raw)
    missing_refs = _check_customer_refs(checked, create_missing=create_missing)
    if checked.errors.count:
        errors = [RowError(*e) for e in checked.errors.first(raw, ERROR_CAP)]
        kinds = [ErrorKind(*k) for k in checked.errors.summary(raw)]
        raise ImportFailed(errors, checked.errors.count, kinds)
    step("writing")
    counts = LoadCounts()
    try:
        with transaction.atomic():
            if journal is not None:  # hook: the import wizard's undo journal
                journal.before(checked)
            counts = _load(checked, missing_refs)
            if dry_run:
                raise _DryRunRollback
            _audit(actor, kind, source, file_name, raw.num_rows, counts)
            if journal is not None:  # hook: the import wizard's undo journal
                journal.after(checked, counts)
    except _DryRunRollback:
        pass
    return ImportResult(
        kind=kind,
        rows=raw.num_rows,
        created=counts.created,
        updated=counts.updated,
        unchanged=counts.unchanged,
        elapsed=time.monotonic() - started,
        dry_run=dry_run,
        extra=counts.extra,
    )


def _audit(actor: Any, kind: Kind, source: Path | str | bytes, file_name: str | None, rows: int,
           counts: LoadCounts) -> None:
    from clientela.crm.audit.actions import record_change

    digest = hashlib.sha256()
    if isinstance(source, bytes):
        digest.update(source)
    else:
        with open(source, "rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
        file_name = file_name or Path(source).name
    summary = {"kind": kind.value, "file": file_name or "", "rows": rows, "created": counts.created,
               "updated": counts.updated, "unchanged": counts.unchanged, **counts.extra}
    record_change(actor, action="create", entity="import", object_id=digest.hexdigest(),
                  changes={name: (None, value) for name, value in summary.items()})


def _load(checked: CheckedTable, missing_refs: list[str]) -> LoadCounts:
    if connection.vendor == "postgresql":
        from clientela.crm.transfer import pg_copy as loader
    else:
        from clientela.crm.transfer import batch_load as loader  # type: ignore[no-redef]
    if checked.kind is Kind.CUSTOMERS:
        return loader.load_customers(checked)
    if checked.kind is Kind.ORDERS:
        return loader.load_orders(checked, missing_refs)
    return loader.load_interactions(checked, missing_refs)


def _check_customer_refs(checked: CheckedTable, *, create_missing: bool) -> list[str]:
    """Flag rows naming an unknown customer_ref; with ``create_missing`` return those refs."""
    if checked.kind is Kind.CUSTOMERS:
        return []
    refs = checked.columns["customer_ref"]
    distinct = pc.unique(refs)
    # A ref with a NUL is refused by its cell check; it is not looked up (PostgreSQL's
    # COPY would fail on it).
    known = known_party_refs([r for r in distinct.to_pylist() if r and "\x00" not in r])
    unknown_mask = ~np.asarray(pc.fill_null(pc.is_in(refs, value_set=pa.array(sorted(known), pa.string())), False))
    unknown_mask &= np.asarray(pc.not_equal(pc.utf8_length(refs), 0))
    if create_missing:
        return sorted(set(pc.filter(refs, pa.array(unknown_mask)).to_pylist()))
    checked.errors.add(
        np.flatnonzero(unknown_mask),
        "customer_ref",
        "no customer has this customer_ref (import the customers first, or use --create-missing)",
    )
    return []


def known_party_refs(refs: list[str]) -> set[str]:
    """Which of ``refs`` already name a party."""
    from clientela.crm.parties.models import Party

    found: set[str] = set()
    if connection.vendor == "postgresql":
        from clientela.crm.transfer.pg_bulk import existing_keys

        # A transaction of its own (or the caller's) for the TEMP table of refs.
        with transaction.atomic(), connection.cursor() as cursor:
            return existing_keys(cursor.cursor, Party._meta.db_table, "ref", pa.array(refs, pa.string()))
    for start in range(0, len(refs), 500):
        chunk = refs[start:start + 500]
        found.update(Party.objects.filter(ref__in=chunk).values_list("ref", flat=True))
    return found

