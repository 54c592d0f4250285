"""From a transaction log to the per-customer summary the models take.

Definitions (the literature's, and the same as lifetimes'
``summary_data_from_transaction_data`` so its users can move over):

* transactions are grouped into periods (``period``: ``"D"`` days, ``"W"``
  weeks starting on Monday, ``"M"`` calendar months); several purchases in one
  period count once and their amounts add up;
* ``frequency`` -- number of periods with a purchase after the first one
  (the first purchase is not a repeat);
* ``recency`` -- periods from the first to the last purchase;
* ``T`` -- periods from the first purchase to ``observation_end``;
* ``monetary_value`` -- mean value of the repeat periods (0 without repeats);
* with ``calibration_end``: the summary above over the calibration period
  (``observation_end`` = ``calibration_end``) for customers whose first
  purchase falls in it, plus ``frequency_holdout`` (periods with a purchase
  after ``calibration_end`` up to ``observation_end``),
  ``monetary_value_holdout`` (the mean of those periods' totals, like
  ``monetary_value``) and ``duration_holdout``.  lifetimes'
  ``calibration_and_holdout_data`` averages the holdout *transactions*
  instead (while counting periods in ``frequency_holdout``); the two agree
  when no period holds two purchases, and ours equals lifetimes' figure times
  (transactions / periods) of each customer otherwise.

Dates are compared by calendar day: a transaction belongs to the window if its
day is on or before the end day.  The same rules hold on every route
(DataFrame, CSV, Parquet):

* date and datetime columns are used as they are; time zone-aware times are
  converted to ``local_day`` (an IANA zone, default UTC) before their day is
  taken, so a change of daylight-saving time is no problem; naive dates and
  times are taken at face value (already local);
* integers are YYYYMMDD dates (20250131); other numbers are refused;
* strings must be ISO 8601 (``2025-01-31``, ``20250131``,
  ``2025-01-31T10:00:00+01:00``, ``...Z``); ``01/02/2025`` is ambiguous and
  refused;
* a missing customer, date or amount is an error naming the column and row,
  never a silently dropped row; so are an empty log and an observation or
  calibration end before the first transaction.

A DataFrame is summarised with vectorised NumPy in time linear in the rows,
reading its columns in place (:class:`TransactionLog`: integer ids in a
modest range are their own codes, others are hashed; one pass in blocks over
the rows; no Python loop over customers).  A Parquet file with integer ids is
read into the same arrays (:mod:`clientela.value.summary_parquet`); other CSV
and Parquet files are summarised out-of-core by DuckDB under a memory limit
(:mod:`clientela.value.summary_duckdb`), so 100M transactions fit in a few GB.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

PERIODS = ("D", "W", "M")
_EPOCH = np.datetime64("1970-01-01", "D")
_DUCKDB_MEMORY_LIMIT = os.environ.get("CLIENTELA_DUCKDB_MEMORY_LIMIT", "4GB")

DateLike = str | dt.date | dt.datetime | pd.Timestamp | np.datetime64


def summarize(
    transactions: pd.DataFrame | str | Path,
    *,
    customer: str,
    date: str,
    amount: str | None = None,
    period: str = "W",
    observation_end: DateLike | None = None,
    calibration_end: DateLike | None = None,
    local_day: str | None = None,
) -> pd.DataFrame:
    """Summarise transactions into ``frequency``, ``recency``, ``T`` per customer.

    Parameters
    ----------
    transactions : pandas.DataFrame or path
        One row per transaction; a path to a ``.csv`` or ``.parquet`` file is
        processed out-of-core with DuckDB.
    customer, date : str
        Column names of the customer identifier and the transaction date.
    amount : str, optional
        Column of transaction values; adds ``monetary_value`` (and
        ``monetary_value_holdout``).
    period : {"D", "W", "M"}
        Time unit of ``recency``, ``T`` and the purchase grouping.
    observation_end : date-like, optional
        End of the observation; defaults to the last transaction date.
        Later transactions are ignored.
    calibration_end : date-like, optional
        Splits the log into calibration and holdout periods (see module
        docstring).
    local_day : str, optional
        IANA time zone (``Europe/Warsaw``) whose calendar days count: aware
        times are converted to it before taking the day.  Default UTC.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer, sorted by customer.

    Raises
    ------
    ValueError
        Naming the column (and row) when a column is missing, a date is
        missing or not a date, or an amount is missing or not numeric; for an
        empty log; for an observation or calibration end before the first
        transaction; or for a bad ``period``, window or ``local_day``.
    """
    zone = check_zone(local_day)
    obs, cal = check_period_and_ends(period, observation_end, calibration_end)
    request = SummaryRequest(customer, date, amount, period, obs, cal, zone)
    if isinstance(transactions, pd.DataFrame):
        return _summarize_frame(transactions, request)
    if isinstance(transactions, str | Path):
        from clientela.value.summary_duckdb import summarize_file

        return summarize_file(Path(transactions), request)
    raise TypeError("transactions must be a pandas DataFrame or a path to a CSV/Parquet file")


def _to_day(value: DateLike | None, name: str) -> np.datetime64 | None:
    if value is None:
        return None
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} is not a date: {value!r} ({exc})") from None
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return np.datetime64(stamp.date(), "D")


def period_ordinal(ticks: NDArray[np.integer], period: str, per_day: int = 1) -> NDArray[np.int64]:
    """Integer index of the period holding each time, given as ``ticks`` (``per_day`` a day).

    With ``per_day=1`` the ticks are days since 1970-01-01.  Weeks start on
    Monday (1970-01-01 was a Thursday, hence the shift of 3 days); months are
    ``12 * (year - 1970) + month - 1``.  Days and weeks take one integer
    division: ``floor((floor(t/U) + 3) / 7) = floor((t + 3U) / 7U)`` (nested
    floor divisions by positive integers compose).
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
        return np.floor_divide(np.asarray(ticks, dtype=np.int64) + 3 * per_day, 7 * per_day)
    days = np.asarray(ticks, dtype=np.int64)
    if per_day != 1:
        days = np.floor_divide(days, per_day)
    if period == "D":
        return days
    months = days.astype("datetime64[D]").astype("datetime64[M]") - np.datetime64("1970-01", "M")
    return months.astype(np.int64)


