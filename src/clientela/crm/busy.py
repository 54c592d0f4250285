"""A database too busy to write: recognising it, and writes that would rather not wait.

On SQLite one transaction writes at a time; a request that wants to write while a long
one (an import of a large file) holds the lock waits up to the busy timeout (20 s), then
SQLite answers "database is locked". On PostgreSQL a ``lock_timeout`` ends the same
way. Such a request changed nothing (its transaction is rolled back) and the same
request will succeed later: the faces answer it with 503 and ``Retry-After``
(clientela.errors), never a 500.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import OperationalError, connection

RETRY_AFTER_SECONDS = 10
_LOCKED = ("database is locked", "database table is locked", "lock timeout")


def is_busy(error: BaseException | None) -> bool:
    """Is ``error`` the database refusing a write for another transaction's lock?"""
    while error is not None:
        if isinstance(error, OperationalError) and any(m in str(error).lower() for m in _LOCKED):
            return True
        if getattr(error, "sqlstate", None) == "55P03":  # psycopg: lock_not_available
            return True
        error = error.__cause__
    return False


@contextmanager
def no_wait() -> Iterator[None]:
    """Within the block, a write that finds SQLite's write lock taken fails at once
    (``OperationalError``, ``is_busy``) instead of waiting for the busy timeout."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        (saved,) = cursor.fetchone()
        cursor.execute("PRAGMA busy_timeout = 0")
        try:
            yield
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {int(saved)}")
