"""Large loads on PostgreSQL into the live tables, with every key, index and foreign key kept.

An import never takes a lock that keeps other sessions from reading or writing the
tables it loads: rows are COPYed (ROW EXCLUSIVE, like any INSERT) into the final
tables or into TEMP staging tables and merged with set-based statements. Django's
foreign keys are DEFERRABLE INITIALLY DEFERRED, so every inserted row queues a check
that runs at COMMIT; that is the price of keeping them, and the benchmark's storage
floor (a COPY of the same typed rows into the live tables) pays it too.

Identifiers come from the models or the catalog and are quoted with
``psycopg.sql.Identifier``; values travel only in COPY data or as parameters. The
rows are encoded as CSV by pyarrow and sent with psycopg's own COPY.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter

log = logging.getLogger(__name__)

# Rows encoded at a time: the server parses one block while the next is encoded.
COPY_BATCH_ROWS = 100_000


def reserve_ids(cur: Any, table: str, count: int) -> np.ndarray:
    """``count`` fresh values of ``table``'s id sequence (not necessarily consecutive:
    other sessions may draw from the sequence at the same time), in one query."""
    if count == 0:
        return np.empty(0, dtype=np.int64)
    cur.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
        [table, count],
    )
    return np.fromiter((row[0] for row in cur.fetchall()), dtype=np.int64, count=count)


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
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in data.column_names))
    with cur.copy(statement, writer=QueuedLibpqWriter(cur)) as copy:
        for batch in data.to_batches(max_chunksize=COPY_BATCH_ROWS):
            copy.write(encode_csv(pa.Table.from_batches([batch])))
        queued = time.perf_counter()
        yield
        body = time.perf_counter()
    log.info("COPY %s: %d rows encoded and queued in %.2f s, then %.2f s of overlapping work, "
             "%.2f s more until stored", table, data.num_rows, queued - started, body - queued,
             time.perf_counter() - body)


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
