"""Large order loads on PostgreSQL: foreign keys and secondary indexes set aside, new orders COPYed in.

Django's foreign keys are DEFERRABLE INITIALLY DEFERRED, so every inserted order
and order line queues a row-by-row check that runs at COMMIT (about 35 µs each:
47 s of a 1M-line import). For a large load (``BULK_LINES`` lines or more) the
foreign keys of ``commerce_order`` and ``commerce_orderline`` are dropped inside
the import's transaction and added back at its end, where PostgreSQL validates
each with one set-based query. Their names and definitions are read from the
catalog (``pg_get_constraintdef``) and recreated exactly. When a table holds no
more rows than the load brings, its secondary indexes (those that back no
constraint) are dropped too and rebuilt from ``pg_get_indexdef`` at the end:
a sort-based build is much cheaper than a million incremental inserts.

Dropping a foreign key takes an ACCESS EXCLUSIVE lock on its table and on the
table it references, so for the whole write phase of such an import
``parties_party``, ``commerce_product``, ``commerce_order`` and
``commerce_orderline`` can be neither read nor written by other sessions
(docs/import-export.md). The locks are taken first, in one fixed order.

Everything stays in the one transaction: an error anywhere rolls the DDL back
with the rows. Identifiers come from the catalog and are quoted with
``psycopg.sql.Identifier``; the definitions are PostgreSQL's own DDL text.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter

from clientela.crm.transfer import pg_binary

log = logging.getLogger(__name__)

# Below this many order lines the deferred checks cost less than setting the
# constraints aside (and the import takes no table locks).
BULK_LINES = 50_000
# Re-adding a foreign key validates every row of its table (a hash anti-join,
# ~1 µs a row) where the deferred checks cost ~35 µs per *new* row: set the
# keys aside only while the table holds at most this many times the new rows.
FK_REVALIDATE_RATIO = 10
# Rough lower bound of the on-disk bytes per row, to estimate a table's rows
# from its size when statistics are stale or missing.
MIN_ROW_BYTES = 64
# Rows encoded at a time: the server parses one block while the next is encoded.
COPY_BATCH_ROWS = 100_000


@dataclass
class SetAside:
    """What was dropped, to be put back exactly: (schema, table or index name, DDL)."""

    active: bool = False
    tables: dict[str, int] = field(default_factory=dict)
    foreign_keys: list[tuple[str, str, str, str]] = field(default_factory=list)
    keys: list[tuple[str, str, str, str]] = field(default_factory=list)
    indexes: list[tuple[str, str, str]] = field(default_factory=list)
    flushed: list[tuple[str, str]] = field(default_factory=list)
    _foreign_keys: list[tuple[str, str, str, str, str, str]] = field(default_factory=list)

    def drop(self, cur: Any, *, unique_keys: bool) -> None:
        """Drop the foreign keys of the tables and, of each table the load outweighs, the
        secondary indexes; with ``unique_keys`` also its primary key and unique constraints
        that no foreign key depends on (only for rows known not to collide: the rebuild
        still checks them). Does nothing unless ``active``."""
        if not self.active:
            return
        started = time.perf_counter()
        for schema, table, name, definition, *_ in self._foreign_keys:
            cur.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                sql.Identifier(schema, table), sql.Identifier(name)))
            self.foreign_keys.append((schema, table, name, definition))
        for table, incoming in self.tables.items():
            if _estimated_rows(cur, table) > incoming:
                continue
            if unique_keys:
                for schema, table_name, name, definition in _unreferenced_keys(cur, table):
                    cur.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                        sql.Identifier(schema, table_name), sql.Identifier(name)))
                    self.keys.append((schema, table_name, name, definition))
            for schema, name, definition in _secondary_indexes(cur, table):
                cur.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(schema, name)))
                self.indexes.append((schema, name, definition))
        log.info("set aside %d foreign keys, %d keys, %d indexes in %.2f s", len(self.foreign_keys),
                 len(self.keys), len(self.indexes), time.perf_counter() - started)


@contextmanager
def bulk_load(cur: Any, *, rows: dict[str, int]) -> Iterator[SetAside]:
    """Prepare the current transaction for loading ``rows`` (table: rows about to be
    inserted): when worth it, lock the tables and the tables their foreign keys reference,
    and run the deferred checks already queued on them. The caller then calls
    ``drop``; whatever it dropped is put back when the block ends without an error.

    Yields a ``SetAside`` whose ``active`` is False when the load is too small or the
    tables too large relative to it; then nothing is locked or dropped.
    """
    aside = SetAside(tables=dict(rows))
    if not _worth_it(cur, rows):
        yield aside
        return
    aside.active = True
    aside._foreign_keys = _foreign_keys(cur, list(rows))
    locked = sorted({(fk[0], fk[1]) for fk in aside._foreign_keys}
                    | {(fk[4], fk[5]) for fk in aside._foreign_keys})
    _lock(cur, locked)
    aside.flushed = _flush_deferred_checks(cur, locked)
    yield aside
    _restore(cur, aside)


def _restore(cur: Any, aside: SetAside) -> None:
    started = time.perf_counter()
    for schema, table, name, definition in aside.keys:
        _timed(cur, sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(
            sql.Identifier(schema, table), sql.Identifier(name)) + sql.SQL(definition), name)  # type: ignore[arg-type]
    for _schema, name, definition in aside.indexes:
        _timed(cur, sql.SQL(definition), name)  # type: ignore[arg-type]  # PostgreSQL's own DDL
    log.info("rebuilt %d keys and %d indexes in %.2f s", len(aside.keys), len(aside.indexes),
             time.perf_counter() - started)
    started = time.perf_counter()
    for schema, table, name, definition in aside.foreign_keys:
        _timed(cur, sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(
            sql.Identifier(schema, table), sql.Identifier(name)) + sql.SQL(definition), name)  # type: ignore[arg-type]
    if aside.flushed:
        cur.execute(sql.SQL("SET CONSTRAINTS {} DEFERRED").format(
            sql.SQL(", ").join(sql.Identifier(s, n) for s, n in aside.flushed)))
    log.info("re-added (validated) %d foreign keys in %.2f s",
             len(aside.foreign_keys), time.perf_counter() - started)


def _timed(cur: Any, statement: sql.Composable, name: str) -> None:
    started = time.perf_counter()
    cur.execute(statement)
    log.debug("%s: %.2f s", name, time.perf_counter() - started)


def _worth_it(cur: Any, rows: dict[str, int]) -> bool:
    if max(rows.values(), default=0) < BULK_LINES:
        return False
    return all(_estimated_rows(cur, t) <= FK_REVALIDATE_RATIO * n for t, n in rows.items())


def _estimated_rows(cur: Any, table: str) -> float:
    """Rows in ``table``: the planner's count, or its size / MIN_ROW_BYTES if that is more."""
    cur.execute(
        "SELECT greatest(c.reltuples, pg_relation_size(c.oid) / %s) FROM pg_class c "
        "WHERE c.oid = %s::regclass",
        [MIN_ROW_BYTES, table],
    )
    return float(cur.fetchone()[0])


