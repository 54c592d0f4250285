"""Snapshots of the test database: build a world once, put it back for each module.

Building and scoring a demo company takes seconds; copying it back takes milliseconds on
SQLite and a fraction of a second on PostgreSQL. So the fixtures of tests/conftest.py build
each shared world once a run, ``take`` a snapshot of it, and each module that uses it
``restore``\\s the snapshot before its first test and the empty database after its last one:
every module starts from the same rows whatever ran before it, in whatever order.

- SQLite (pytest-django's in-memory test database): SQLite's online backup API copies the
  whole database into a private in-memory database, and back.
- PostgreSQL: each table is copied into a schema of its own (``CREATE TABLE … AS TABLE``);
  restoring truncates the app's tables, copies the rows back in one transaction (the
  foreign keys are deferred until the commit) and sets the sequences to where they were.
  TRUNCATE fires no row trigger, so the audit table's append-only trigger does not object.

Restoring replaces every row, so a snapshot is restored only between tests, never inside
a test's transaction; the shared cache (a database table) is restored with the rest.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction


@dataclass
class _PgSnapshot:
    schema: str
    tables: list[str]
    filled: list[str]  # the tables that had rows
    sequences: dict[str, tuple[int | None, bool]] = field(default_factory=dict)


_sqlite: dict[str, sqlite3.Connection] = {}
_postgres: dict[str, _PgSnapshot] = {}


def _raw_sqlite() -> Any:
    connection.ensure_connection()
    return connection.connection


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def take(name: str) -> None:
    """Copy the test database as it is now under ``name`` (replacing an older copy)."""
    assert not connection.in_atomic_block, "a snapshot is taken between tests, outside a transaction"
    if connection.vendor == "sqlite":
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        _raw_sqlite().backup(copy)
        old = _sqlite.pop(name, None)
        if old is not None:
            old.close()
        _sqlite[name] = copy
        return
    schema = f"clientela_snapshot_{name}"
    with transaction.atomic(), connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        cursor.execute(f"DROP SCHEMA IF EXISTS {_quote(schema)} CASCADE")
        cursor.execute(f"CREATE SCHEMA {_quote(schema)}")
        for table in tables:
            cursor.execute(f"CREATE TABLE {_quote(schema)}.{_quote(table)} AS TABLE {_quote(table)}")
        filled = _filled(cursor, tables)
        cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = current_schema()")
        sequences = {row[0]: (row[1], row[1] is not None) for row in cursor.fetchall()}
    _postgres[name] = _PgSnapshot(schema=schema, tables=tables, filled=filled, sequences=sequences)


def _filled(cursor: Any, tables: list[str]) -> list[str]:
    """The tables that hold a row (one query)."""
    if not tables:
        return []
    cursor.execute(" UNION ALL ".join(
        f"SELECT %s WHERE EXISTS (SELECT 1 FROM {_quote(t)})" for t in tables), tables)
    return [row[0] for row in cursor.fetchall()]


def restore(name: str, *, in_transaction: bool = False) -> None:
    """Put the database back as it was when ``take(name)`` ran. ``in_transaction``
    (PostgreSQL only): inside the caller's open transaction, which may then roll it back."""
    assert in_transaction or not connection.in_atomic_block, "a snapshot is restored between tests"
    if connection.vendor == "sqlite":
        assert not in_transaction, "SQLite's backup replaces the whole database, outside any transaction"
        _sqlite[name].backup(_raw_sqlite())
        return
    snap = _postgres[name]
    with transaction.atomic(), connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        missing = set(snap.tables) - set(tables)
        assert not missing, f"tables dropped since the snapshot {name!r} was taken: {sorted(missing)}"
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        # Only the tables with rows now or then (TRUNCATE costs per table, empty or not);
        # CASCADE adds the empty tables that reference them.
        emptied = sorted(set(_filled(cursor, tables)) | set(snap.filled))
        if emptied:
            cursor.execute("TRUNCATE " + ", ".join(_quote(t) for t in emptied) + " CASCADE")
        for table in snap.filled:
            cursor.execute(f"INSERT INTO {_quote(table)} SELECT * FROM {_quote(snap.schema)}.{_quote(table)}")
        # The foreign keys checked now (as Django's test cases check them after each test).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for sequence, (value, called) in snap.sequences.items():
            cursor.execute("SELECT setval(%s, %s, %s)", [_quote(sequence), value or 1, called])


def has(name: str) -> bool:
    return name in _sqlite or name in _postgres


def drop_all() -> None:
    """Forget every snapshot (the PostgreSQL schemas go with the test database too)."""
    for copy in _sqlite.values():
        copy.close()
    _sqlite.clear()
    if _postgres and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for snap in _postgres.values():
                cursor.execute(f"DROP SCHEMA IF EXISTS {_quote(snap.schema)} CASCADE")
    _postgres.clear()
