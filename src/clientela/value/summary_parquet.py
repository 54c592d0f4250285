"""Customer summaries of Parquet logs with integer customer ids, without hashing.

Same definitions as :func:`clientela.value.summary.summarize` (see there).  The
general out-of-core path (:mod:`clientela.value.summary_duckdb`) groups by
``(customer, period)`` in a hash table with one entry per distinct pair --
about as many entries as transactions -- which at 100M transactions spills to
disk and dominates the run.  When the ids are integers in a modest range (the
common case for a CRM export) one streaming pass over the file (pyarrow, three
columns) collects each transaction's id, day number and amount, and the
DataFrame route's :class:`~clientela.value.summary.TransactionLog` summarises
those arrays: about 16 bytes per transaction plus a bit per (customer, period),
no hash table.  :func:`summarize_parquet` returns ``None`` whenever this path
does not apply (ids not integer or too sparse, nulls, dates that are not dates
or timestamps, aware timestamps to be read in a local zone) and the caller uses
DuckDB, which also names the row of any bad value.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.typing import NDArray

from clientela.value.summary import _UNITS_PER_DAY, IdRange, SummaryRequest, TransactionLog

_BATCH_ROWS = 4_000_000


def _days(column: pa.Array) -> NDArray[np.int64] | None:
    """A date or timestamp column as day numbers since 1970-01-01; ``None`` otherwise."""
    kind = column.type
    if pa.types.is_date32(kind):
        return np.asarray(column.cast(pa.int32()).to_numpy(), dtype=np.int64)
    per_day = _UNITS_PER_DAY["ms"] if pa.types.is_date64(kind) else None
    if pa.types.is_timestamp(kind) and kind.unit in _UNITS_PER_DAY:
        per_day = _UNITS_PER_DAY[kind.unit]
    if per_day is None:
        return None
    return np.floor_divide(np.asarray(column.cast(pa.int64()).to_numpy(), dtype=np.int64), per_day)


def _usable(schema: pa.Schema, customer: str, date: str, amount: str | None) -> bool:
    names = set(schema.names)
    if customer not in names or date not in names or (amount and amount not in names):
        return False  # the DuckDB path names the missing column
    date_type = schema.field(date).type
    if not (
        pa.types.is_date32(date_type)
        or pa.types.is_date64(date_type)
        or (pa.types.is_timestamp(date_type) and date_type.unit in _UNITS_PER_DAY)
    ):
        return False
    if amount and not (
        pa.types.is_integer(schema.field(amount).type)
        or pa.types.is_floating(schema.field(amount).type)
    ):
        return False
    id_type = schema.field(customer).type
    # int64 keys: any signed id, unsigned ones below 2^63 by type.
    return bool(
        pa.types.is_signed_integer(id_type)
        or (pa.types.is_unsigned_integer(id_type) and id_type.bit_width < 64)
    )


def summarize_parquet(path: Path, request: SummaryRequest) -> pd.DataFrame | None:
    """Summarise a Parquet log (see ``summarize``) or return ``None``.

    ``None`` means "use the general path": the file is not a single Parquet
    file with an integer customer column, a date/timestamp date column and a
    numeric amount, a column has nulls, the ids are too sparse for dense
    per-customer arrays, or aware timestamps are to be read in a local zone
    (``zone``).  The general path also names the row of any bad value.
    """
    if path.suffix.lower() != ".parquet" or not path.is_file():
        return None
    customer, date, amount = request.customer, request.date, request.amount
    parquet = pq.ParquetFile(path)
    schema = parquet.schema_arrow
    if not _usable(schema, customer, date, amount):
        return None
    date_type = schema.field(date).type
    if request.zone is not None and pa.types.is_timestamp(date_type) and date_type.tz is not None:
        return None
    n_rows = parquet.metadata.num_rows
    if n_rows == 0:
        return None
    ids = np.empty(n_rows, dtype=np.int64)
    days = np.empty(n_rows, dtype=np.int32)  # day numbers since 1970: small
    values = np.empty(n_rows, dtype=np.float64) if amount else None
    filled = 0
    columns = [customer, date] + ([amount] if amount else [])
    for batch in parquet.iter_batches(batch_size=_BATCH_ROWS, columns=columns):
        if any(batch.column(name).null_count for name in columns):
            return None
        found = _days(batch.column(date))
        if found is None:
            return None
        n = len(found)
        ids[filled : filled + n] = batch.column(customer).to_numpy()
        days[filled : filled + n] = found
        if values is not None and amount:
            values[filled : filled + n] = batch.column(amount).to_numpy()
        filled += n
    id_min, id_max = int(ids[:filled].min()), int(ids[:filled].max())
    n_ids = id_max - id_min + 1
    if n_ids > max(4 * filled, 1_000_000):
        return None
    id_dtype = schema.field(customer).type.to_pandas_dtype()
    log = TransactionLog(ids[:filled], id_min, n_ids, days[:filled], 1,
                         None if values is None else values[:filled])
    return log.summarize(request, IdRange(id_min, n_ids, id_dtype))
