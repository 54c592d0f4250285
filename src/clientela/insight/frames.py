"""Checks and coercions for the DataFrames the insight functions take.

Every public function in :mod:`clientela.insight` documents the columns it
needs; this module turns a missing or malformed column into a ``ValueError``
that names the frame and the column, and normalises the two kinds of value the
system of record hands over:

* **money** -- ``Decimal`` (object dtype), integers or floats become
  ``float64``.  The engines compute in floating point; amounts are stored back
  as ``Decimal`` by the caller (docs/architecture.md, Cross-cutting).
* **time** -- tz-aware timestamps are converted to UTC and then made naive, so
  that every comparison inside the engines is between naive UTC values; naive
  input is taken to be UTC already.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import numpy as np
import pandas as pd

TimeLike = pd.Timestamp | datetime | date | str


def require_columns(frame: pd.DataFrame, columns: Iterable[str], *, name: str) -> None:
    """Raise ``ValueError`` naming ``name`` and every column of ``columns`` it lacks."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name}: expected a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{name}: missing column(s) {', '.join(repr(c) for c in missing)}; "
            f"has {', '.join(repr(str(c)) for c in frame.columns) or 'no columns'}"
        )


def money(frame: pd.DataFrame, column: str, *, name: str) -> pd.Series:
    """Column ``column`` of ``frame`` as ``float64``; NaN/inf or text is an error."""
    values = frame[column]
    try:
        out = pd.to_numeric(values.astype("float64"), errors="raise")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: column {column!r} must be numeric ({exc})") from exc
    if not np.isfinite(out.to_numpy()).all():
        bad = out.index[~np.isfinite(out.to_numpy())][0]
        raise ValueError(f"{name}: column {column!r} has a missing or infinite value at row {bad!r}")
    return out


def timestamps(frame: pd.DataFrame, column: str, *, name: str) -> pd.Series:
    """Column ``column`` as naive-UTC ``datetime64``; unparseable or missing values are errors."""
    try:
        out = pd.to_datetime(frame[column], utc=True)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: column {column!r} must hold dates or timestamps ({exc})") from exc
    if out.isna().any():
        bad = out.index[out.isna().to_numpy()][0]
        raise ValueError(f"{name}: column {column!r} has a missing timestamp at row {bad!r}")
    return out.dt.tz_convert(None)


def instant(value: TimeLike) -> pd.Timestamp:
    """A point in time as a naive-UTC ``Timestamp`` (naive input is taken as UTC)."""
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp


def flag(frame: pd.DataFrame, column: str) -> pd.Series:
    """Boolean column, missing values read as ``False``; an absent column is all ``False``."""
    if column not in frame.columns:
        return pd.Series(False, index=frame.index, dtype=bool)
    return frame[column].fillna(False).astype(bool)


def optional_float(frame: pd.DataFrame, column: str) -> pd.Series:
    """Numeric column as ``float64`` with NaN for missing; an absent column is all NaN."""
    if column not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype="float64")
    return pd.to_numeric(frame[column].astype("float64"), errors="coerce")
