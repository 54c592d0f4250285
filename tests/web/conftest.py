"""The web tests' fixtures: the scored demo company (one for the run, restored per module),
users of each role to view it, and the browser tests' served site (tests/browser_site.py)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser_site import browser, page, served_url, site  # noqa: F401 (the browser tests' fixtures)
from shared_worlds import SharedWorlds, for_module
from shared_worlds import build_pipeline as build_pipeline_now

ROOT = Path(__file__).resolve().parents[2]
STARTED = time.time()


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """Say where the browser tests saved their screenshots (tests/web/test_browser.py)."""
    folder = Path(os.environ.get("CLIENTELA_SCREENSHOTS", ROOT / "screenshots"))
    fresh = sorted(p.name for p in folder.glob("*.png") if p.stat().st_mtime >= STARTED) if folder.is_dir() else []
    if fresh:
        terminalreporter.write_line(f"{len(fresh)} browser screenshots saved in {folder}: {', '.join(fresh)}")


@pytest.fixture(scope="module")
def company(shared_worlds: SharedWorlds, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """300 parties (seed 5), scored: the shared ``demo`` world (tests/shared_worlds.py),
    restored for the module and gone after it. ``{"counts": …, "run": …}``."""
    yield from for_module(shared_worlds, django_db_blocker, "demo")


@pytest.fixture
def make_user(db: None) -> Any:
    """``make_user(name, role, team=None)``: a user whose password is ``pw-<name>``."""
    from clientela.crm.accounts.models import User

    def make(username: str, role: str, team: Any = None) -> Any:
        return User.objects.create_user(username=username, password="pw-" + username, role=role, team=team)

    return make


@pytest.fixture(scope="session")
def build_pipeline() -> Any:
    """``build_pipeline(deals=24, owner=None)`` → a pipeline with open deals (needs DB access)."""
    return build_pipeline_now
