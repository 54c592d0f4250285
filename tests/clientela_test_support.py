"""Helpers shared by the tests: the skip-or-fail rule and which database this pass uses.

Import as ``from clientela_test_support import need, database_vendor`` (pytest puts
``tests/`` on the path through ``pythonpath`` in pyproject.toml).
"""

from __future__ import annotations

import os

import pytest

REQUIRE_ALL = os.environ.get("CLIENTELA_REQUIRE_ALL", "").strip() in {"1", "true", "yes"}


def need(available: bool, reason: str) -> None:
    """Skip (or, under CLIENTELA_REQUIRE_ALL=1, fail) when a required service is missing."""
    if available:
        return
    if REQUIRE_ALL:
        pytest.fail(f"CLIENTELA_REQUIRE_ALL=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def database_vendor() -> str:
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    return "postgresql" if "postgresql" in engine else "sqlite"


def postgres_reachable() -> bool:
    from django.conf import settings

    db = settings.DATABASES["default"]
    import psycopg

    try:
        psycopg.connect(
            host=db["HOST"] or None,
            port=db["PORT"] or None,
            user=db["USER"] or None,
            password=db["PASSWORD"] or None,
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except psycopg.Error:
        return False
    return True
