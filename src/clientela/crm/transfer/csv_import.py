"""Import actions: read, validate and load a CSV of any record kind (columns.py).

This module owns the import's transaction: every row is validated before any
write, and the load runs in one ``transaction.atomic()`` block, so a file is
either imported whole or not at all. PostgreSQL loads through COPY and
set-based SQL (pg_copy.py); other databases (SQLite) through batched ORM
writes (batch_load.py). Both upsert by the same keys (docs/import-export.md). Parties
(party_load.py) and the smaller kinds (record_load.py) load with batched ORM writes on
every database.
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
from clientela.crm.transfer.csv_reader import FileProblem, RawTable, read_csv
from clientela.crm.transfer.validation import CheckedTable, check_table

ERROR_CAP = 100

__all__ = ["ERROR_CAP", "ErrorKind", "FileProblem", "ImportFailed", "ImportResult", "RowError", "RowsRefused",
           "import_file"]


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


class RowsRefused(Exception):
    """Raised by a loader (inside the transaction, which is then rolled back) for rows that
    break a rule only the stored records can tell: (0-based row, column, reason)."""

    def __init__(self, rows: list[tuple[int, str, str]]) -> None:
        self.rows = rows
        super().__init__(f"{len(rows)} row(s) refused")


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
    map_values: Mapping[str, Mapping[str, str]] | None = None,
    journal: Any = None,
    import_id: int | None = None,
    announce: bool = True,
) -> ImportResult:
    """Validate ``source`` (a path or the file's bytes) and upsert its rows.

    A import that writes is audited in its own transaction: one entry (entity
    ``import``, the file's SHA-256 as its id) naming ``actor`` (``None``: the system),
    the file's name (``file_name``, else the path's), its kind and the counts.

    Raises ``FileProblem`` when the file cannot be read at all and ``ImportFailed``
    when rows are bad; in both cases nothing is written. With ``dry_run`` the load
    runs inside a transaction that is rolled back, so the counts are exact and
    nothing is kept. A file with a header and no rows imports nothing (rows=0).
    ``map_values`` ({column: {from: to}}) rewrites a column's cells before they are
    checked (``--map-values``): a cell equal to ``from`` (ignoring case and surrounding
    spaces) reads as ``to``.

    ``journal`` (the import wizard's undo journal, ``crm/imports/journal.py``) is told
    ``before(checked)`` and ``after(checked, counts)`` around the load, in its transaction.

    A file that writes announces itself to webhooks (``import.completed``, and per record
    for a small file: ``webhooks.import_events``; ``import_id`` names the wizard's import)
    and, once committed, lets playbooks waiting on a first order or an NPS detractor act
    (one job for the file: ``playbooks.engine.after_commit``) — unless ``announce`` is off
    (the wizard's preview, which loads the file in a transaction it rolls back).
    """
    started = time.monotonic()
    kind = Kind(kind)
    step = on_step or (lambda _label: None)
    step("reading")
    raw = read_csv(source, kind, mapping)
    if raw.num_rows == 0:
        return ImportResult(kind, 0, 0, 0, 0, time.monotonic() - started, dry_run)
    if map_values:
        _map_values(raw, map_values)
    step("validating")
    checked = check_table(raw)
    missing_refs = _check_customer_refs(checked, create_missing=create_missing)
    from clientela.crm.transfer.references import resolve

    resolve(checked)
    _raise_errors(raw, checked)
    step("writing")
    counts = LoadCounts()
    from clientela.crm.webhooks.import_events import ImportAnnouncer

    # A dry run or a preview announces nothing: no look at the subscriptions.
    announcing = announce and not dry_run
    announcer = ImportAnnouncer(kind=kind.value, rows=raw.num_rows, import_id=import_id) if announcing else None
    try:
        with transaction.atomic():
            if journal is not None:  # hook: the import wizard's undo journal
                journal.before(checked)
            if announcer is not None:
                announcer.before(checked)
            counts = _load(checked, missing_refs)
            if dry_run:
                raise _DryRunRollback
            digest = _audit(actor, kind, source, file_name, raw.num_rows, counts)
            if journal is not None:  # hook: the import wizard's undo journal
                journal.after(checked, counts)
            if announcer is not None:
                announcer.after(checked, counts, file_sha256=digest)
                _playbook_events(kind, counts)
    except _DryRunRollback:
        pass
    except RowsRefused as exc:
        for row, column, reason in exc.rows:
            checked.errors.add(np.array([row]), column, reason)
        _raise_errors(raw, checked)
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


def _raise_errors(raw: RawTable, checked: CheckedTable) -> None:
    if checked.errors.count:
        errors = [RowError(*e) for e in checked.errors.first(raw, ERROR_CAP)]
        kinds = [ErrorKind(*k) for k in checked.errors.summary(raw)]
        raise ImportFailed(errors, checked.errors.count, kinds)


def _map_values(raw: RawTable, map_values: Mapping[str, Mapping[str, str]]) -> None:
    for column, pairs in map_values.items():
        if column not in raw.columns:
            raise FileProblem(f"--map-values {column}=…: the file has no column {column!r} for {raw.kind} "
                              f"(its columns: {', '.join(raw.columns)})")
        table = {source.strip().lower(): target for source, target in pairs.items()}
        encoded = pc.dictionary_encode(raw.columns[column])
        words = [table.get(w.strip().lower(), w) for w in encoded.dictionary.to_pylist()]
        raw.columns[column] = pc.take(pa.array(words, pa.string()), encoded.indices)


def _playbook_events(kind: Kind, counts: LoadCounts) -> None:
    """New orders or survey answers may be first orders or detractors' answers: one
    evaluation of the waiting playbooks once the import commits (the job reads which)."""
    event = {Kind.ORDERS: "first_order", Kind.SURVEY_ANSWERS: "nps_detractor"}.get(kind)
    if event is not None and counts.created:
        from clientela.crm.playbooks.engine import after_commit

        after_commit(event, None)


def _audit(actor: Any, kind: Kind, source: Path | str | bytes, file_name: str | None, rows: int,
           counts: LoadCounts) -> str:
    """Write the import's audit entry; the file's SHA-256 (its id there)."""
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
    return digest.hexdigest()


def _load(checked: CheckedTable, missing_refs: list[str]) -> LoadCounts:
    if connection.vendor == "postgresql":
        from clientela.crm.transfer import pg_copy as loader
    else:
        from clientela.crm.transfer import batch_load as loader  # type: ignore[no-redef]
    if checked.kind in (Kind.PARTIES, Kind.CUSTOMERS):
        from clientela.crm.transfer.party_load import load_parties

        return load_parties(checked)
    if checked.kind is Kind.ORDERS:
        return loader.load_orders(checked, missing_refs)
    if checked.kind is Kind.INTERACTIONS:
        return loader.load_interactions(checked, missing_refs)
    from clientela.crm.transfer.record_load import load

    return load(checked)


def _check_customer_refs(checked: CheckedTable, *, create_missing: bool) -> list[str]:
    """Orders and interactions: flag rows naming an unknown customer_ref; with
    ``create_missing`` return those refs."""
    if checked.kind not in (Kind.ORDERS, Kind.INTERACTIONS):
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



def import_all(directory: Path | str, *, actor: Any = None, dry_run: bool = False) -> list[tuple[Path, ImportResult]]:
    """Import every ``KIND.csv`` of ``directory`` (as ``export_all`` writes them) in the
    order of ``columns.ALL_KINDS``, all in one transaction: a bad row in any file raises
    ``ImportFailed`` (its ``path`` attribute names the file) and nothing is written. A
    kind without its file is skipped; a CSV file that names no kind is a ``FileProblem``."""
    from clientela.crm.transfer.columns import ALL_KINDS

    directory = Path(directory)
    known = {f"{kind.value}.csv" for kind in ALL_KINDS}
    strays = sorted(p.name for p in directory.glob("*.csv") if p.name not in known)
    if strays:
        raise FileProblem(f"{directory}: {', '.join(strays)} name(s) no record kind "
                          f"(expected: {', '.join(sorted(known))})")
    results: list[tuple[Path, ImportResult]] = []
    try:
        with transaction.atomic():
            for kind in ALL_KINDS:
                path = directory / f"{kind.value}.csv"
                if not path.exists():
                    continue
                try:
                    results.append((path, import_file(kind, path, actor=actor)))
                except (ImportFailed, FileProblem) as exc:
                    exc.path = path  # type: ignore[attr-defined,union-attr]
                    if isinstance(exc, FileProblem):
                        raise FileProblem(f"{path}: {exc}") from None
                    raise
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    if not results:
        raise FileProblem(f"{directory}: no KIND.csv file to import (expected: {', '.join(sorted(known))})")
    return results
