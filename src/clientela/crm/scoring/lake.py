"""Orders from Parquet instead of the database: ``clientela score --transactions PATH``.

A company whose history lives in its warehouse scores its parties without loading
the orders into the CRM's database.  ``PATH`` is a Parquet file or a directory of
them (partitioned or not) in one of two layouts:

* order lines, as ``clientela export orders --format parquet`` writes them:
  ``order_ref``, ``customer_ref``, ``ordered_at``, ``quantity``, ``unit_price``,
  ``currency``, and optionally ``discount``, ``unit_cost`` and ``status``; an
  order's amount is the sum of ``quantity * unit_price - discount`` over its lines
  and its cost the sum of ``quantity * unit_cost`` (as the CRM totals them);
* one row per order, as a lake often keeps them: ``customer_ref``,
  ``ordered_at``, ``amount``, and optionally ``order_ref``, ``currency`` (default:
  the base currency), ``cost`` and ``status``.

``customer_ref`` is the party's ref in the CRM (the parties, products and the
rest stay in the database); cancelled orders are left out as on the database
route, amounts are converted to the base currency with the CRM's exchange rates.
Bad input -- a missing column, a time that is not a time, a missing or negative
amount, a customer the CRM does not know -- is an :class:`ExtractError` naming
the column (and an example), before anything is written.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from django.conf import settings

from clientela.crm.scoring.extract import ExtractError, base_rates

LINES = ("order_ref", "customer_ref", "ordered_at", "quantity", "unit_price")
ORDERS = ("customer_ref", "ordered_at", "amount")
OPTIONAL = ("order_ref", "currency", "discount", "unit_cost", "cost", "status")


def _read(path: Path) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.dataset as ds

    try:
        dataset = ds.dataset(str(path), format="parquet", partitioning="hive")
        names = set(dataset.schema.names)
        if set(LINES) <= names:
            wanted = list(LINES)
        elif set(ORDERS) <= names:
            wanted = list(ORDERS)
        else:
            raise ExtractError(
                f"{path.name}: the orders need the columns {', '.join(LINES)} (order lines) or "
                f"{', '.join(ORDERS)} (one row per order); it has {', '.join(sorted(names))}"
            )
        table = dataset.to_table(columns=wanted + [c for c in OPTIONAL if c in names and c not in wanted])
    except (OSError, pa.ArrowException) as exc:
        raise ExtractError(f"{path.name}: cannot be read as Parquet ({exc})") from None
    return table.to_pandas()


def _times(frame: pd.DataFrame, name: str) -> pd.Series:
    """Aware UTC times; naive values are UTC (as in the CRM's files)."""
    values = frame["ordered_at"]
    if values.isna().any():
        raise ExtractError(f"{name}: column 'ordered_at' has a missing time")
    try:
        if pd.api.types.is_datetime64_any_dtype(values.dtype):
            times = pd.to_datetime(values, utc=True)
        else:
            times = pd.to_datetime(values.astype(str), utc=True, format="ISO8601")
    except (TypeError, ValueError) as exc:
        raise ExtractError(f"{name}: column 'ordered_at' holds a value that is not a time ({exc})") from None
    return times


def _numbers(frame: pd.DataFrame, column: str, name: str, *, default: float | None = None) -> np.ndarray:
    if column not in frame:
        if default is None:
            raise ExtractError(f"{name}: column {column!r} is missing")
        return np.full(len(frame), default)
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=np.float64)
    if default is not None:
        values = np.where(frame[column].isna().to_numpy(), default, values)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        example = frame[column].iloc[int(np.argmax(bad))]
        raise ExtractError(
            f"{name}: column {column!r} needs numbers >= 0 ({int(bad.sum())} row(s) are not, "
            f"e.g. {example!r})"
        )
    return values


def _party_ids(refs: pd.Series, name: str) -> np.ndarray:
    from clientela.crm.parties.models import Party

    known = dict(Party.objects.values_list("ref", "id").iterator(chunk_size=50_000))
    ids = refs.map(known)
    unknown = ids.isna().to_numpy()
    if unknown.any():
        example = refs[unknown].iloc[0]
        raise ExtractError(
            f"{name}: {int(unknown.sum())} order row(s) name a customer_ref the CRM does not "
            f"know (e.g. {example!r}); import the parties first"
        )
    return ids.to_numpy(dtype=np.int64)


def orders_from_parquet(path: Path) -> pd.DataFrame:
    """The frame :func:`clientela.crm.scoring.extract.orders` gives, read from Parquet at ``path``."""
    name = path.name
    frame = _read(path)
    if frame.empty:
        raise ExtractError(f"{name}: no orders in the file")
    if frame["customer_ref"].isna().any():
        raise ExtractError(f"{name}: column 'customer_ref' has a missing customer")
    frame["ordered_at"] = _times(frame, name)
    base = settings.BASE_CURRENCY
    frame["currency"] = (frame["currency"].fillna(base).astype(str).str.upper()
                         if "currency" in frame else base)
    frame["status"] = (frame["status"].fillna("completed").astype(str).str.lower()
                       if "status" in frame else "completed")
    if "quantity" in frame:  # order lines
        quantity = _numbers(frame, "quantity", name)
        frame["amount"] = quantity * _numbers(frame, "unit_price", name) - _numbers(
            frame, "discount", name, default=0.0)
        frame["cost"] = quantity * _numbers(frame, "unit_cost", name, default=0.0)
        frame = (
            frame.groupby("order_ref", sort=True, dropna=False)
            .agg(customer_ref=("customer_ref", "first"), ordered_at=("ordered_at", "first"),
                 status=("status", "first"), currency=("currency", "first"),
                 amount=("amount", "sum"), cost=("cost", "sum"))
            .reset_index()
        )
    else:
        frame["amount"] = _numbers(frame, "amount", name)
        frame["cost"] = _numbers(frame, "cost", name, default=0.0)
    frame = frame[frame["status"] != "cancelled"].reset_index(drop=True)
    orders = pd.DataFrame({
        "order_id": np.arange(1, len(frame) + 1, dtype=np.int64),
        "party_id": _party_ids(frame["customer_ref"].astype(str), name),
        "ordered_at": frame["ordered_at"],
        "status": frame["status"].astype(object),
        "currency": frame["currency"].astype(object),
        "amount": frame["amount"].to_numpy(dtype=np.float64).round(2),
        "cost": frame["cost"].to_numpy(dtype=np.float64).round(2),
    })
    rate = base_rates(orders["currency"], orders["ordered_at"])
    orders["amount"] = orders["amount"] * rate
    orders["cost"] = orders["cost"] * rate
    return orders
