"""Cursor pagination over (sort key, id): stable under inserts, no offsets.

The cursor is opaque to clients: URL-safe base64 of ``[ordering, last value, last id]``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from ninja import Schema

T = TypeVar("T")
M = TypeVar("M", bound=Model)

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class InvalidCursor(ValueError):
    """A cursor this API did not issue, or issued for another ordering (400)."""


class Page(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _safe(value: Any) -> bool:
    if isinstance(value, bool) or value is None:
        return True
    if isinstance(value, int):
        return abs(value) <= 2**53
    if isinstance(value, str):
        return "\x00" not in value and len(value) <= 1000
    return isinstance(value, float)


def encode_cursor(ordering: str, value: Any, pk: int) -> str:
    raw = json.dumps([ordering, _plain(value), pk], separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, Any, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        ordering, value, pk = json.loads(raw)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise InvalidCursor("cursor: not a cursor this API issued") from None
    if not isinstance(ordering, str) or not isinstance(pk, int) or isinstance(pk, bool):
        raise InvalidCursor("cursor: not a cursor this API issued")
    if not 0 <= pk <= 2**53 or not _safe(value):
        raise InvalidCursor("cursor: not a cursor this API issued")
    return ordering, value, pk


def paginate(
    qs: QuerySet[M],
    *,
    ordering: str,
    allowed: Sequence[str],
    cursor: str | None,
    limit: int,
) -> tuple[list[M], str | None]:
    """One page of ``qs`` ordered by ``ordering`` (a field in ``allowed``, ``-`` for
    descending) then id, after ``cursor``; and the cursor of the next page."""
    descending = ordering.startswith("-")
    name = ordering.removeprefix("-")
    if name not in allowed:
        raise InvalidCursor(f"ordering: one of {', '.join(allowed)} (prefix - to reverse)")
    sign = "-" if descending else ""
    qs = qs.order_by(f"{sign}{name}", f"{sign}pk")
    if cursor:
        cursor_ordering, raw_value, last_pk = decode_cursor(cursor)
        if cursor_ordering != ordering:
            raise InvalidCursor("cursor: issued for another ordering")
        field = qs.model._meta.get_field(name)
        try:
            value = field.to_python(raw_value)  # type: ignore[union-attr]
        except (ValidationError, TypeError):
            raise InvalidCursor("cursor: not a cursor this API issued") from None
        op = "lt" if descending else "gt"
        qs = qs.filter(Q(**{f"{name}__{op}": value}) | Q(**{name: value, f"pk__{op}": last_pk}))
    rows = list(qs[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], encode_cursor(ordering, getattr(last, name), last.pk)
