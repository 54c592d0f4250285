"""Playbook tests' fixtures: the scored demo company (shared, restored per module) and a
second scoring run in which chosen customers' P(alive) fell."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from shared_worlds import SharedWorlds, for_module


@pytest.fixture(scope="module")
def company(shared_worlds: SharedWorlds, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    yield from for_module(shared_worlds, django_db_blocker, "demo")


@pytest.fixture
def next_run(db: None) -> Callable[..., Any]:
    """``next_run(run, fell={party_id: p_alive}, changed={party_id: {field: value}})``: a new
    current run copying ``run``'s scores, with the P(alive) of the parties in ``fell`` and
    the fields of those in ``changed`` set as given (the rest unchanged)."""
    from clientela.crm.scoring.models import CustomerScore, ModelRun, RunStatus

    def make(run: Any, fell: dict[int, float], changed: dict[int, dict[str, Any]] | None = None) -> Any:
        ModelRun.objects.filter(is_current=True).update(is_current=False)
        new = ModelRun.objects.create(started_at=run.started_at + timedelta(days=1), status=RunStatus.SUCCEEDED,
                                      is_current=True, observation_end=run.observation_end)
        copies = []
        for score in CustomerScore.objects.filter(run=run):
            score.pk, score.run = None, new
            if score.party_id in fell:
                score.p_alive = fell[score.party_id]
            for field, value in (changed or {}).get(score.party_id, {}).items():
                setattr(score, field, value)
            copies.append(score)
        CustomerScore.objects.bulk_create(copies, batch_size=1000)
        return new

    return make


@pytest.fixture
def make_marketer(db: None) -> Callable[..., Any]:
    from clientela.crm.accounts.models import User

    def make(name: str = "mia") -> Any:
        return User.objects.create_user(username=name, password="pw-" + name, role="marketer")

    return make


from jobs.conftest import database_url, processes  # noqa: E402, F401 - the process test's fixtures