# An integer date is read as YYYYMMDD (20250131); other numbers are refused.
_YYYYMMDD = (10000101, 99991231)
# A string ending in an offset or Z is time zone-aware; without one it is taken as is.
# An offset only after a time of day: the "-06" that ends a plain "2025-01-06" is its day.
_OFFSET = r"[Tt ]\d{2}(?::?\d{2}){0,2}(?:[.,]\d+)?\s*(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$"


def check_zone(local_day: str | None) -> str | None:
    """The IANA name of ``local_day`` (e.g. ``Europe/Warsaw``), or a ValueError naming it."""
    if local_day is None:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(str(local_day))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"local_day: {local_day!r} is not a time zone (use an IANA name such as Europe/Warsaw)"
        ) from None
    return str(local_day)


def _bad_row(frame: pd.DataFrame, mask: NDArray[np.bool_] | pd.Series) -> Any:
    return frame.index[int(np.argmax(np.asarray(mask, dtype=bool)))]


def _frame_days(frame: pd.DataFrame, column: str, zone: str | None = None) -> NDArray[np.int64]:
    """Day numbers (since 1970-01-01) of a date column, by the rules of the module docstring.

    Datetime columns are used as they are (aware ones converted to ``zone``,
    UTC by default); integers must be YYYYMMDD dates; strings must be ISO 8601
    (``2025-01-31``, ``2025-01-31T10:00:00+01:00``, ``20250131``); anything
    else, or a missing value, is refused naming the row.
    """
    values = frame[column]
    missing = values.isna().to_numpy()
    if missing.any():
        raise ValueError(f"column {column!r} has a missing date (row {_bad_row(frame, missing)!r})")
    target = zone or "UTC"
    dtype = values.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        parsed = values.dt.tz_convert(target).dt.tz_localize(None)
    elif pd.api.types.is_datetime64_dtype(dtype):
        parsed = values
    elif pd.api.types.is_bool_dtype(dtype):
        raise ValueError(f"column {column!r} holds true/false values, not dates")
    elif pd.api.types.is_numeric_dtype(dtype):
        parsed = _yyyymmdd(frame, column)
    else:
        parsed = _object_dates(frame, column, target)
    days = parsed.to_numpy().astype("datetime64[D]")
    return np.asarray((days - _EPOCH).astype(np.int64), dtype=np.int64)


