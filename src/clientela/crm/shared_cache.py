# ruff: noqa: S608 -- SQL text holds only quoted identifiers; values are bound.
"""The cache every web process shares: rate limits and login lockouts hold across processes
and restarts.

By default Django's database cache (the ``clientela_cache`` table, created by ``clientela
migrate``), with an increment that is atomic across processes; with ``CLIENTELA_REDIS_URL``
Django's Redis cache (``pip install redis``), whose increment is atomic by itself.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import DatabaseError, connections, router, transaction
from django.utils.timezone import now

from clientela.crm.busy import is_busy, no_wait

log = logging.getLogger("clientela.cache")


def _unavailable_errors() -> tuple[type[BaseException], ...]:
    try:
        from redis.exceptions import RedisError
    except ImportError:
        return (DatabaseError,)
    return (DatabaseError, RedisError)


UNAVAILABLE = _unavailable_errors()


class SharedDatabaseCache(DatabaseCache):
    """Django's database cache with counters that lose no count when processes race.

    Django's own ``incr`` reads and then writes, so two processes counting at once can
    both write the same number. Here the read is an UPDATE (``... RETURNING``) that locks
    the row (PostgreSQL) or takes the write lock (SQLite) until the new value is written.
    ``hit`` is the rate limiter's counter, a per-request cost the API pays: two statements
    on an existing counter, three for a new one (an upsert, after deleting every expired
    entry, so the table holds only live counters).
    """

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        made = self.make_and_validate_key(key, version=version)
        with self._writing() as (cursor, sql, now_db):
            cursor.execute(sql["lock"], [made, now_db])
            row = cursor.fetchone()
            if row is not None:
                value = self._decode(row[0]) + delta
                cursor.execute(sql["store"], [self._encode(value), made])
                return value
        # raised outside the block: an exception inside would spoil the caller's transaction
        raise ValueError(f"Key '{key}' not found")

    def hit(self, key: str, *, timeout: int) -> int:
        """Add one to the counter ``key`` (made with a life of ``timeout`` seconds when it
        is missing or expired) and return the new count."""
        made = self.make_and_validate_key(key)
        for _ in range(3):
            with self._writing() as (cursor, sql, now_db):
                cursor.execute(sql["lock"], [made, now_db])
                row = cursor.fetchone()
                if row is not None:
                    value = self._decode(row[0]) + 1
                    cursor.execute(sql["store"], [self._encode(value), made])
                    return value
                cursor.execute(sql["purge"], [now_db])
                expires = cursor.db.ops.adapt_datetimefield_value(
                    now().replace(microsecond=0) + dt.timedelta(seconds=timeout)
                )
                cursor.execute(sql["create"], [made, self._encode(1), expires, now_db])
                if cursor.rowcount == 1:
                    return 1
            # another process made the counter between the two statements: count on it
        raise DatabaseError(f"cache counter {key!r} kept changing")

    @contextmanager
    def _writing(self) -> Iterator[tuple[Any, dict[str, str], Any]]:
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        q = connection.ops.quote_name
        table, key, value, expires = q(self._table), q("cache_key"), q("value"), q("expires")
        sql = {
            "lock": f"UPDATE {table} SET {key} = {key} WHERE {key} = %s AND {expires} >= %s RETURNING {value}",
            "store": f"UPDATE {table} SET {value} = %s WHERE {key} = %s",
            "purge": f"DELETE FROM {table} WHERE {expires} < %s",
            "create": (
                f"INSERT INTO {table} ({key}, {value}, {expires}) VALUES (%s, %s, %s) "
                f"ON CONFLICT ({key}) DO UPDATE SET {value} = excluded.{value}, {expires} = excluded.{expires} "
                f"WHERE {table}.{expires} < %s"
            ),
        }
        now_db = connection.ops.adapt_datetimefield_value(now().replace(microsecond=0))
        # savepoint=False: inside a caller's transaction the row lock is held to its end anyway.
        with transaction.atomic(using=db, savepoint=False), connection.cursor() as cursor:
            yield cursor, sql, now_db

    def _decode(self, stored: Any) -> Any:
        return pickle.loads(base64.b64decode(str(stored).encode()))  # noqa: S301 - our own rows

    def _encode(self, value: Any) -> str:
        return base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")


_local: BaseCache | None = None


def _process_cache() -> BaseCache:
    """This process's own memory: where counts go while the shared cache cannot be written."""
    global _local
    if _local is None:
        _local = LocMemCache("clientela-fallback-counters", {"OPTIONS": {"MAX_ENTRIES": 10_000}})
    return _local


def _count(backend: BaseCache, key: str, window: int) -> int:
    if backend.add(key, 1, timeout=window):
        return 1
    try:
        return int(backend.incr(key))
    except ValueError:  # expired between add and incr
        backend.set(key, 1, timeout=window)
        return 1


def count_hit(key: str, *, window: int) -> int:
    """Count one more event under ``key``; the count lives ``window`` seconds from its first
    event. Returns the count.

    The count never waits for another transaction's write lock (SQLite while a large import
    writes): when the shared cache cannot take it at once, or cannot be reached, it is kept
    in this process's memory instead, so limits still hold per process meanwhile."""
    backend = caches["default"]
    try:
        if isinstance(backend, SharedDatabaseCache):
            with no_wait():
                return backend.hit(key, timeout=window)
        return _count(backend, key, window)
    except UNAVAILABLE as error:
        log.warning("shared cache unavailable (%s): %s counted in this process",
                    "busy" if is_busy(error) else type(error).__name__, key.partition(":")[0])
    return _count(_process_cache(), key, window)
