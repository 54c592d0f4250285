"""Pages of the web interface."""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from clientela import __version__

_migrated = False


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 once the app can query its database and every migration is applied; 503 otherwise.

    The database is queried on every call; the (slower) migration check is repeated only
    until it has passed once in this process.
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
    if pending:
        return JsonResponse(
            {"status": "starting", "database": "ok", "pending_migrations": len(pending)},
            status=503,
        )
    return JsonResponse(
        {"status": "ok", "database": "ok", "vendor": connection.vendor, "version": __version__}
    )
