"""Export every record kind in the canonical columns import reads (columns.py).

Rows are streamed (``QuerySet.iterator``, a server-side cursor on PostgreSQL), so
memory stays flat however large the export. CSV text cells are neutralised
against spreadsheet formula injection (OWASP): a cell that starts with ``=``,
``+``, ``-``, ``@``, tab or carriage return — after any run of single quotes —
gets one more leading ``'``. Phone cells are also protected when they start with a
digit, so a spreadsheet keeps ``0048 600…`` as text instead of a number. Import drops
exactly that one quote again, so export → import → export gives back the same file.
Number columns are written as plain numbers and never altered. Parquet is typed and
written unaltered.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

import pyarrow as pa
import pyarrow.parquet as pq

from clientela.crm.transfer.columns import WORD_SEPARATOR, Kind, column_names
from clientela.crm.transfer.neutralise import neutralise, neutralise_phone

__all__ = ["export_all", "export_csv", "export_parquet", "neutralise", "neutralise_phone"]

CHUNK = 5000
MONEY = pa.decimal128(14, 4)


@dataclass(frozen=True)
class Out:
    """How one column is read (ORM lookups) and written (``how``; ``arrow``: Parquet type)."""

    lookups: tuple[str, ...]
    how: str = "text"
    arrow: pa.DataType = pa.string()


def _o(lookup: str, how: str = "text", arrow: pa.DataType | None = None) -> Out:
    default = {"time": pa.timestamp("us", tz="UTC"), "date": pa.date32(), "number": MONEY,
               "bool": pa.bool_()}.get(how, pa.string())
    return Out((lookup,), how, arrow or default)


ROLES = Out(("is_customer", "is_prospect", "is_supplier", "is_partner", "is_internal"), "roles")


@dataclass(frozen=True)
class Source:
    model: str
    columns: tuple[Out, ...]
    ordering: tuple[str, ...]
    customer_base_only: bool = False


_PARTY = (
    _o("ref"), _o("name"), _o("kind"), _o("email"), _o("phone", "phone"), _o("country"),
    _o("acquired_at", "time"), _o("acquisition_channel"), ROLES, _o("street"), _o("postal_code"), _o("city"),
    _o("language"), _o("preferred_channel"), _o("owner__username"), _o("team__name"), _o("tags", "words"),
    _o("referred_by__ref"), _o("archived_at", "time"),
)

SOURCES: dict[Kind, Source] = {
    Kind.PARTIES: Source("parties.Party", _PARTY, ("ref",)),
    Kind.CUSTOMERS: Source("parties.Party", _PARTY, ("ref",), customer_base_only=True),
    Kind.CONSENTS: Source("parties.Consent", (
        _o("party__ref"), _o("purpose"), _o("channel"), _o("lawful_basis"), _o("source"), _o("given_at", "time"),
        _o("withdrawn_at", "time"),
    ), ("party__ref", "purpose", "channel", "given_at", "id")),
    Kind.CONTACTS: Source("parties.ContactPerson", (
        _o("organisation__ref"), _o("name"), _o("job_title"), _o("email"), _o("phone", "phone"),
        _o("is_primary", "bool"), _o("consent_email", "bool"), _o("consent_phone", "bool"), _o("person__ref"),
    ), ("organisation__ref", "name", "id")),
    Kind.PRODUCTS: Source("commerce.Product", (
        _o("sku"), _o("name"), _o("category"), _o("list_price", "number"), _o("unit_cost", "number"),
        _o("currency"), _o("is_active", "bool"),
    ), ("sku",)),
    Kind.EXCHANGE_RATES: Source("commerce.ExchangeRate", (
        _o("date", "date"), _o("currency"), _o("rate", "number", pa.decimal128(18, 8)),
    ), ("date", "currency")),
    Kind.ORDERS: Source("commerce.OrderLine", (
        _o("order__ref"), _o("order__party__ref"), _o("order__ordered_at", "time"), _o("product__sku"),
        _o("quantity", "number", pa.int32()), _o("unit_price", "number"), _o("order__currency"),
        _o("unit_cost", "number"), _o("discount", "number"), _o("order__channel"), _o("order__status"),
        _o("order__returned_at", "time"),
    ), ("order__ref", "line_no")),
    Kind.INTERACTIONS: Source("engagement.Interaction", (
        _o("party__ref"), _o("occurred_at", "time"), _o("channel"), _o("direction"), _o("subject"),
        _o("cost", "number", pa.decimal128(10, 2)), _o("notes"), _o("user__username"),
    ), ("party__ref", "occurred_at", "channel", "direction", "subject", "id")),
    Kind.DEALS: Source("sales.Deal", (
        _o("party__ref"), _o("name"), _o("pipeline__name"), _o("stage__name"),
        _o("amount", "number", pa.decimal128(14, 2)), _o("currency"), _o("expected_close", "date"),
        _o("status"), _o("closed_at", "time"), _o("close_reason"), _o("owner__username"), _o("team__name"),
        _o("created_at", "time"),
    ), ("party__ref", "pipeline__name", "name", "created_at", "id")),
    Kind.SURVEY_ANSWERS: Source("feedback.SurveyResponse", (
        _o("survey__name"), _o("kind"), _o("party__ref"), _o("score", "number", pa.int16()), _o("comment"),
        _o("answered_at", "time"), _o("choice"),
    ), ("survey__name", "party__ref", "answered_at", "id")),
    Kind.LOYALTY: Source("loyalty.PointsEntry", (
        _o("account__programme__name"), _o("account__party__ref"), _o("kind"),
        _o("points", "number", pa.int64()), _o("occurred_at", "time"), _o("reason"), _o("order__ref"),
    ), ("account__programme__name", "account__party__ref", "id")),
}


Narrow = Callable[[Any], Any]  # QuerySet -> QuerySet: the rows a user may see


def export_csv(kind: Kind | str, stream: TextIO, *, narrow: Narrow | None = None) -> int:
    """Write ``kind`` as canonical CSV to ``stream``; returns the number of rows.
    ``narrow`` restricts the rows (a user's scope: ``exports.sources``)."""
    kind = Kind(kind)
    # CRLF (RFC 4180) also makes the csv module quote a value holding a bare CR.
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(column_names(kind))
    count = 0
    for row in _cells(kind, narrow):
        writer.writerow([_CSV_FORMAT[out.how](value) for out, value in zip(SOURCES[kind].columns, row, strict=True)])
        count += 1
    return count


def export_parquet(kind: Kind | str, path: Path | str) -> int:
    """Write ``kind`` to a Parquet file at ``path`` with typed columns; returns the row count."""
    kind = Kind(kind)
    schema = pa.schema([(name, out.arrow) for name, out in zip(column_names(kind), SOURCES[kind].columns,
                                                                 strict=True)])
    count = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        batch: list[tuple[Any, ...]] = []
        for row in _cells(kind):
            batch.append(tuple(_PARQUET.get(out.how, _same)(value)
                               for out, value in zip(SOURCES[kind].columns, row, strict=True)))
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

    source = SOURCES[Kind(kind)]
    queryset = apps.get_model(source.model)._default_manager.all()
    if source.customer_base_only:
        from clientela.crm.parties.models import OUTSIDE_CUSTOMER_BASE

        queryset = queryset.exclude(OUTSIDE_CUSTOMER_BASE)
    return queryset


def _cells(kind: Kind, narrow: Narrow | None = None) -> Iterator[tuple[Any, ...]]:
    """One value per column (a tuple for a column read from several lookups); ``narrow``
    restricts the rows (a user's scope)."""
    source = SOURCES[kind]
    queryset = source_queryset(kind)
    if narrow is not None:
        queryset = narrow(queryset)
    lookups = [lookup for out in source.columns for lookup in out.lookups]
    spans = [len(out.lookups) for out in source.columns]
    for flat in queryset.order_by(*source.ordering).values_list(*lookups).iterator(chunk_size=CHUNK):
        row, at = [], 0
        for span in spans:
            row.append(flat[at] if span == 1 else flat[at:at + span])
            at += span
        yield tuple(row)


def _format_time(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(UTC).isoformat()


def _format_date(value: date | None) -> str:
    return "" if value is None else value.isoformat()


def _format_number(value: int | Decimal | None) -> str:
    if value is None:
        return ""
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _format_text(value: str | None) -> str:
    return "" if value is None else neutralise(value)


def _format_phone(value: str | None) -> str:
    return "" if value is None else neutralise_phone(value)


def _format_bool(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


def _format_words(value: list[str] | None) -> str:
    return neutralise(WORD_SEPARATOR.join(value or []))


def _format_roles(flags: tuple[bool, ...]) -> str:
    from clientela.crm.transfer.columns import ROLES as ROLE_WORDS

    return WORD_SEPARATOR.join(word for word, flag in zip(ROLE_WORDS, flags, strict=True) if flag)


_CSV_FORMAT: dict[str, Callable[[Any], str]] = {
    "text": _format_text,
    "phone": _format_phone,
    "time": _format_time,
    "date": _format_date,
    "number": _format_number,
    "bool": _format_bool,
    "words": _format_words,
    "roles": _format_roles,
}


def _same(value: Any) -> Any:
    return value


_PARQUET: dict[str, Callable[[Any], Any]] = {
    "words": lambda value: WORD_SEPARATOR.join(value or []),
    "roles": _format_roles,
}


def _arrow_batch(rows: list[tuple[Any, ...]], schema: pa.Schema) -> pa.Table:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in schema]
    return pa.table(
        [pa.array(list(values), type=f.type) for values, f in zip(columns, schema, strict=True)],
        schema=schema,
    )


def export_all(directory: Path | str) -> list[tuple[Path, int]]:
    """Every kind of ``columns.ALL_KINDS`` as ``directory/KIND.csv`` (the directory is
    created); returns (path, rows) per file. ``import_all`` reads them back."""
    from clientela.crm.transfer.columns import ALL_KINDS

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in ALL_KINDS:
        path = directory / f"{kind.value}.csv"
        with path.open("w", encoding="utf-8", newline="") as stream:
            written.append((path, export_csv(kind, stream)))
    return written
