"""`/healthz`: whether this process can serve — the database answers, every migration is
applied and (on SQLite) writes are not locked out. For load balancers and `clientela serve`."""

from __future__ import annotations

from django.db import DatabaseError, OperationalError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from clientela import __version__
from clientela.crm.busy import RETRY_AFTER_SECONDS, is_busy, no_wait

_migrated = False


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 once the app can query its database and every migration is applied; 503 otherwise.

    The database is queried on every call; the (slower) migration check is repeated only
    until it has passed once in this process. On SQLite it also asks, without waiting,
    whether a write could start now: while another transaction holds the write lock (a
    large import), it answers 503 ``{"status": "busy", "writes": "locked"}`` with
    ``Retry-After`` — the app reads, and writes wait or answer 503 (clientela.busy).
    """
    global _migrated
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        pending = []
        if not _migrated:
            executor = MigrationExecutor(connection)
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
            _migrated = not pending
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    if not pending and connection.vendor == "sqlite" and _sqlite_write_locked():
        response = JsonResponse({"status": "busy", "database": "ok", "writes": "locked"}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if pending:
        return JsonResponse(
            {"status": "starting", "database": "ok", "pending_migrations": len(pending)},
            status=503,
        )
    return JsonResponse(
        {"status": "ok", "database": "ok", "vendor": connection.vendor, "version": __version__}
    )


def _sqlite_write_locked() -> bool:
    """Does another connection hold SQLite's write lock? (``BEGIN IMMEDIATE`` with no wait.)"""
    if connection.in_atomic_block:
        return False  # inside a transaction already (a test): nothing to probe
    with no_wait(), connection.cursor() as cursor:
        try:
            cursor.execute("BEGIN IMMEDIATE")
        except OperationalError as error:
            if is_busy(error):
                return True
            raise
        cursor.execute("ROLLBACK")
    return False
