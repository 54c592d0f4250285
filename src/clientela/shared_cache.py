"""The cache every web process shares: rate limits and login lockouts hold across processes
and restarts.

By default Django's database cache (the ``clientela_cache`` table, created by ``clientela
migrate``), with an increment that is atomic across processes; with ``CLIENTELA_REDIS_URL``
Django's Redis cache (``pip install redis``), whose increment is atomic by itself.
"""

from __future__ import annotations

import base64
import logging
import pickle
from typing import Any

from django.core.cache import cache
from django.core.cache.backends.db import DatabaseCache
from django.db import DatabaseError, connections, models, router, transaction
from django.utils.timezone import now

log = logging.getLogger("clientela.cache")


def _unavailable_errors() -> tuple[type[BaseException], ...]:
    try:
        from redis.exceptions import RedisError
    except ImportError:
        return (DatabaseError,)
    return (DatabaseError, RedisError)


UNAVAILABLE = _unavailable_errors()


class SharedDatabaseCache(DatabaseCache):
    """Django's database cache with ``incr`` that loses no count when processes race.

    Django's own ``incr`` reads and then writes, so two processes counting at once can
    both write the same number. Here a no-op UPDATE first locks the row (PostgreSQL) or
    takes the write lock (SQLite), then the value is read and written in that transaction.
    """

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        made = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        q = connection.ops.quote_name
        table = q(self._table)
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {q('cache_key')} = {q('cache_key')} WHERE {q('cache_key')} = %s",  # noqa: S608
                [made],
            )
            if cursor.rowcount:
                cursor.execute(
                    f"SELECT {q('value')}, {q('expires')} FROM {table} WHERE {q('cache_key')} = %s",  # noqa: S608
                    [made],
                )
                row = cursor.fetchone()
            else:
                row = None
            if row is None or self._expired(connection, row[1]):
                raise ValueError(f"Key '{key}' not found")
            value = pickle.loads(base64.b64decode(connection.ops.process_clob(row[0]).encode()))  # noqa: S301 (our own rows)
            value += delta
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(
                f"UPDATE {table} SET {q('value')} = %s WHERE {q('cache_key')} = %s",  # noqa: S608
                [encoded, made],
            )
        return value

    @staticmethod
    def _expired(connection: Any, expires: Any) -> bool:
        expression = models.Expression(output_field=models.DateTimeField())
        for converter in connection.ops.get_db_converters(expression) + expression.get_db_converters(connection):
            expires = converter(expires, expression, connection)
        return bool(expires < now())


def count_hit(key: str, *, window: int) -> int:
    """Count one more event under ``key``; the count lives ``window`` seconds from its first
    event. Returns the count, or 0 when the cache cannot be reached (the caller then lets the
    request through rather than failing it: the database is the cache's store, and a
    request that cannot reach it fails on its own)."""
    try:
        if cache.add(key, 1, timeout=window):
            return 1
        try:
            return int(cache.incr(key))
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)
            return 1
    except UNAVAILABLE:
        log.warning("shared cache unavailable: %s not counted", key.partition(":")[0])
        return 0