def _foreign_keys(cur: Any, tables: list[str]) -> list[tuple[str, str, str, str, str, str]]:
    """(schema, table, name, definition, referenced schema, referenced table) of the
    foreign keys of ``tables``."""
    cur.execute(
        "SELECT n.nspname, t.relname, c.conname, pg_get_constraintdef(c.oid), rn.nspname, r.relname "
        "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
        "JOIN pg_namespace n ON n.oid = t.relnamespace JOIN pg_class r ON r.oid = c.confrelid "
        "JOIN pg_namespace rn ON rn.oid = r.relnamespace "
        "WHERE c.contype = 'f' AND c.conrelid = ANY(%s::regclass[]) ORDER BY t.relname, c.conname",
        [tables],
    )
    return [tuple(row) for row in cur.fetchall()]


def _unreferenced_keys(cur: Any, table: str) -> list[tuple[str, str, str, str]]:
    """(schema, table, name, definition) of ``table``'s primary key and unique constraints
    whose index no foreign key uses."""
    cur.execute(
        "SELECT n.nspname, t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
        "JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
        "WHERE c.conrelid = %s::regclass AND c.contype IN ('p', 'u') AND NOT EXISTS ("
        "  SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid) "
        "ORDER BY c.contype, c.conname",
        [table],
    )
    return [tuple(row) for row in cur.fetchall()]


