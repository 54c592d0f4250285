"""The shared cache behind login lockouts and the API rate limit (issue 13, F16, F17).

The counts live in the database (``clientela_cache``), so they outlast the process that
wrote them and are seen by every other; increments are atomic across connections; the
API rate limit counts verified tokens, and for anything else the client address.
"""

from __future__ import annotations

import secrets
import threading
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.cache import cache, caches
from django.db import connection, connections
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from clientela.crm.accounts.api_tokens import create_token
from clientela.crm.accounts.models import User
from clientela.crm.shared_cache import SharedDatabaseCache, count_hit


def _rows(prefix: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM clientela_cache WHERE cache_key LIKE %s", [f"%{prefix}%"])
        return int(cursor.fetchone()[0])


def test_default_cache_is_the_database_table(db: Any) -> None:
    assert isinstance(caches["default"], SharedDatabaseCache)
    cache.clear()
    assert [count_hit("probe:a", window=60) for _ in range(3)] == [1, 2, 3]
    assert _rows("probe:a") == 1


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_login_lockout_outlasts_the_process_that_counted_it(db: Any) -> None:
    """F16: a fresh cache object (as a restarted or another process would open) still
    sees the failures, and keeps refusing the right password."""
    cache.clear()
    User.objects.create_user("victim", password="right-password-1", role="analyst")
    for _ in range(3):
        assert authenticate(username="victim", password="wrong") is None
    assert _rows("login-failures:") == 1
    restarted = caches.create_connection("default")
    assert restarted is not caches["default"]
    from clientela.crm.accounts.login_guard import _cache_key

    assert restarted.get(_cache_key("victim")) == 3
    assert authenticate(username="victim", password="right-password-1") is None
    cache.clear()
    assert authenticate(username="victim", password="right-password-1") is not None


def test_incr_refuses_a_missing_or_expired_key(db: Any) -> None:
    cache.clear()
    with pytest.raises(ValueError):
        cache.incr("never-set")
    cache.set("gone", 5, timeout=-1)
    with pytest.raises(ValueError):
        cache.incr("gone")
    cache.set("kept", 5, timeout=60)
    assert cache.incr("kept", 2) == 7 and cache.get("kept") == 7


def test_a_counter_costs_two_statements_on_its_table_and_expired_ones_are_purged(db: Any) -> None:
    cache.clear()
    cache.set("old-counter", 9, timeout=-1)  # expired
    with CaptureQueriesContext(connection) as first:
        assert count_hit("api-rate:x:1", window=60) == 1
    with CaptureQueriesContext(connection) as second:
        assert count_hit("api-rate:x:1", window=60) == 2
    on_table = [[q for q in ctx.captured_queries if "clientela_cache" in q["sql"]] for ctx in (first, second)]
    assert [len(statements) for statements in on_table] == [3, 2]
    assert _rows("old-counter") == 0  # purged when a new counter was made
    cache.set("api-rate:x:1", 7, timeout=-1)
    assert count_hit("api-rate:x:1", window=60) == 1  # an expired counter starts again


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_counting_loses_no_count() -> None:
    """Eight connections count on one counter at once, starting from none: every count is
    kept and each is handed out once (Django's own database-cache incr reads, then writes,
    and loses counts here)."""
    cache.clear()
    cache.set("race", 0, timeout=300)
    seen: list[int] = []
    errors: list[BaseException] = []

    def bump() -> None:
        try:
            for _ in range(25):
                cache.incr("race")
                seen.append(count_hit("race-hits", window=300))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=bump) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert cache.get("race") == 200
    assert sorted(seen) == list(range(1, 201))
    cache.clear()


def _api_get(client: Client, token: str | None = None, **meta: str) -> int:
    if token is not None:
        meta["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.get("/api/v1/parties", **meta).status_code


@override_settings(API_RATE_LIMIT="3/60")
def test_a_new_bogus_token_per_request_is_still_limited(db: Any) -> None:
    """F17: unverified tokens count against the sender's address."""
    cache.clear()
    client = Client()
    statuses = [_api_get(client, f"clt_{secrets.token_hex(4)}_{secrets.token_hex(16)}") for _ in range(5)]
    assert statuses == [401, 401, 401, 429, 429]
    # a verified token has its own allowance, untouched by the bogus ones from that address
    user = User.objects.create_user("ok", password="pw-123456789", role="admin")
    _, token = create_token(user, name="t")
    assert _api_get(client, token) == 200
    cache.clear()


@override_settings(API_RATE_LIMIT="2/60", BEHIND_PROXY=True)
def test_behind_the_proxy_each_forwarded_client_has_its_own_allowance(db: Any) -> None:
    cache.clear()
    client = Client()
    first = [_api_get(client, HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.5") for _ in range(3)]
    assert first == [401, 401, 429]
    assert _api_get(client, HTTP_X_FORWARDED_FOR="203.0.113.6") == 401
    cache.clear()


@override_settings(API_RATE_LIMIT="2/60", BEHIND_PROXY=False)
def test_without_the_proxy_a_forged_forwarded_for_changes_nothing(db: Any) -> None:
    cache.clear()
    client = Client()
    statuses = [_api_get(client, HTTP_X_FORWARDED_FOR=f"203.0.113.{i}") for i in range(4)]
    assert statuses == [401, 401, 429, 429]
    cache.clear()

