"""Export the current run's scores as CSV (neutralised text) or Parquet."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

import pyarrow as pa
import pyarrow.parquet as pq

from clientela.crm.scoring.models import CustomerScore, ModelRun
from clientela.crm.transfer.csv_export import neutralise

# (header, ORM lookup, arrow type); text columns are neutralised in CSV.
COLUMNS: list[tuple[str, str, pa.DataType]] = [
    ("customer_ref", "party__ref", pa.string()),
    ("name", "party__name", pa.string()),
    ("p_alive", "p_alive", pa.float64()),
    ("expected_purchases_90", "expected_purchases_90", pa.float64()),
    ("expected_purchases_365", "expected_purchases_365", pa.float64()),
    ("expected_spend", "expected_spend", pa.decimal128(16, 2)),
    ("clv", "clv", pa.decimal128(16, 2)),
    ("clv_low", "clv_low", pa.decimal128(16, 2)),
    ("clv_high", "clv_high", pa.decimal128(16, 2)),
    ("churn_risk", "churn_risk", pa.float64()),
    ("rfm_r", "rfm_r", pa.int16()),
    ("rfm_f", "rfm_f", pa.int16()),
    ("rfm_m", "rfm_m", pa.int16()),
    ("rfm_segment", "rfm_segment", pa.string()),
    ("ladder_stage", "ladder_stage", pa.string()),
    ("revenue", "revenue", pa.decimal128(16, 2)),
    ("net_contribution", "net_contribution", pa.decimal128(16, 2)),
    ("unprofitable", "unprofitable", pa.bool_()),
    ("next_best_action", "next_best_action", pa.string()),
    ("nba_reason", "nba_reason", pa.string()),
    ("nba_product_sku", "nba_product_sku", pa.string()),
]


class NoScores(LookupError):
    """There is no successful scoring run to export."""


def current_scores() -> Any:
    """The current run's scores (``NoScores`` when there is no run): what the export
    writes, before a user's scope narrows it (``exports.sources``)."""
    return CustomerScore.objects.filter(run=_current())


def _rows(run: ModelRun, narrow: Callable[[Any], Any] | None = None) -> Iterator[tuple[Any, ...]]:
    queryset = CustomerScore.objects.filter(run=run)
    if narrow is not None:
        queryset = narrow(queryset)
    queryset = queryset.order_by("party__ref").values_list(*(lookup for _, lookup, _ in COLUMNS))
    yield from queryset.iterator(chunk_size=5000)


def _current() -> ModelRun:
    run = ModelRun.objects.filter(is_current=True).first()
    if run is None:
        raise NoScores("no scoring run yet: run `clientela score` first")
    return run


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    return neutralise(str(value))


def export_scores_csv(stream: TextIO, *, narrow: Callable[[Any], Any] | None = None) -> int:
    """Write the current run's scores to ``stream`` (``narrow``: the rows a user may
    see); returns the row count."""
    run = _current()
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow([name for name, _, _ in COLUMNS])
    count = 0
    for row in _rows(run, narrow):
        writer.writerow([_cell(v) for v in row])
        count += 1
    return count


def export_scores_parquet(path: Path | str) -> int:
    """Write the current run's scores to a typed Parquet file; returns the row count."""
    run = _current()
    schema = pa.schema([(name, kind) for name, _, kind in COLUMNS])
    count = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        batch: list[tuple[Any, ...]] = []
        for row in _rows(run):
            batch.append(row)
            if len(batch) == 50_000:
                writer.write_table(_table(batch, schema))
                count += len(batch)
                batch = []
        writer.write_table(_table(batch, schema))
        count += len(batch)
    return count


def _table(rows: list[tuple[Any, ...]], schema: pa.Schema) -> pa.Table:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in schema]
    return pa.table(
        [pa.array(list(values), type=f.type) for values, f in zip(columns, schema, strict=True)],
        schema=schema,
    )
