"""Test-wide set-up: settings for the test run, and the skip-or-fail rule for missing services.

A test that needs a service this machine lacks (PostgreSQL, Chromium) calls ``need``:
it skips with the reason, or fails when CLIENTELA_REQUIRE_ALL=1 (as in CI).
Tests marked ``postgres`` only make sense on PostgreSQL; on the SQLite pass they are
deselected with a note (CI runs the suite on both databases).

Passwords are hashed with Argon2 at the cheapest parameters in the test process
(``QuickArgon2PasswordHasher``, tests/clientela_test_support.py); a test of the production
hashing asks for ``production_password_hashers``.

``shared_worlds``: the demo companies and served sites that many modules read, built once a
run and restored for each module (tests/shared_worlds.py). ``pytest --reverse`` runs the
collected tests in the reverse order: no test may depend on another having run before it
(CI's PostgreSQL pass runs reversed).
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
from shared_worlds import SharedWorlds, ensure_test_database

_deselected_pg: list[str] = []
QUICK_HASHER = "clientela_test_support.QuickArgon2PasswordHasher"
PRODUCTION_PASSWORD_HASHERS: list[str] = []  # filled by _quick_password_hashing


# Tests that never touch a database: the engines (which import no Django, a contract
# import-linter checks), the linters and the docs. CI's PostgreSQL pass skips them
# (--skip-database-free): they ran, identically, in its SQLite pass.
DATABASE_FREE = ("tests/value/", "tests/insight/", "tests/test_lint.py", "tests/test_docs.py")
_skipped_database_free: list[str] = []


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--reverse", action="store_true", default=False,
        help="run the collected tests in the reverse order (modules, and tests within them): "
             "a test that depends on another having run first fails",
    )
    parser.addoption(
        "--skip-database-free", action="store_true", default=False,
        help="leave out the tests that use no database (" + ", ".join(DATABASE_FREE) + "): "
             "for a second pass on another database",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("reverse"):
        items.reverse()
    if config.getoption("skip_database_free"):
        root = config.rootpath
        free = [i for i in items if i.path.relative_to(root).as_posix().startswith(DATABASE_FREE)]
        if free:
            _skipped_database_free.extend(i.nodeid for i in free)
            config.hook.pytest_deselected(items=free)
            dropped = {id(i) for i in free}
            items[:] = [i for i in items if id(i) not in dropped]
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
    order = ", tests in reverse order" if config.getoption("reverse") else ""
    return [f"clientela database: {database_vendor()} (CLIENTELA_REQUIRE_ALL={int(REQUIRE_ALL)}){order}"]


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    if _skipped_database_free:
        terminalreporter.write_line(
            f"{len(_skipped_database_free)} tests that use no database deselected (--skip-database-free)."
        )
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


@pytest.fixture(autouse=True)
def _the_default_language() -> Iterator[None]:
    """Every test starts in the default language: a test (or code under test) that
    activates Polish or Russian in this thread must not reword the next test's texts."""
    from django.conf import settings as django_settings
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(scope="session", autouse=True)
def _quick_password_hashing() -> Iterator[None]:
    """Argon2 at the cheapest parameters for the whole run (the production list follows it,
    so every hash the production settings make still verifies)."""
    from django.conf import settings as django_settings
    from django.test import override_settings

    PRODUCTION_PASSWORD_HASHERS[:] = django_settings.PASSWORD_HASHERS
    with override_settings(PASSWORD_HASHERS=[QUICK_HASHER, *PRODUCTION_PASSWORD_HASHERS]):
        yield


@pytest.fixture
def production_password_hashers() -> Iterator[list[str]]:
    """The settings' own password hashers (Argon2 at its production parameters first), for
    a test of the hashing itself."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=PRODUCTION_PASSWORD_HASHERS):
        yield list(PRODUCTION_PASSWORD_HASHERS)


@pytest.fixture
def inbox(settings: Any) -> Iterator[SmtpInbox]:
    """A real SMTP server on 127.0.0.1 (aiosmtpd); Django sends to it through SMTP."""
    with smtp_inbox(settings) as handler:
        yield handler


@pytest.fixture(scope="session")
def shared_worlds(django_db_setup: None, django_db_blocker: Any) -> Iterator[SharedWorlds]:
    """The worlds of tests/shared_worlds.py: ``shared_worlds.use("demo")`` in a module
    fixture (inside ``django_db_blocker.unblock()``), ``shared_worlds.leave()`` after it."""
    with django_db_blocker.unblock(), ensure_test_database():
        worlds = SharedWorlds()
        try:
            yield worlds
        finally:
            worlds.close()
