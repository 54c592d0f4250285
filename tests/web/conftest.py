"""A small scored demo company per test module, and users of each role to view it."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

TODAY = date(2026, 11, 23)
ROOT = Path(__file__).resolve().parents[2]
STARTED = time.time()


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """Say where the browser tests saved their screenshots (tests/web/test_browser.py)."""
    folder = Path(os.environ.get("CLIENTELA_SCREENSHOTS", ROOT / "screenshots"))
    fresh = sorted(p.name for p in folder.glob("*.png") if p.stat().st_mtime >= STARTED) if folder.is_dir() else []
    if fresh:
        terminalreporter.write_line(f"{len(fresh)} browser screenshots saved in {folder}: {', '.join(fresh)}")


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
            run = run_scoring(None)
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


def _build_pipeline(*, deals: int = 24, owner: Any = None) -> Any:
    """A B2B pipeline (lead → qualified → proposal → negotiation → won / lost) with
    ``deals`` open deals spread over the first four stages, on the oldest parties."""
    from decimal import Decimal

    from clientela.crm.parties.models import Party
    from clientela.crm.sales.actions import StageSpec, create_deal, create_pipeline

    pipeline = create_pipeline(None, "B2B sales", [
        StageSpec("Lead", Decimal("0.1")), StageSpec("Qualified", Decimal("0.25")),
        StageSpec("Proposal", Decimal("0.5")), StageSpec("Negotiation", Decimal("0.75")),
        StageSpec("Won", Decimal("1"), is_won=True), StageSpec("Lost", Decimal("0"), is_lost=True),
    ])
    stages = list(pipeline.stages.order_by("order"))
    for i, party in enumerate(Party.objects.order_by("id")[:deals]):
        create_deal(None, party=party, name=f"Deal {i + 1:02d}", pipeline=pipeline, amount=1000 * (i + 1),
                    stage=stages[i % 4], owner=owner)
    return pipeline


@pytest.fixture(scope="session")
def build_pipeline() -> Any:
    """``build_pipeline(deals=24, owner=None)`` → a pipeline with open deals (needs DB access)."""
    return _build_pipeline
