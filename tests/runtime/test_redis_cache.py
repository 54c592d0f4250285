"""The shared cache on Redis (``CLIENTELA_REDIS_URL``): a real redis-server on loopback."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.cache import cache, caches
from django.test import override_settings

from clientela.crm.accounts.models import User
from clientela.crm.shared_cache import count_hit
from clientela_served import free_port, settings_with
from clientela_test_support import need


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    need(shutil.which("redis-server") is not None, "redis-server is not installed (apt-get install redis-server)")
    redis = pytest.importorskip("redis", reason="the redis client is not installed (pip install -e '.[test]')")
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                redis.Redis.from_url(url).ping()
                break
            except redis.exceptions.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_redis_url_selects_redis_as_the_shared_cache() -> None:
    pytest.importorskip("redis", reason="the redis client is not installed (pip install -e '.[test]')")
    read = settings_with(CLIENTELA_REDIS_URL="redis://127.0.0.1:6390/0")
    assert read["CACHES"]["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6390/0"}
    assert settings_with()["CACHES"]["default"]["BACKEND"] == "clientela.crm.shared_cache.SharedDatabaseCache"


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_counts_and_lockouts_live_in_redis(redis_url: str, db: Any) -> None:
    redis_cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}}
    with override_settings(CACHES=redis_cache):
        cache.clear()
        assert [count_hit("probe:r", window=60) for _ in range(3)] == [1, 2, 3]
        other_process = caches.create_connection("default")
        assert other_process.get("probe:r") == 3
        User.objects.create_user("redis-victim", password="right-password-2", role="analyst")
        for _ in range(3):
            assert authenticate(username="redis-victim", password="wrong") is None
        assert authenticate(username="redis-victim", password="right-password-2") is None
        cache.clear()
        assert authenticate(username="redis-victim", password="right-password-2") is not None