def _secondary_indexes(cur: Any, table: str) -> list[tuple[str, str, str]]:
    """(schema, name, definition) of ``table``'s valid indexes that back no constraint."""
    cur.execute(
        "SELECT n.nspname, i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_namespace n ON n.oid = i.relnamespace "
        "WHERE x.indrelid = %s::regclass AND x.indisvalid AND NOT EXISTS ("
        "  SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid) "
        "ORDER BY i.relname",
        [table],
    )
    return [tuple(row) for row in cur.fetchall()]


def _lock(cur: Any, tables: list[tuple[str, str]]) -> None:
    cur.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(
        sql.SQL(", ").join(sql.Identifier(s, t) for s, t in tables)))


def _flush_deferred_checks(cur: Any, tables: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Run now the deferred checks already queued on ``tables`` (an enclosing transaction's
    writes): ALTER TABLE refuses a table with pending trigger events. Returns the deferred
    constraints switched to IMMEDIATE, to be switched back afterwards."""
    cur.execute(
        "SELECT n.nspname, c.conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
        "WHERE c.contype = 'f' AND c.condeferred AND EXISTS ("
        "  SELECT 1 FROM unnest(%s::text[], %s::text[]) AS u(s, t) JOIN pg_namespace kn ON kn.nspname = u.s "
        "  JOIN pg_class k ON k.relnamespace = kn.oid AND k.relname = u.t "
        "  WHERE k.oid IN (c.conrelid, c.confrelid)) ORDER BY 1, 2",
        [[s for s, _ in tables], [t for _, t in tables]],
    )
    names = [tuple(row) for row in cur.fetchall()]
    if names:
        cur.execute(sql.SQL("SET CONSTRAINTS {} IMMEDIATE").format(
            sql.SQL(", ").join(sql.Identifier(s, n) for s, n in names)))
    return names


def reserve_ids(cur: Any, table: str, count: int) -> np.ndarray:
    """``count`` consecutive fresh values of ``table``'s id sequence.

    One ``setval`` moves the sequence past the whole block instead of ``count`` calls
    of ``nextval``. Call it only while holding the table's ACCESS EXCLUSIVE lock: no
    other session can then insert into the table, the only other user of its sequence
    (and a duplicate id would fail the primary key, never pass silently).
    """
    if count == 0:
        return np.empty(0, dtype=np.int64)
    cur.execute(
        "SELECT setval(s.seq, nextval(s.seq) + %s - 1) "
        "FROM (SELECT pg_get_serial_sequence(%s, 'id')::regclass AS seq) s",
        [count, table],
    )
    last = int(cur.fetchone()[0])
    return np.arange(last - count + 1, last + 1, dtype=np.int64)


def ids_by_key(cur: Any, table: str, key: str, wanted: pa.Array) -> pa.Array:
    """The id of the row of ``table`` whose ``key`` equals each of ``wanted`` (null if none)."""
    _keys_table(cur, pc.unique(wanted))
    cur.execute(sql.SQL("SELECT k.key, t.id FROM clientela_keys k JOIN {table} t ON t.{key} = k.key").format(
        key=sql.Identifier(key), table=sql.Identifier(table)))
    rows = cur.fetchall()
    keys = pa.array([k for k, _ in rows], pa.string())
    ids = pa.array([i for _, i in rows], pa.int64())
    return pc.take(ids, pc.index_in(wanted, value_set=keys))


def existing_keys(cur: Any, table: str, key: str, values: pa.Array) -> set[str]:
    """Which of ``values`` are the ``key`` of some row of ``table``."""
    _keys_table(cur, values)
    cur.execute(sql.SQL("SELECT k.key FROM clientela_keys k JOIN {table} t ON t.{key} = k.key").format(
        key=sql.Identifier(key), table=sql.Identifier(table)))
    return {k for (k,) in cur.fetchall()}


def any_key_exists(cur: Any, table: str, key: str, values: pa.Array) -> bool:
    """Whether some row of ``table`` has one of ``values`` as its ``key`` (one set-based query)."""
    cur.execute(sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(sql.Identifier(table)))
    if not cur.fetchone()[0]:
        return False
    _keys_table(cur, values)
    cur.execute(sql.SQL("SELECT EXISTS (SELECT 1 FROM clientela_keys k JOIN {table} t ON t.{key} = k.key)")
                .format(key=sql.Identifier(key), table=sql.Identifier(table)))
    return bool(cur.fetchone()[0])


def _keys_table(cur: Any, values: pa.Array) -> None:
    """``values`` in the TEMP table clientela_keys(key): a join beats a huge ``= ANY(array)``,
    whose every element the planner would estimate."""
    cur.execute("DROP TABLE IF EXISTS clientela_keys")
    cur.execute("CREATE TEMP TABLE clientela_keys (key text) ON COMMIT DROP")
    copy_rows(cur, "clientela_keys", pa.table({"key": values}))
    cur.execute("ANALYZE clientela_keys")


def copy_rows(cur: Any, table: str, data: pa.Table) -> None:
    """COPY ``data`` (column names = the table's) into ``table``, in large pre-encoded blocks."""
    with copying(cur, table, data):
        pass


@contextmanager
def copying(cur: Any, table: str, data: pa.Table) -> Iterator[None]:
    """COPY ``data`` into ``table``; the body of the ``with`` block runs while the server
    stores the rows (psycopg's writer thread sends the queued blocks), so client work
    that needs no query can overlap it. The COPY ends, or fails, when the block ends."""
    started = time.perf_counter()
    blocks = _binary_blocks(cur, table, data)
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT {})").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in data.column_names),
        sql.SQL("binary" if blocks is not None else "csv"))
    with cur.copy(statement, writer=QueuedLibpqWriter(cur)) as copy:
        if blocks is not None:
            for block in blocks:
                copy.write(block)
        else:
            for batch in data.to_batches(max_chunksize=COPY_BATCH_ROWS):
                copy.write(encode_csv(pa.Table.from_batches([batch])))
        queued = time.perf_counter()
        yield
        body = time.perf_counter()
    log.info("COPY %s: %d rows encoded and queued in %.2f s, then %.2f s of overlapping work, "
             "%.2f s more until stored", table, data.num_rows, queued - started, body - queued,
             time.perf_counter() - body)