def _yyyymmdd(frame: pd.DataFrame, column: str) -> pd.Series:
    numbers = frame[column].to_numpy(dtype=np.float64)
    whole = np.isfinite(numbers) & (numbers == np.floor(numbers))
    inside = whole & (numbers >= _YYYYMMDD[0]) & (numbers <= _YYYYMMDD[1])
    text = pd.Series(np.where(inside, numbers, 0).astype(np.int64), index=frame.index).astype(str)
    parsed = pd.to_datetime(text, format="%Y%m%d", errors="coerce")
    bad = ~inside | parsed.isna().to_numpy()
    if bad.any():
        row = _bad_row(frame, bad)
        raise ValueError(
            f"column {column!r} holds a number that is not a YYYYMMDD date "
            f"(row {row!r}: {frame[column].loc[row]!r})"
        )
    return parsed


def _object_dates(frame: pd.DataFrame, column: str, target: str) -> pd.Series:
    """Strings (ISO 8601 or YYYYMMDD) or date/datetime objects, to naive local times."""
    values = frame[column]
    is_text = values.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    if is_text.all():
        text = values.astype(str).str.strip()
        compact = text.str.fullmatch(r"\d{8}")
        text = text.where(~compact, text.str[:4] + "-" + text.str[4:6] + "-" + text.str[6:])
        aware = text.str.contains(_OFFSET, regex=True).to_numpy(dtype=bool)
        stamps = pd.to_datetime(text, format="ISO8601", utc=True, errors="coerce")
    elif not is_text.any():
        aware = values.map(lambda v: getattr(v, "tzinfo", None) is not None).to_numpy(dtype=bool)
        try:
            stamps = pd.to_datetime(values, utc=True, errors="coerce")
        except (TypeError, ValueError):
            stamps = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")
    else:
        row = _bad_row(frame, ~is_text)
        raise ValueError(
            f"column {column!r} mixes text and other values (row {row!r}: {values.loc[row]!r})"
        )
    bad = stamps.isna().to_numpy()
    if bad.any():
        row = _bad_row(frame, bad)
        raise ValueError(
            f"column {column!r} has a value that is not an ISO 8601 date "
            f"(row {row!r}: {values.loc[row]!r}; use YYYY-MM-DD, YYYYMMDD or "
            "YYYY-MM-DDTHH:MM:SS with an optional offset)"
        )
    # Aware values move to the local day's zone; naive ones (parsed as UTC above)
    # keep their face value.
    local = stamps.dt.tz_convert(target).dt.tz_localize(None)
    face = stamps.dt.tz_localize(None)
    return local.where(aware, face)


def finite_numbers(frame: pd.DataFrame, column: str) -> NDArray[np.float64]:
    """A column as float64 (without a copy when it is one), or a ValueError naming the row.

    Non-numeric text, a missing value or an infinite one is refused.
    """
    series = frame[column]
    try:
        if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(
            series.dtype
        ):
            values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            values = pd.to_numeric(series, errors="raise").to_numpy(dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"column {column!r} must be numeric: {exc}") from None
    bad = ~np.isfinite(values)
    if bad.any():
        raise ValueError(
            f"column {column!r} has a missing or infinite value (row {_bad_row(frame, bad)!r})"
        )
    return values


