from __future__ import annotations

from typing import Any

import pytest

from clientela.crm.accounts.models import User


@pytest.fixture
def marketer(db: Any) -> User:
    return User.objects.create_user(username="marta", password="pw-marta", role="marketer")


@pytest.fixture
def sales_rep(db: Any) -> User:
    return User.objects.create_user(username="sam", password="pw-sam", role="sales_rep")