def _binary_blocks(cur: Any, table: str, data: pa.Table) -> Iterator[bytes] | None:
    """``data`` as binary COPY blocks for ``table`` (lazily, one per COPY_BATCH_ROWS rows),
    or None when a column's type is not one pg_binary encodes (then CSV is used)."""
    types = pg_binary.column_types(cur, table, data.column_names)
    prepared = pg_binary.prepare(data, types) if types is not None else None
    if types is None or prepared is None:
        return None
    starts = list(range(0, data.num_rows, COPY_BATCH_ROWS)) or [0]

    def blocks() -> Iterator[bytes]:
        for start in starts:
            yield pg_binary.encode(prepared.slice(start, COPY_BATCH_ROWS), types, first=start == 0,
                                   last=start == starts[-1])

    return blocks()


def encode_csv(data: pa.Table) -> memoryview:
    """``data`` as CSV for ``COPY … (FORMAT csv)``: text quoted (so '' stays an empty
    string and only nulls are NULL), numbers bare, timestamps as UTC text."""
    columns = []
    for column in data.columns:
        if pa.types.is_timestamp(column.type) and column.type.tz is not None:
            # pyarrow formats zoned timestamps ~20x slower than naive ones.
            naive = pc.cast(column.cast(pa.timestamp(column.type.unit, "UTC")), pa.timestamp(column.type.unit))
            column = pc.binary_join_element_wise(pc.cast(naive, pa.string()), "+00", "")
        columns.append(column)
    buffer = io.BytesIO()
    pacsv.write_csv(pa.table(columns, names=data.column_names), buffer,
                    pacsv.WriteOptions(include_header=False, quoting_style="needed"))
    return buffer.getbuffer()
