"""Fixtures of the experiments tests."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def make_user(db: None) -> Any:
    """``make_user(name, role)``: a user of that role."""
    from clientela.crm.accounts.models import User

    def make(username: str, role: str) -> Any:
        return User.objects.create_user(username=username, password=None, role=role)

    return make


@pytest.fixture(scope="module")
def company(shared_worlds: Any, django_db_blocker: Any) -> Any:
    """The shared scored demo company (300 parties, seed 5), with its planted experiments."""
    from shared_worlds import for_module

    yield from for_module(shared_worlds, django_db_blocker, "demo")
