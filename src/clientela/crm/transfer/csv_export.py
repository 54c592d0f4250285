"""Export customers, orders or interactions in the canonical columns import reads.

Rows are streamed (``QuerySet.iterator``, a server-side cursor on PostgreSQL), so
memory stays flat however large the export. CSV text cells are neutralised
against spreadsheet formula injection (OWASP): a cell that starts with ``=``,
``+``, ``-``, ``@``, tab or carriage return — after any run of single quotes —
gets one more leading ``'``. Import drops exactly that one quote again, so
export → import → export gives back the same file. Number columns are written
as plain numbers and never altered. Parquet is typed and written unaltered.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

import pyarrow as pa
import pyarrow.parquet as pq

from clientela.crm.transfer.columns import Kind, column_names

CHUNK = 5000
FORMULA_START = re.compile(r"^'*[=+\-@\t\r]")

# For each kind: (ORM lookup, how the cell is written) per canonical column, and the order.
_TEXT, _TIME, _NUMBER = "text", "time", "number"
SOURCES: dict[Kind, tuple[str, list[tuple[str, str]], list[str]]] = {
    Kind.CUSTOMERS: (
        "parties.Party",
        [("ref", _TEXT), ("name", _TEXT), ("kind", _TEXT), ("email", _TEXT), ("phone", _TEXT),
         ("country", _TEXT), ("acquired_at", _TIME), ("acquisition_channel", _TEXT)],
        ["ref"],
    ),
    Kind.ORDERS: (
        "commerce.OrderLine",
        [("order__ref", _TEXT), ("order__party__ref", _TEXT), ("order__ordered_at", _TIME),
         ("product__sku", _TEXT), ("quantity", _NUMBER), ("unit_price", _NUMBER),
         ("order__currency", _TEXT), ("unit_cost", _NUMBER), ("discount", _NUMBER)],
        ["order__ref", "line_no"],
    ),
    Kind.INTERACTIONS: (
        "engagement.Interaction",
        [("party__ref", _TEXT), ("occurred_at", _TIME), ("channel", _TEXT), ("direction", _TEXT),
         ("subject", _TEXT)],
        ["party__ref", "occurred_at", "channel", "direction", "subject", "id"],
    ),
}

ARROW_TYPES = {
    _TEXT: pa.string(),
    _TIME: pa.timestamp("us", tz="UTC"),
}


def neutralise(text: str) -> str:
    """Prefix ``'`` to text a spreadsheet would read as a formula (see the module docstring)."""
    return "'" + text if FORMULA_START.match(text) else text


Narrow = Callable[[Any], Any]  # QuerySet -> QuerySet: the rows a user may see


def export_csv(kind: Kind | str, stream: TextIO, *, narrow: Narrow | None = None) -> int:
    """Write ``kind`` as canonical CSV to ``stream``; returns the number of rows.
    ``narrow`` restricts the rows (a user's scope: ``exports.sources``)."""
    kind = Kind(kind)
    # CRLF (RFC 4180) also makes the csv module quote a value holding a bare CR.
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(column_names(kind))
    formatters = [_CSV_FORMAT[how] for _, how in SOURCES[kind][1]]
    count = 0
    for row in _rows(kind, narrow):
        writer.writerow([fmt(value) for fmt, value in zip(formatters, row, strict=True)])
        count += 1
    return count


def export_parquet(kind: Kind | str, path: Path | str) -> int:
    """Write ``kind`` to a Parquet file at ``path`` with typed columns; returns the row count."""
    kind = Kind(kind)
    schema = pa.schema(
        [(name, _arrow_type(kind, lookup, how))
         for name, (lookup, how) in zip(column_names(kind), SOURCES[kind][1], strict=True)]
    )
    count = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        batch: list[tuple[Any, ...]] = []
        for row in _rows(kind):
            batch.append(row)
            if len(batch) == CHUNK * 10:
                writer.write_table(_arrow_batch(batch, schema))
                count += len(batch)
                batch = []
        if batch or count == 0:
            writer.write_table(_arrow_batch(batch, schema))
            count += len(batch)
    return count


def source_queryset(kind: Kind | str) -> Any:
    """Every record ``kind`` exports (before ordering and columns)."""
    from django.apps import apps

    return apps.get_model(SOURCES[Kind(kind)][0]).objects.all()


def _rows(kind: Kind, narrow: Narrow | None = None) -> Iterator[tuple[Any, ...]]:
    _, columns, ordering = SOURCES[kind]
    queryset = source_queryset(kind)
    if narrow is not None:
        queryset = narrow(queryset)
    queryset = queryset.order_by(*ordering).values_list(*(lookup for lookup, _ in columns))
    yield from queryset.iterator(chunk_size=CHUNK)


def _format_time(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(UTC).isoformat()


def _format_number(value: int | Decimal) -> str:
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _format_text(value: str | None) -> str:
    return "" if value is None else neutralise(value)


_CSV_FORMAT: dict[str, Callable[[Any], str]] = {
    _TEXT: _format_text,
    _TIME: _format_time,
    _NUMBER: _format_number,
}


def _arrow_type(kind: Kind, lookup: str, how: str) -> pa.DataType:
    if how != _NUMBER:
        return ARROW_TYPES[how]
    return pa.int32() if lookup == "quantity" else pa.decimal128(14, 4)


def _arrow_batch(rows: list[tuple[Any, ...]], schema: pa.Schema) -> pa.Table:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in schema]
    return pa.table(
        [pa.array(list(values), type=f.type) for values, f in zip(columns, schema, strict=True)],
        schema=schema,
    )