def check_period_and_ends(
    period: str, observation_end: DateLike | None, calibration_end: DateLike | None
) -> tuple[np.datetime64 | None, np.datetime64 | None]:
    """The observation and calibration ends as days, once ``period`` is known and the
    calibration period ends before the observation does (a ValueError naming the
    argument otherwise); every summary route checks these before reading any data."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}; got {period!r}")
    obs = _to_day(observation_end, "observation_end")
    cal = _to_day(calibration_end, "calibration_end")
    if obs is not None and cal is not None and cal >= obs:
        raise ValueError("calibration_end must be before observation_end")
    return obs, cal


def check_window(
    n_rows: int, first_day: int | None, obs: np.datetime64 | None, cal: np.datetime64 | None
) -> None:
    """Refuse an empty log, and an observation or calibration end before all the data."""
    if n_rows == 0 or first_day is None:
        raise ValueError("the transaction log has no rows: nothing to summarise")
    first = _EPOCH + np.timedelta64(int(first_day), "D")
    if obs is not None and obs < first:
        raise ValueError(
            f"observation_end {obs} is before the first transaction ({first}): nothing to summarise"
        )
    if cal is not None and cal < first:
        raise ValueError(
            f"calibration_end {cal} is before the first transaction ({first}): "
            "no customer in the calibration period"
        )


@dataclass(frozen=True)
class SummaryRequest:
    """What :func:`summarize` was asked for, checked, as every route takes it."""

    customer: str
    date: str
    amount: str | None
    period: str
    obs: np.datetime64 | None
    cal: np.datetime64 | None
    zone: str | None

    def check_columns(self, available: list[str], source: str, has: str) -> None:
        """Refuse a log without one of the columns named, listing those it has."""
        needed = [self.customer, self.date] + ([self.amount] if self.amount else [])
        missing = [c for c in needed if c not in available]
        if missing:
            raise ValueError(
                f"{source} missing column(s) {', '.join(map(repr, missing))}; "
                f"{has} {available}"
            )


def _summarize_frame(frame: pd.DataFrame, request: SummaryRequest) -> pd.DataFrame:
    customer, date, amount = request.customer, request.date, request.amount
    request.check_columns(list(map(str, frame.columns)), "transactions are", "they have")
    absent = frame[customer].isna().to_numpy()
    if absent.any():
        raise ValueError(
            f"column {customer!r} has a missing customer id (row {_bad_row(frame, absent)!r})"
        )
    ticks, per_day = _frame_ticks(frame, date, request.zone)
    values = finite_numbers(frame, amount) if amount else None
    codes, offset, labels = _customer_codes(frame[customer])
    log = TransactionLog(codes, offset, len(labels), ticks, per_day, values)
    return log.summarize(request, labels)


# Ticks a day of NumPy's datetime units.
_UNITS_PER_DAY = {"s": 86_400, "ms": 86_400_000, "us": 86_400_000_000, "ns": 86_400_000_000_000}


def _frame_ticks(
    frame: pd.DataFrame, column: str, zone: str | None
) -> tuple[NDArray[np.int64], int]:
    """A date column as integer ticks and ticks per day, without a copy when it can be.

    A naive datetime column is read as it is stored (no day numbers are
    computed for the whole column); anything else goes through
    :func:`_frame_days` (ticks are then days).
    """
    values = frame[column]
    if pd.api.types.is_datetime64_dtype(values.dtype) and not isinstance(
        values.dtype, pd.DatetimeTZDtype
    ):
        stamps = values.to_numpy()
        unit = np.datetime_data(stamps.dtype)[0]
        if unit in _UNITS_PER_DAY:
            if values.isna().any():
                _frame_days(frame, column, zone)  # raises naming the row
            return stamps.view(np.int64), _UNITS_PER_DAY[unit]
    return _frame_days(frame, column, zone), 1


def _customer_codes(ids: pd.Series) -> tuple[NDArray[np.int64], int, Any]:
    """Customer codes of the rows: ``(values, offset, labels)``; code = value - offset.

    Integer ids in a range of at most a few times the rows (a CRM's ids) are
    their own codes, shifted to start at 0: no hashing, no sort, no copy;
    ``labels`` is then the whole range.  Others are numbered by hashing
    (:func:`pandas.factorize`), sorting only the distinct ids.
    """
    values = ids.to_numpy()
    if values.dtype.kind in "iu" and len(values):
        low, high = int(values.min()), int(values.max())
        if high - low <= 4 * len(values) + 1024 and high < 2**63:
            return values, low, IdRange(low, high - low + 1, values.dtype)
    codes, uniques = pd.factorize(ids, sort=True)
    return codes.astype(np.int64, copy=False), 0, uniques


class IdRange:
    """The labels of a range of integer ids, ``start + code``, without building them."""

    def __init__(self, start: int, size: int, dtype: Any) -> None:
        self.start, self.size, self.dtype = start, size, dtype

    def __len__(self) -> int:
        return self.size

    def take(self, present: NDArray[np.bool_]) -> NDArray[Any]:
        return np.asarray((np.flatnonzero(present) + self.start).astype(self.dtype))


# Rows handled at a time: bounded temporaries that stay in the cache.
_BLOCK = 1 << 20
# Largest (customer, period) presence bit table, in bytes per transaction, used
# instead of sorting packed keys (a sort holds 8 bytes per transaction).
_PRESENCE_BYTES_PER_ROW = 24
_BIT = np.left_shift(np.uint8(1), np.arange(8, dtype=np.uint8))
_BITS_SET = np.array([bin(byte).count("1") for byte in range(256)], dtype=np.uint8)


class TransactionLog:
    """A transaction log as arrays, summarised in time linear in the rows.

    ``ids - offset`` are customer codes in ``[0, n_customers)``; ``ticks`` are
    times, ``per_day`` ticks a day (1: day numbers); ``values`` the amounts
    (``None`` without amounts).  One pass over the rows in blocks of
    ``_BLOCK`` finds per customer the first and last period (``minimum.at``,
    ``maximum.at``), the distinct periods (a presence table of one bit per (customer,
    period), or one sort of packed keys when that table would be large: daily
    periods over long spans) and the sums of the amounts, all and those of
    the first period (``add.at``, in row order).  No hashing, no copy of the
    columns.  The DataFrame and the Parquet routes both end here.
    """

    def __init__(
        self,
        ids: NDArray[np.integer],
        offset: int,
        n_customers: int,
        ticks: NDArray[np.integer],
        per_day: int,
        values: NDArray[np.float64] | None,
    ) -> None:
        self.ids, self.offset, self.n_customers = ids, offset, n_customers
        self.ticks, self.per_day, self.values = ticks, per_day, values

    def day_range(self) -> tuple[int | None, int]:
        """First and last day of the log (``None`` and 0 when it is empty)."""
        if len(self.ticks) == 0:
            return None, 0
        return int(self.ticks.min()) // self.per_day, int(self.ticks.max()) // self.per_day

    def summarize(self, request: SummaryRequest, labels: Any) -> pd.DataFrame:
        """The summary of :func:`summarize` (one row per customer with a purchase in the window).

        ``labels`` are the customer ids by code (an :class:`IdRange` or an array).
        """
        period, obs, cal = request.period, request.obs, request.cal
        first_day, last_day = self.day_range()
        check_window(len(self.ticks), first_day, obs, cal)
        end_day = last_day if obs is None else _day_number(obs)
        cal_day = None if cal is None else _day_number(cal)
        window = self.spans(period, (first_day or 0) - 1, end_day if cal_day is None else cal_day, True)
        present = window["periods"] > 0
        frequency = window["periods"][present] - 1
        first = window["first"][present]
        end_ord = _ordinal(end_day if cal_day is None else cal_day, period)
        columns: dict[str, NDArray[Any]] = {
            "frequency": frequency,
            "recency": (window["last"][present] - first).astype(np.float64),
            "T": (end_ord - first).astype(np.float64),
        }
        if self.values is not None:
            repeat = window["total"][present] - window["first_total"][present]
            columns["monetary_value"] = _mean(repeat, frequency)
        if cal_day is not None:
            hold = self.spans(period, cal_day, end_day, False)
            count = hold["periods"][present]
            columns["frequency_holdout"] = count
            if self.values is not None:
                columns["monetary_value_holdout"] = _mean(hold["total"][present], count)
            columns["duration_holdout"] = np.full(
                len(count), float(_ordinal(end_day, period) - _ordinal(cal_day, period))
            )
        chosen = labels.take(present) if isinstance(labels, IdRange) else np.asarray(labels)[present]
        return pd.DataFrame(columns, index=pd.Index(chosen, name=request.customer), copy=False)

    def _blocks(
        self, period: str, after_day: int, end_day: int
    ) -> Iterator[tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64] | None]]:
        """Per block of rows with ``after_day < day <= end_day``: codes, period ordinals, amounts."""
        bound = np.iinfo(np.int64)
        low = max((after_day + 1) * self.per_day, int(bound.min))
        high = min((end_day + 1) * self.per_day, int(bound.max))
        for start in range(0, len(self.ticks), _BLOCK):
            ticks = self.ticks[start : start + _BLOCK]
            ids = self.ids[start : start + _BLOCK]
            values = None if self.values is None else self.values[start : start + _BLOCK]
            keep = ticks < high
            keep &= ticks >= low
            if not keep.all():
                ticks, ids = ticks[keep], ids[keep]
                values = None if values is None else values[keep]
            codes = np.subtract(ids, self.offset, dtype=np.int64)
            yield codes, period_ordinal(ticks, period, self.per_day), values

    def spans(
        self, period: str, after_day: int, end_day: int, with_first: bool
    ) -> dict[str, NDArray[Any]]:
        """Per customer code, over the rows with ``after_day < day <= end_day``:

        ``periods`` (distinct periods with a purchase), ``first`` and ``last``
        (period ordinals), ``total`` (sum of the amounts) and, with
        ``with_first``, ``first_total`` (sum of the amounts in the first period).
        """
        n = self.n_customers
        first = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
        last = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
        total = np.zeros(n)
        out = {"periods": np.zeros(n, dtype=np.int64), "first": first, "last": last,
               "total": total, "first_total": np.zeros(n)}
        if end_day <= after_day:  # an empty window (e.g. a holdout after the last purchase)
            return out
        o_min = _ordinal(after_day + 1, period)
        width = _ordinal(end_day, period) - o_min + 1
        # A presence table of one bit per (customer, period): a fresh page costs
        # more than a few bit operations.
        row_bytes = -(-width // 8)
        use_table = n * row_bytes <= _PRESENCE_BYTES_PER_ROW * max(len(self.ticks), 1)
        table = np.zeros(n * row_bytes if use_table else 0, dtype=np.uint8)
        keys = []
        first_total = out["first_total"]
        for codes, ords, values in self._blocks(period, after_day, end_day):
            if with_first and values is not None:
                # A customer's first period moving earlier drops what was summed for
                # the later one; the rows of the final first period are then all
                # added in row order (as one bincount would).
                earlier = ords < first[codes]
                first_total[codes[earlier]] = 0.0
            np.minimum.at(first, codes, ords)
            np.maximum.at(last, codes, ords)
            if values is not None:
                np.add.at(total, codes, values)
                if with_first:
                    hit = ords == first[codes]
                    np.add.at(first_total, codes[hit], values[hit])
            rel = ords - o_min  # (daily ordinals may be a view of the log's days)
            if use_table:
                codes *= row_bytes
                codes += rel >> 3
                np.bitwise_or.at(table, codes, _BIT[rel & 7])
            else:
                codes *= width
                codes += rel
                keys.append(codes)
        if use_table:
            counts = _BITS_SET[table].reshape(n, row_bytes)
            out["periods"] = counts.sum(axis=1, dtype=np.int64)
        else:
            out["periods"] = _distinct_per_owner(keys, width, n)
        return out


def _distinct_per_owner(
    keys: list[NDArray[np.int64]], width: int, n_customers: int
) -> NDArray[np.int64]:
    """Distinct packed keys ``code * width + period`` per code, by one sort."""
    packed = np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64)
    del keys[:]
    packed.sort()
    distinct = np.empty(len(packed), dtype=bool)
    distinct[:1] = True
    np.not_equal(packed[1:], packed[:-1], out=distinct[1:])
    owners = packed[distinct] // width
    return np.bincount(owners, minlength=n_customers).astype(np.int64)


def _day_number(day: np.datetime64) -> int:
    return int((day - _EPOCH).astype(np.int64))


def _ordinal(day: int, period: str) -> int:
    return int(period_ordinal(np.array([day], dtype=np.int64), period)[0])


def _mean(total: NDArray[np.float64], count: NDArray[np.int64]) -> NDArray[np.float64]:
    return np.divide(total, count, out=np.zeros(len(count)), where=count > 0)
