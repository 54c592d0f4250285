"""A small scored demo company per test module, and users of each role to view it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.db import transaction

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def company(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """300 parties (seed 5), scored; rolled back after the module."""
    from clientela.crm.scoring.actions import run_scoring
    from clientela.demo.build import build_demo_company

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            counts = build_demo_company(customers=300, seed=5, today=TODAY)
            run = run_scoring()
            yield {"counts": counts, "run": run}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def make_user(db: None) -> Any:
    """``make_user(name, role, team=None)``: a user whose password is ``pw-<name>``."""
    from clientela.crm.accounts.models import User

    def make(username: str, role: str, team: Any = None) -> Any:
        return User.objects.create_user(username=username, password="pw-" + username, role=role, team=team)

    return make
