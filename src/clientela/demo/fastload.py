"""Fast bulk inserts for the demo build: ``COPY`` on PostgreSQL, ``executemany`` on SQLite.

``bulk_create`` instantiates a model per row and compiles a statement per few hundred
rows (SQLite allows 999 parameters); for the ~130,000 demo rows that is most of the
build time. Here rows go straight to the driver, column by column, with each value
adapted the way Django's own field would adapt it. Ids are assigned explicitly
(``next_ids``) so that related rows can refer to them before they are inserted; call
``reset_sequences`` afterwards so PostgreSQL's serials continue after them (SQLite's
AUTOINCREMENT follows explicit ids by itself).

Every concrete column of the model is written: columns the caller does not give get the
field's default, so a field added later with a default does not break the demo.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models


def next_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` fresh primary keys after the largest one in the table."""
    top = model._default_manager.aggregate(top=models.Max("pk"))["top"] or 0
    return list(range(top + 1, top + 1 + count))


def _sqlite_utc(value: datetime) -> Any:
    """What Django's SQLite backend stores for an aware datetime, fast for UTC ones."""
    if value.tzinfo is UTC:
        return str(value.replace(tzinfo=None))
    return connection.ops.adapt_datetimefield_value(value)


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        # Django's adapter costs ~20 us a value (make_naive); the demo's are all UTC.
        utc = connection.vendor == "sqlite" and str(connection.timezone) == "UTC"
        return _sqlite_utc if utc else ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.JSONField):
        return json.dumps
    return None


def insert(model: type[models.Model], columns: dict[str, Sequence[Any]]) -> int:
    """Insert rows given as ``{attname: values}`` (all the same length); returns the count."""
    lengths = {len(v) for v in columns.values()}
    if len(lengths) != 1:
        raise ValueError(f"{model.__name__}: columns have different lengths {sorted(lengths)}")
    n = lengths.pop()
    if not n:
        return 0
    names: list[str] = []
    values: list[Sequence[Any]] = []
    for field in model._meta.concrete_fields:
        name = field.attname
        if name not in columns and isinstance(field, models.AutoField):
            continue  # the database numbers the rows
        if name in columns:
            convert = _converter(field)
            data = columns[name]
            values.append([None if v is None else convert(v) for v in data] if convert else data)
        else:
            default = field.get_default()  # "" for text fields without a default
            if default is None and not field.null:
                raise ValueError(f"{model.__name__}.{name}: no value given and no default")
            values.append([field.get_db_prep_save(default, connection)] * n)
        names.append(field.column)
    unknown = set(columns) - {f.attname for f in model._meta.concrete_fields}
    if unknown:
        raise ValueError(f"{model.__name__}: unknown columns {sorted(unknown)}")
    rows = list(zip(*values, strict=True))
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    cols = ", ".join(quote(c) for c in names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(names))
            cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)  # noqa: S608
    return n


def reset_sequences(*model_list: type[models.Model]) -> None:
    """Move PostgreSQL serials past explicitly inserted ids (no-op elsewhere)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_list))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
