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
  ``monetary_value_holdout`` (their mean value) and ``duration_holdout``.

Dates are compared by calendar day: a transaction belongs to the window if its
day is on or before the end day.  Time zone-aware dates are taken in UTC.

A DataFrame is summarised with vectorised NumPy (sorting, no Python loop over
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

    Returns
    -------
    pandas.DataFrame
        Indexed by customer, sorted by customer.

    Raises
    ------
    ValueError
        Naming the column when a column is missing, a date cannot be parsed,
        or an amount is not numeric; or for a bad ``period`` or window.
    """
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}; got {period!r}")
    obs = _to_day(observation_end, "observation_end")
    cal = _to_day(calibration_end, "calibration_end")
    if obs is not None and cal is not None and cal >= obs:
        raise ValueError("calibration_end must be before observation_end")
    if isinstance(transactions, pd.DataFrame):
        return _summarize_frame(transactions, customer, date, amount, period, obs, cal)
    if isinstance(transactions, str | Path):
        from clientela.value.summary_duckdb import summarize_file

        return summarize_file(Path(transactions), customer, date, amount, period, obs, cal)
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
        return np.floor_divide(days + 3, 7)
    months = days.astype("datetime64[D]").astype("datetime64[M]") - np.datetime64("1970-01", "M")
    return months.astype(np.int64)


def _frame_days(frame: pd.DataFrame, column: str) -> NDArray[np.int64]:
    values = frame[column]
    try:
        parsed = pd.to_datetime(values, errors="raise")
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(f"column {column!r} has a value that is not a date: {exc}") from None
    if parsed.isna().any():
        row = frame.index[int(np.argmax(parsed.isna().to_numpy()))]
        raise ValueError(f"column {column!r} has a missing date (row {row!r})")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
    days = parsed.to_numpy().astype("datetime64[D]")
    return np.asarray((days - _EPOCH).astype(np.int64), dtype=np.int64)


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


def _summarize_frame(
    frame: pd.DataFrame,
    customer: str,
    date: str,
    amount: str | None,
    period: str,
    obs: np.datetime64 | None,
    cal: np.datetime64 | None,
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
    days = _frame_days(frame, date)
    values = _frame_amounts(frame, amount) if amount else np.zeros(len(frame))
    codes, ids = pd.factorize(frame[customer], sort=True)
    end_day = int((obs - _EPOCH).astype(np.int64)) if obs is not None else int(days.max(initial=0))
    if cal is None:
        keep = days <= end_day
        table = _per_customer(codes[keep], days[keep], values[keep], period, end_day, len(ids))
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


def _period_totals(
    codes: NDArray[np.intp], days: NDArray[np.int64], values: NDArray[np.float64], period: str
) -> tuple[NDArray[np.intp], NDArray[np.int64], NDArray[np.float64]]:
    """Distinct (customer, period) pairs sorted by customer then period, with summed values."""
    ords = period_ordinal(days, period)
    order = np.lexsort((ords, codes))
    c, o, v = codes[order], ords[order], values[order]
    new = np.ones(len(c), dtype=bool)
    new[1:] = (c[1:] != c[:-1]) | (o[1:] != o[:-1])
    pair = np.cumsum(new) - 1
    totals = np.asarray(np.bincount(pair, weights=v, minlength=int(new.sum())), dtype=np.float64)
    return c[new], o[new], totals


def _per_customer(
    codes: NDArray[np.intp],
    days: NDArray[np.int64],
    values: NDArray[np.float64],
    period: str,
    end_day: int,
    n_customers: int,
) -> dict[str, NDArray[Any]]:
    pc, po, pv = _period_totals(codes, days, values, period)
    starts = np.flatnonzero(np.r_[True, pc[1:] != pc[:-1]]) if len(pc) else np.array([], np.intp)
    ends = np.r_[starts[1:], len(pc)] - 1
    who = pc[starts]
    count = ends - starts + 1
    first, last = po[starts], po[ends]
    total = np.add.reduceat(pv, starts) if len(pv) else np.zeros(0)
    repeat_value = total - pv[starts] if len(pv) else np.zeros(0)
    end_ord = int(period_ordinal(np.array([end_day]), period)[0])

    def spread(values_: NDArray[Any], fill: float = 0.0) -> NDArray[np.float64]:
        out = np.full(n_customers, fill, dtype=np.float64)
        out[who] = values_
        return out

    frequency = spread(count - 1)
    present = np.zeros(n_customers, dtype=bool)
    present[who] = True
    return {
        "present": present,
        "frequency": frequency,
        "recency": spread(last - first),
        "T": spread(end_ord - first),
        "monetary_value": np.divide(
            spread(repeat_value), frequency, out=np.zeros(n_customers), where=frequency > 0
        ),
    }


def _holdout(
    codes: NDArray[np.intp],
    days: NDArray[np.int64],
    values: NDArray[np.float64],
    period: str,
    n_customers: int,
) -> dict[str, NDArray[Any]]:
    pc, _, pv = _period_totals(codes, days, values, period)
    count = np.bincount(pc, minlength=n_customers).astype(np.float64)
    total = np.bincount(pc, weights=pv, minlength=n_customers)
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
