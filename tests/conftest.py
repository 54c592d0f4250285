"""Test-wide set-up: settings for the test run, and the skip-or-fail rule for missing services.

A test that needs a service this machine lacks (PostgreSQL, Chromium) calls ``need``:
it skips with the reason, or fails when CLIENTELA_REQUIRE_ALL=1 (as in CI).
Tests marked ``postgres`` only make sense on PostgreSQL; on the SQLite pass they are
deselected with a note (CI runs the suite on both databases).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from clientela_test_support import (  # noqa: F401
    REQUIRE_ALL,
    SmtpInbox,
    database_vendor,
    need,
    postgres_reachable,
    smtp_inbox,
)

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


@pytest.fixture
def inbox(settings: Any) -> Iterator[SmtpInbox]:
    """A real SMTP server on 127.0.0.1 (aiosmtpd); Django sends to it through SMTP."""
    with smtp_inbox(settings) as handler:
        yield handler
