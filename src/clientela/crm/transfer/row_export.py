"""Export the rows of a list page (customers, a segment's members, a report table) as
formula-safe CSV: the rows the user may see, with the fields the user may see.

``export_rows(actor, query, fields, out)`` is the one entry point. ``query`` is already
the user's (built by the page's query function through the entity's ``access``
scope); ``fields`` name their hidden field group (cost, margin, CLV), and the ones the
actor may not see are left out here, once, whoever calls. Rows are streamed
(``QuerySet.iterator``), so a background job can call the same function for a large
export. Text cells are neutralised as in the canonical exports (csv_export.neutralise).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TextIO

from django.db.models import QuerySet

from clientela.crm.accounts.permissions import can_see, has_capability
from clientela.crm.errors import NotPermitted
from clientela.crm.transfer.neutralise import neutralise, neutralise_phone

CHUNK = 2000


@dataclass(frozen=True)
class ExportField:
    header: str
    lookup: str  # an ORM lookup or an annotation of the query
    how: str = "text"  # text, phone, number, time
    group: str | None = None  # hidden field group (cost, margin, clv) that guards it


def visible_fields(actor: Any, fields: Sequence[ExportField]) -> list[ExportField]:
    """The ``fields`` whose group ``actor`` may see."""
    return [f for f in fields if f.group is None or can_see(actor, f.group)]


def check_export(actor: Any) -> None:
    """Refuse a user without the ``export`` capability."""
    if not has_capability(actor, "export"):
        raise NotPermitted("you may not export records")


def export_rows(actor: Any, query: QuerySet[Any], fields: Sequence[ExportField], out: TextIO) -> int:
    """Write the header and every row of ``query`` to ``out``; returns the row count."""
    count = 0
    for chunk in iter_csv(actor, query, fields):
        out.write(chunk)
        count += chunk.count("\r\n")
    return max(count - 1, 0)


def iter_csv(actor: Any, query: QuerySet[Any], fields: Sequence[ExportField]) -> Iterator[str]:
    """The CSV text of ``export_rows`` in pieces (a header, then blocks of rows), for a
    streaming HTTP response."""
    check_export(actor)
    shown = visible_fields(actor, fields)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([f.header for f in shown])
    rows = query.values_list(*(f.lookup for f in shown)).iterator(chunk_size=CHUNK)
    for n, row in enumerate(rows, start=1):
        writer.writerow([_cell(f.how, value) for f, value in zip(shown, row, strict=True)])
        if n % CHUNK == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _cell(how: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    return neutralise_phone(text) if how == "phone" else neutralise(text)
