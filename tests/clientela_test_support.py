"""Helpers shared by the tests: the skip-or-fail rule, which database this pass uses and
a real SMTP server on loopback, and the test process's quick Argon2 hasher.

Import as ``from clientela_test_support import need, database_vendor`` (pytest puts
``tests/`` on the path through ``pythonpath`` in pyproject.toml).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher

REQUIRE_ALL = os.environ.get("CLIENTELA_REQUIRE_ALL", "").strip() in {"1", "true", "yes"}


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with the cheapest parameters, for the test process: hundreds of tests make
    users with passwords, and the production parameters (100 MiB, 2 passes, 8 lanes) cost
    a fifth of a CPU second per hash and per login. Its hashes are Argon2 hashes like any
    other (``argon2$argon2id$…``, parameters in the hash), so a served subprocess with the
    production settings verifies them. Tests of the production hashing itself use the
    ``production_password_hashers`` fixture (tests/conftest.py)."""

    time_cost = 1
    memory_cost = 64
    parallelism = 1


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


class SmtpInbox:
    """What a real SMTP server on loopback (aiosmtpd) received: (recipients, message)."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Any]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        import email

        self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
        return "250 Message accepted"

    def to(self, address: str) -> list[Any]:
        return [m for rcpt, m in self.messages if address in rcpt]

    @property
    def recipients(self) -> list[str]:
        return sorted(r for rcpt, _ in self.messages for r in rcpt)


@contextmanager
def smtp_inbox(settings: Any) -> Iterator[SmtpInbox]:
    """Start aiosmtpd on a free port of 127.0.0.1 and point Django's SMTP backend at it
    (``settings`` is pytest-django's fixture, restored after the test)."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    handler = SmtpInbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "crm@example.test"
    try:
        yield handler
    finally:
        controller.stop()
