"""Cursor pagination over (sort key, id): stable under inserts, no offsets.

The cursor is opaque to clients: URL-safe base64 of ``[ordering, last value, last id]``,
signed (HMAC with the secret key), so a cursor this API did not issue answers 400 before
any of its values reaches a query.

Empty sort keys (NULL) sort after every value, on SQLite as on PostgreSQL: last when
ascending, first when descending. A cursor may therefore carry ``null`` as its value,
and the next page's condition says where NULLs lie instead of comparing with them.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import F, Field, OrderBy, Q, QuerySet
from ninja import Schema

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
_NOT_ISSUED = "cursor: not a cursor this API issued"


def _signer() -> signing.Signer:
    # Made per use: it reads the secret key then (it may change, e.g. in tests).
    return signing.Signer(salt="clientela.api.cursor", sep=".")


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
    return str(_signer().sign(base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")))


def decode_cursor(cursor: str) -> tuple[str, Any, int]:
    try:
        payload = _signer().unsign(cursor)
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        ordering, value, pk = json.loads(raw)
    except (signing.BadSignature, binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise InvalidCursor(_NOT_ISSUED) from None
    if not isinstance(ordering, str) or not isinstance(pk, int) or isinstance(pk, bool):
        raise InvalidCursor(_NOT_ISSUED)
    if not 0 <= pk <= 2**53 or not _safe(value):
        raise InvalidCursor(_NOT_ISSUED)
    return ordering, value, pk


def _cursor_value(field: Field[Any, Any], raw: Any) -> Any:
    """The cursor's value as the field's Python type; times must be aware and
    representable in UTC (a value read from the database always is)."""
    if raw is None:
        if not field.null:
            raise InvalidCursor(_NOT_ISSUED)
        return None
    try:
        value = field.to_python(raw)
        if isinstance(value, dt.datetime):
            if value.tzinfo is None:
                raise InvalidCursor(_NOT_ISSUED)
            value = value.astimezone(dt.UTC)
    except (ValidationError, TypeError, ValueError, OverflowError):
        raise InvalidCursor(_NOT_ISSUED) from None
    return value


def _after(name: str, value: Any, last_pk: int, *, descending: bool, nullable: bool) -> Q:
    """Rows after (value, last_pk) in the order (name NULLS LAST, pk), or its reverse."""
    op = "lt" if descending else "gt"
    if value is None:
        rest = Q(**{f"{name}__isnull": True, f"pk__{op}": last_pk})
        # Descending, NULLs come first: every row with a value is still to come.
        return rest | Q(**{f"{name}__isnull": False}) if descending else rest
    after = Q(**{f"{name}__{op}": value}) | Q(**{name: value, f"pk__{op}": last_pk})
    if nullable and not descending:
        after |= Q(**{f"{name}__isnull": True})
    return after


def paginate(
    qs: QuerySet[Any],
    *,
    ordering: str,
    allowed: Sequence[str],
    cursor: str | None,
    limit: int,
) -> tuple[list[Any], str | None]:  # Django is untyped here: rows are Any
    """One page of ``qs`` ordered by ``ordering`` (a field in ``allowed``, ``-`` for
    descending; NULLs after every value) then id, after ``cursor``; and the cursor of
    the next page."""
    descending = ordering.startswith("-")
    name = ordering.removeprefix("-")
    if name not in allowed:
        raise InvalidCursor(f"ordering: one of {', '.join(allowed)} (prefix - to reverse)")
    field = qs.model._meta.get_field(name)
    nullable = bool(getattr(field, "null", False))
    key: OrderBy = F(name).desc(nulls_first=True) if descending else F(name).asc(nulls_last=True)
    qs = qs.order_by(key, "-pk" if descending else "pk")
    if cursor:
        cursor_ordering, raw_value, last_pk = decode_cursor(cursor)
        if cursor_ordering != ordering:
            raise InvalidCursor("cursor: issued for another ordering")
        value = _cursor_value(field, raw_value)
        qs = qs.filter(_after(name, value, last_pk, descending=descending, nullable=nullable))
    rows = list(qs[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], encode_cursor(ordering, getattr(last, name), last.pk)


P = TypeVar("P", bound=Page[Any])


def page_of(
    page: type[P],
    qs: QuerySet[Any],
    render: Callable[[Any], Any],
    *,
    ordering: str,
    allowed: Sequence[str],
    cursor: str | None,
    limit: int,
) -> P:
    """The answer of a list operation: one page of ``qs`` (as ``paginate``) with each record
    rendered, and the cursor of the next page."""
    items, next_cursor = paginate(qs, ordering=ordering, allowed=allowed, cursor=cursor, limit=limit)
    return page(items=[render(record) for record in items], next_cursor=next_cursor)
