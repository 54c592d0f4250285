"""Customer summaries of Parquet logs with integer customer ids, without hashing.

Same definitions as :func:`clientela.value.summary.summarize` (see there).  The
general out-of-core path (:mod:`clientela.value.summary_duckdb`) groups by
``(customer, period)`` in a hash table with one entry per distinct pair --
about as many entries as transactions -- which at 100M transactions spills to
disk and dominates the run.  When the ids are integers in a modest range (the
common case for a CRM export) the same summary needs only:

1. one streaming pass over the file (pyarrow, three columns) turning each
   transaction into its customer offset, its period ordinal (one integer
   division of the raw timestamp ticks) and its amount;
2. the distinct (customer, period) pairs, found in one of two ways:

   * a presence table, one ``bool`` per (customer, period), when it has at
     most ``_PRESENCE_BYTES_PER_ROW`` cells per transaction (weekly or
     monthly periods): ``frequency`` is the number of cells set in a
     customer's row minus one, the first and last period are running minima
     and maxima (``numpy.minimum.at``) -- no sort at all;
   * otherwise (e.g. daily periods over many years) an in-place
     :func:`numpy.sort` of packed int64 keys ``(customer - min) * W + (period
     - min)``: the distinct keys are the pairs, grouped by customer and
     ordered by period, read off run boundaries;

3. ``numpy.bincount`` per customer of all amounts and of the amounts falling in
   the customer's first period: ``monetary_value = (total - first) /
   frequency`` (the mean of the repeat periods' sums, as in SQL).

Memory is about 20 bytes per transaction (id, period, amount) plus the presence
table or the sorted copy of the keys, and blocks; no hash table.
:func:`summarize_parquet` returns ``None`` whenever the fast path does not apply
(ids not integer or too sparse, nulls, dates that are not dates or timestamps,
a calibration split) and the caller uses DuckDB.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.typing import NDArray

from clientela.value.summary import _EPOCH, period_ordinal

_BATCH_ROWS = 4_000_000
_BLOCK = 8_000_000
# Largest (customer, period) presence table, in bytes per transaction, built
# instead of sorting the keys (the sort path holds a sorted copy: 8 bytes).
_PRESENCE_BYTES_PER_ROW = 24
_UNITS_PER_DAY = {"s": 86_400, "ms": 86_400_000, "us": 86_400_000_000, "ns": 86_400_000_000_000}


def _ticks(column: pa.Array) -> tuple[NDArray[np.int64], int] | None:
    """A date or timestamp column as integer ticks and the ticks per day; ``None`` otherwise."""
    kind = column.type
    if pa.types.is_date32(kind):
        return np.asarray(column.cast(pa.int32()).to_numpy(), dtype=np.int64), 1
    if pa.types.is_date64(kind):
        return np.asarray(column.cast(pa.int64()).to_numpy(), dtype=np.int64), _UNITS_PER_DAY["ms"]
    if pa.types.is_timestamp(kind) and kind.unit in _UNITS_PER_DAY:
        ticks = np.asarray(column.cast(pa.int64()).to_numpy(), dtype=np.int64)
        return ticks, _UNITS_PER_DAY[kind.unit]
    return None


def _period_of_ticks(ticks: NDArray[np.int64], per_day: int, period: str) -> NDArray[np.int64]:
    """:func:`~clientela.value.summary.period_ordinal` of ``floor(ticks / per_day)``.

    Days and weeks in one integer division: ``floor((floor(t/U) + 3) / 7) =
    floor((t + 3U) / 7U)`` (nested floor divisions by positive integers
    compose).  Months go through the day count.
    """
    if period == "W":
        if len(ticks) and max(-int(ticks.min()), int(ticks.max())) + 3 * per_day <= 2**50:
            # Float division (vectorised; int64 division is not) is exact here:
            # the ticks are exact doubles, the quotient q is correctly rounded,
            # and a non-integer q is at least 1/(7U) away from an integer, more
            # than 4 ulp(q) when |ticks| + 3U <= 2^50, so floor() is unchanged.
            shifted = ticks.astype(np.float64)
            shifted += 3 * per_day
            shifted /= 7 * per_day
            return np.floor(shifted, out=shifted).astype(np.int64)
        return np.floor_divide(ticks + 3 * per_day, 7 * per_day)
    days = ticks if per_day == 1 else np.floor_divide(ticks, per_day)
    return period_ordinal(days, period)


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


def summarize_parquet(
    path: Path,
    customer: str,
    date: str,
    amount: str | None,
    period: str,
    obs: np.datetime64 | None,
    zone: str | None = None,
) -> pd.DataFrame | None:
    """Summarise a Parquet log (arguments as ``summarize``) or return ``None``.

    ``None`` means "use the general path": the file is not a single Parquet
    file with an integer customer column, a date/timestamp date column and a
    numeric amount, a column has nulls, the ids are too sparse for dense
    per-customer arrays, or aware timestamps are to be read in a local zone
    (``zone``).  The general path also names the row of any bad value.
    """
    if path.suffix.lower() != ".parquet" or not path.is_file():
        return None
    parquet = pq.ParquetFile(path)
    if not _usable(parquet.schema_arrow, customer, date, amount):
        return None
    date_type = parquet.schema_arrow.field(date).type
    if zone is not None and pa.types.is_timestamp(date_type) and date_type.tz is not None:
        return None
    n_rows = parquet.metadata.num_rows
    id_dtype = parquet.schema_arrow.field(customer).type.to_pandas_dtype()
    end_day = None if obs is None else int((obs - _EPOCH).astype(np.int64))
    ids = np.empty(n_rows, dtype=np.int64)
    ords = np.empty(n_rows, dtype=np.int32)  # period ordinals since 1970: small
    values = np.zeros(n_rows if amount else 0, dtype=np.float64)
    filled = 0
    last_day = np.iinfo(np.int64).min
    columns = [customer, date] + ([amount] if amount else [])
    for batch in parquet.iter_batches(batch_size=_BATCH_ROWS, columns=columns):
        if any(batch.column(name).null_count for name in columns):
            return None
        found = _ticks(batch.column(date))
        if found is None:
            return None
        ticks, per_day = found
        # day <= end_day  <=>  ticks < (end_day + 1) * ticks per day
        keep = None if end_day is None else ticks < (end_day + 1) * per_day
        batch_ids = batch.column(customer).to_numpy()
        if keep is not None:
            ticks, batch_ids = ticks[keep], batch_ids[keep]
        n = len(ticks)
        if n == 0:
            continue
        last_day = max(last_day, int(ticks.max()) // per_day)
        ids[filled : filled + n] = batch_ids
        ords[filled : filled + n] = _period_of_ticks(ticks, per_day, period)
        if amount:
            batch_values = batch.column(amount).to_numpy().astype(np.float64, copy=False)
            values[filled : filled + n] = batch_values if keep is None else batch_values[keep]
        filled += n
    ids, ords = ids[:filled], ords[:filled]
    values = values[:filled]
    if filled == 0:
        return None
    end = last_day if end_day is None else end_day
    return _summarize_arrays(ids, ords, values, period, end, customer, id_dtype, amount)


def _summarize_arrays(
    ids: NDArray[np.int64],
    ords: NDArray[np.int32],
    values: NDArray[np.float64],
    period: str,
    end_day: int,
    customer: str,
    id_dtype: object,
    amount: str | None,
) -> pd.DataFrame | None:
    id_min, id_max = int(ids.min()), int(ids.max())
    o_min, o_max = int(ords.min()), int(ords.max())
    n_ids = id_max - id_min + 1
    width = o_max - o_min + 1
    if n_ids > max(4 * len(ids), 1_000_000) or n_ids * width >= 2**62:
        return None
    if n_ids * width <= _PRESENCE_BYTES_PER_ROW * len(ids):
        return _summarize_by_presence(
            ids, ords, values, period, end_day, customer, id_dtype, amount, id_min, o_min, width
        )
    # Pack (customer, period) into one key, in place in the ids buffer.
    keys = ids
    keys -= id_min
    keys *= width
    keys += ords
    keys -= o_min
    del ords
    ordered = np.sort(keys)
    distinct = np.empty(len(ordered), dtype=bool)
    distinct[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=distinct[1:])
    pairs = ordered[distinct]
    del ordered, distinct
    who_pair = pairs // width
    starts = np.flatnonzero(np.r_[True, who_pair[1:] != who_pair[:-1]])
    ends = np.r_[starts[1:], len(pairs)] - 1
    who = who_pair[starts]
    frequency = ends - starts  # distinct periods - 1
    first = pairs[starts] - who * width
    last = pairs[ends] - who * width
    del pairs, who_pair
    end_ord = int(period_ordinal(np.array([end_day], dtype=np.int64), period)[0]) - o_min
    columns: dict[str, NDArray[np.generic]] = {
        "frequency": frequency.astype(np.int64),
        "recency": (last - first).astype(np.float64),
        "T": (end_ord - first).astype(np.float64),
    }
    if amount:
        total, in_first = _totals(keys, values, width, first, who, n_ids)
        repeat = total[who] - in_first[who]
        columns["monetary_value"] = np.divide(
            repeat, frequency, out=np.zeros(len(who)), where=frequency > 0
        )
    index = pd.Index((who + id_min).astype(id_dtype), name=customer)  # type: ignore[call-overload]
    return pd.DataFrame(columns, index=index)


def _summarize_by_presence(
    ids: NDArray[np.int64],
    ords: NDArray[np.int32],
    values: NDArray[np.float64],
    period: str,
    end_day: int,
    customer: str,
    id_dtype: object,
    amount: str | None,
    id_min: int,
    o_min: int,
    width: int,
) -> pd.DataFrame:
    """The summary from a (customer, period) presence table instead of a sort.

    When the table has at most ``_PRESENCE_BYTES_PER_ROW`` cells per
    transaction (weekly or monthly periods: about 100 weeks per customer) a
    ``bool`` cell per (customer, period) costs less memory than the sorted
    copy of the keys and no ``O(n log n)`` sort: ``frequency`` is the number
    of cells set in a customer's row minus one, the first and last period
    are running minima and maxima per customer (``numpy.minimum.at``), and
    the amounts are summed by ``bincount`` as in the sort path.  Every step
    is a pass over the data in blocks of ``_BLOCK`` transactions.
    """
    ids -= id_min  # our own buffers: shifted in place
    ords -= o_min
    n_ids = int(ids.max()) + 1
    first = np.full(n_ids, width, dtype=np.int32)
    last = np.full(n_ids, -1, dtype=np.int32)
    present = np.zeros((n_ids, width), dtype=bool)
    flat = present.reshape(-1)
    for start in range(0, len(ids), _BLOCK):
        owner = ids[start : start + _BLOCK]
        slot = ords[start : start + _BLOCK]
        np.minimum.at(first, owner, slot)
        np.maximum.at(last, owner, slot)
        cell = owner * width
        cell += slot
        flat[cell] = True
    del cell, flat
    who = np.flatnonzero(last >= 0)
    periods = present.sum(axis=1, dtype=np.int64)[who]
    del present
    first_who = first[who]
    end_ord = int(period_ordinal(np.array([end_day], dtype=np.int64), period)[0]) - o_min
    frequency = periods - 1
    columns: dict[str, NDArray[np.generic]] = {
        "frequency": frequency,
        "recency": (last[who] - first_who).astype(np.float64),
        "T": (end_ord - first_who).astype(np.float64),
    }
    if amount:
        total = np.zeros(n_ids, dtype=np.float64)
        in_first = np.zeros(n_ids, dtype=np.float64)
        for start in range(0, len(ids), _BLOCK):
            owner = ids[start : start + _BLOCK]
            v = values[start : start + _BLOCK]
            total += np.bincount(owner, weights=v, minlength=n_ids)
            hit = ords[start : start + _BLOCK] == first[owner]
            in_first += np.bincount(owner[hit], weights=v[hit], minlength=n_ids)
        repeat = total[who] - in_first[who]
        columns["monetary_value"] = np.divide(
            repeat, frequency, out=np.zeros(len(who)), where=frequency > 0
        )
    index = pd.Index((who + id_min).astype(id_dtype), name=customer)  # type: ignore[call-overload]
    return pd.DataFrame(columns, index=index)


def _totals(
    keys: NDArray[np.int64],
    values: NDArray[np.float64],
    width: int,
    first: NDArray[np.int64],
    who: NDArray[np.int64],
    n_ids: int,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Per customer: sum of all amounts, and of those in the customer's first period."""
    first_by_id = np.full(n_ids, -1, dtype=np.int64)
    first_by_id[who] = first
    total = np.zeros(n_ids, dtype=np.float64)
    in_first = np.zeros(n_ids, dtype=np.float64)
    for start in range(0, len(keys), _BLOCK):  # bounded temporaries
        k = keys[start : start + _BLOCK]
        v = values[start : start + _BLOCK]
        owner = k // width
        total += np.bincount(owner, weights=v, minlength=n_ids)
        hit = (k - owner * width) == first_by_id[owner]
        in_first += np.bincount(owner[hit], weights=v[hit], minlength=n_ids)
    return total, in_first
