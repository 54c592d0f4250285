"""Test-wide set-up: settings for the test run, and the skip-or-fail rule for missing services.

A test that needs a service this machine lacks (PostgreSQL, Chromium) calls ``need``:
it skips with the reason, or fails when CLIENTELA_REQUIRE_ALL=1 (as in CI).
Tests marked ``postgres`` only make sense on PostgreSQL; on the SQLite pass they are
deselected with a note (CI runs the suite on both databases).
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


_deselected_pg: list[str] = []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if database_vendor() == "postgresql":
        return
    keep, drop = [], []
    for item in items:
        (drop if item.get_closest_marker("postgres") else keep).append(item)
    if drop:
        _deselected_pg.extend(i.nodeid for i in drop)
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [f"clientela database: {database_vendor()} (CLIENTELA_REQUIRE_ALL={int(REQUIRE_ALL)})"]


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    if _deselected_pg:
        terminalreporter.write_line(
            f"{len(_deselected_pg)} PostgreSQL-only tests deselected: this pass runs on SQLite "
            "(set CLIENTELA_DATABASE_URL=postgres://… to run them; CI runs both passes)."
        )



def pytest_sessionstart(session: pytest.Session) -> None:
    if database_vendor() == "postgresql" and not postgres_reachable():
        message = (
            "CLIENTELA_DATABASE_URL points at PostgreSQL but no server answers there; "
            "start it (pg_ctlcluster 15 main start) or unset the variable to test on SQLite."
        )
        pytest.exit(message, returncode=3)
