"""The demo builder's tests read one 600-party company (seed 7), built once a run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from shared_worlds import TODAY, SharedWorlds, for_module

__all__ = ["TODAY", "small_company"]


@pytest.fixture(scope="module")
def small_company(shared_worlds: SharedWorlds, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """A 600-party company (seed 7), the shared ``demo600`` world (tests/shared_worlds.py):
    restored for the module, gone after it; the module's tests run in rolled-back
    transactions on top of it."""
    yield from for_module(shared_worlds, django_db_blocker, "demo600")
