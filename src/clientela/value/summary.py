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

A DataFrame is summarised with vectorised NumPy in time linear in the rows
(hashing the ids, then a presence table of (customer, period) or one sort of
packed keys for daily periods over long spans; no Python loop over
customers).  A path to a CSV or Parquet file is summarised out-of-core by
DuckDB under a memory limit, so 100M transactions fit in a few GB.
"""

from __future__ import annotations

import datetime as dt
import os
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
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}; got {period!r}")
    obs = _to_day(observation_end, "observation_end")
    cal = _to_day(calibration_end, "calibration_end")
    if obs is not None and cal is not None and cal >= obs:
        raise ValueError("calibration_end must be before observation_end")
    if isinstance(transactions, pd.DataFrame):
        return _summarize_frame(transactions, customer, date, amount, period, obs, cal, zone)
    if isinstance(transactions, str | Path):
        from clientela.value.summary_duckdb import summarize_file

        return summarize_file(Path(transactions), customer, date, amount, period, obs, cal, zone)
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


def period_ordinal(days: NDArray[np.int64], period: str) -> NDArray[np.int64]:
    """Integer index of the period holding each day (days since 1970-01-01).

    Weeks start on Monday (1970-01-01 was a Thursday, hence the shift of 3);
    months are ``12 * (year - 1970) + month - 1``.
    """
    if period == "D":
        return days
    if period == "W":
        if len(days) and max(-int(days.min()), int(days.max())) <= 2**40:
            # float division is vectorised (int64 division is not) and exact here:
            # a non-integer quotient is at least 1/7 from an integer.
            shifted = days.astype(np.float64)
            shifted += 3.0
            shifted /= 7.0
            return np.floor(shifted, out=shifted).astype(np.int64)
        return np.floor_divide(days + 3, 7)
    months = days.astype("datetime64[D]").astype("datetime64[M]") - np.datetime64("1970-01", "M")
    return months.astype(np.int64)


# An integer date is read as YYYYMMDD (20250131); other numbers are refused.
_YYYYMMDD = (10000101, 99991231)
# A string ending in an offset or Z is time zone-aware; without one it is taken as is.
_OFFSET = r"(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$"


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


def _frame_amounts(frame: pd.DataFrame, column: str) -> NDArray[np.float64]:
    try:
        values = pd.to_numeric(frame[column], errors="raise").to_numpy(dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"column {column!r} must be numeric: {exc}") from None
    bad = ~np.isfinite(values)
    if bad.any():
        row = frame.index[int(np.argmax(bad))]
        raise ValueError(f"column {column!r} has a missing or infinite value (row {row!r})")
    return values


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


def _summarize_frame(
    frame: pd.DataFrame,
    customer: str,
    date: str,
    amount: str | None,
    period: str,
    obs: np.datetime64 | None,
    cal: np.datetime64 | None,
    zone: str | None = None,
) -> pd.DataFrame:
    needed = [customer, date] + ([amount] if amount else [])
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(
            f"transactions are missing column(s) {', '.join(map(repr, missing))}; "
            f"they have {list(map(str, frame.columns))}"
        )
    if frame[customer].isna().any():
        row = frame.index[int(np.argmax(frame[customer].isna().to_numpy()))]
        raise ValueError(f"column {customer!r} has a missing customer id (row {row!r})")
    days = _frame_days(frame, date, zone)
    values = _frame_amounts(frame, amount) if amount else np.zeros(len(frame))
    check_window(len(frame), int(days.min()) if len(days) else None, obs, cal)
    codes, ids = _customer_codes(frame[customer])
    end_day = int((obs - _EPOCH).astype(np.int64)) if obs is not None else int(days.max(initial=0))
    if cal is None:
        keep = days <= end_day
        if not keep.all():
            codes, days, values = codes[keep], days[keep], values[keep]
        table = _per_customer(codes, days, values, period, end_day, len(ids))
        return _to_frame(table, ids, customer, amount is not None, None)
    cal_day = int((cal - _EPOCH).astype(np.int64))
    in_cal = days <= cal_day
    table = _per_customer(codes[in_cal], days[in_cal], values[in_cal], period, cal_day, len(ids))
    in_hold = (days > cal_day) & (days <= end_day)
    hold = _holdout(codes[in_hold], days[in_hold], values[in_hold], period, len(ids))
    table["duration_holdout"] = np.full(
        len(ids),
        float(
            period_ordinal(np.array([end_day]), period)[0]
            - period_ordinal(np.array([cal_day]), period)[0]
        ),
    )
    table.update(hold)
    return _to_frame(table, ids, customer, amount is not None, table["present"])


def _customer_codes(ids: pd.Series) -> tuple[NDArray[np.int64], Any]:
    """Per row the rank of its customer id among the distinct ids, and those ids sorted.

    Integer ids in a range of at most a few times the rows (a CRM's ids) are
    ranked by a presence table over the range -- no hashing, no sort; others
    by hashing (:func:`pandas.factorize`) and sorting only the distinct ids.
    """
    values = ids.to_numpy()
    if values.dtype.kind in "iu" and len(values):
        low, high = int(values.min()), int(values.max())
        if high - low <= 4 * len(values) + 1024:
            offset = values.astype(np.int64) - low
            present = np.zeros(high - low + 1, dtype=bool)
            present[offset] = True
            rank = np.cumsum(present, dtype=np.int64) - 1
            return rank[offset], (np.flatnonzero(present) + low).astype(values.dtype)
    codes, uniques = pd.factorize(ids, sort=True)
    return codes.astype(np.int64, copy=False), uniques


# Largest (customer, period) presence table, in cells per transaction, used instead
# of sorting packed keys (as in summary_parquet).
_PRESENCE_CELLS_PER_ROW = 24


def _period_spans(
    codes: NDArray[np.int64], rel: NDArray[np.int64], width: int, n_customers: int
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Per customer: number of distinct periods, first and last period (``rel`` in ``[0, width)``).

    A presence table of one byte per (customer, period) when it is at most
    ``_PRESENCE_CELLS_PER_ROW`` cells per transaction (weekly or monthly
    periods): one scattered write per row, then row-wise counts and first/last
    set cells -- O(n), no sort, no hashing.  Otherwise one sort of packed int64
    keys, read off run boundaries.  Customers without a row get 0, ``width``
    and -1.
    """
    if n_customers * width <= _PRESENCE_CELLS_PER_ROW * max(len(codes), 1):
        present = np.zeros((n_customers, width), dtype=bool)
        flat = present.reshape(-1)
        cell = codes * width
        cell += rel
        flat[cell] = True
        del cell
        count = np.count_nonzero(present, axis=1).astype(np.int64)
        first = np.argmax(present, axis=1).astype(np.int64)
        last = (width - 1 - np.argmax(present[:, ::-1], axis=1)).astype(np.int64)
        empty = count == 0
        first[empty], last[empty] = width, -1
        return count, first, last
    keys = codes * width
    keys += rel
    keys.sort()
    distinct = np.empty(len(keys), dtype=bool)
    distinct[:1] = True
    np.not_equal(keys[1:], keys[:-1], out=distinct[1:])
    pairs = keys[distinct]
    del keys, distinct
    who = pairs // width
    starts = np.flatnonzero(np.r_[True, who[1:] != who[:-1]]) if len(pairs) else np.zeros(0, np.intp)
    ends = np.r_[starts[1:], len(pairs)] - 1
    count = np.zeros(n_customers, dtype=np.int64)
    first = np.full(n_customers, width, dtype=np.int64)
    last = np.full(n_customers, -1, dtype=np.int64)
    owners = who[starts]
    count[owners] = ends - starts + 1
    first[owners] = pairs[starts] - owners * width
    last[owners] = pairs[ends] - owners * width
    return count, first, last


def _per_customer(
    codes: NDArray[np.int64],
    days: NDArray[np.int64],
    values: NDArray[np.float64],
    period: str,
    end_day: int,
    n_customers: int,
) -> dict[str, NDArray[Any]]:
    """frequency, recency, T and monetary_value per customer code; O(n) in the rows.

    Distinct periods and the first and last one by :func:`_period_spans`,
    amounts by ``bincount``.
    """
    ords = period_ordinal(days, period)
    end_ord = int(period_ordinal(np.array([end_day]), period)[0])
    if len(ords) == 0:
        zeros = np.zeros(n_customers)
        return {"present": np.zeros(n_customers, dtype=bool), "frequency": zeros,
                "recency": zeros, "T": zeros, "monetary_value": zeros}
    o_min = int(ords.min())
    rel = np.asarray(ords, dtype=np.int64)
    rel -= o_min
    width = int(rel.max()) + 1
    periods, first, last = _period_spans(codes, rel, width, n_customers)
    present = periods > 0
    frequency = np.where(present, periods - 1, 0).astype(np.float64)
    total = np.bincount(codes, weights=values, minlength=n_customers)
    in_first = rel == first[codes]
    first_value = np.bincount(codes[in_first], weights=values[in_first], minlength=n_customers)
    return {
        "present": present,
        "frequency": frequency,
        "recency": np.where(present, last - first, 0).astype(np.float64),
        "T": np.where(present, end_ord - o_min - first, 0).astype(np.float64),
        "monetary_value": np.divide(
            total - first_value, frequency, out=np.zeros(n_customers), where=frequency > 0
        ),
    }


def _holdout(
    codes: NDArray[np.int64],
    days: NDArray[np.int64],
    values: NDArray[np.float64],
    period: str,
    n_customers: int,
) -> dict[str, NDArray[Any]]:
    """Holdout periods with a purchase and the mean of their totals, per customer."""
    if len(codes) == 0:
        zeros = np.zeros(n_customers)
        return {"frequency_holdout": zeros, "monetary_value_holdout": zeros}
    ords = period_ordinal(days, period)
    rel = np.asarray(ords - int(ords.min()), dtype=np.int64)
    count = _period_spans(codes, rel, int(rel.max()) + 1, n_customers)[0].astype(np.float64)
    total = np.bincount(codes, weights=values, minlength=n_customers)
    mean = np.divide(total, count, out=np.zeros(n_customers), where=count > 0)
    return {"frequency_holdout": count, "monetary_value_holdout": mean}


def _to_frame(
    table: dict[str, NDArray[Any]],
    ids: Any,
    customer: str,
    with_amount: bool,
    present: NDArray[np.bool_] | None,
) -> pd.DataFrame:
    keep = table["present"]
    columns = ["frequency", "recency", "T"]
    if with_amount:
        columns.append("monetary_value")
    if present is not None:
        columns += ["frequency_holdout"]
        if with_amount:
            columns.append("monetary_value_holdout")
        columns.append("duration_holdout")
    out = pd.DataFrame(
        {c: table[c][keep] for c in columns}, index=pd.Index(np.asarray(ids)[keep], name=customer)
    )
    out["frequency"] = out["frequency"].astype(np.int64)
    if "frequency_holdout" in out:
        out["frequency_holdout"] = out["frequency_holdout"].astype(np.int64)
    return out
