"""One small demo company per test module, built once and rolled back at the end."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.db import transaction

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def small_company(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """A 600-party company (seed 7) visible to every django_db test of the module."""
    from clientela.demo.build import build_demo_company

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_demo_company(customers=600, seed=7, today=TODAY)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
