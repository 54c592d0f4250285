"""The demo's earlier runs: the company scored as it stood a quarter, two and three
quarters ago, each dated on its day, so the dashboard has an equity history and trends."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.conf import settings

from clientela.crm.scoring.actions import run_scoring
from clientela.crm.scoring.models import ModelRun
from clientela.crm.scoring.pipeline import ScoringSettings
from clientela.demo.history import history_dates, score_history
from clientela.web.kpis import equity_history, previous_run

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def test_history_runs_are_dated_on_their_day_and_see_only_earlier_orders(
    small_company: dict[str, Any],
) -> None:
    days = history_dates(TODAY, 3)
    assert [d.isoformat() for d in days] == ["2026-02-23", "2026-05-25", "2026-08-24"]
    made = score_history(today=TODAY, runs=3)
    current = run_scoring(None, settings=ScoringSettings(currency=settings.BASE_CURRENCY, as_of=TODAY))
    runs = list(ModelRun.objects.order_by("started_at"))
    assert [r.pk for r in runs] == [*(r.pk for r in made), current.pk]
    assert [r.observation_end for r in runs] == [*days, TODAY]
    assert [r.started_at.date() for r in made] == days
    assert all(r.started_at.tzinfo is not None and r.started_at.hour == 12 for r in made)
    assert [r.is_current for r in runs] == [False, False, False, True]
    # Each run saw the orders up to its day only: more of them, and more customers, later.
    transactions = [r.transactions for r in runs]
    customers = [r.customers for r in runs]
    assert transactions == sorted(transactions) and len(set(transactions)) == 4, transactions
    assert customers == sorted(customers) and customers[0] < customers[-1], customers
    # The dashboard's history and trend read them in that order.
    history = equity_history()
    assert [when for when, _total in history] == [r.started_at for r in runs]
    assert [total for _when, total in history] == [
        float(r.summary["customer_equity"]["total"]) for r in runs
    ]
    assert previous_run(current) == made[-1]
    assert max(r.started_at for r in made) < datetime.now(UTC)
