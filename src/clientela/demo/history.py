"""Earlier scoring runs for the demo company, so its dashboard has a history.

A company that has used Clientela for a while has scored its customers before: the
dashboard's customer-equity chart and every KPI tile's trend compare runs, and a
customer 360 lists the ladder stages of earlier runs. A fresh demo would have one run
and show none of that, so the demo scores its own data as it stood at earlier dates
(``ScoringSettings.as_of`` leaves out later orders) and dates each of those runs on its
day, oldest first, before the current run is made.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings as django_settings

from clientela.crm.scoring.actions import run_scoring
from clientela.crm.scoring.models import ModelRun
from clientela.crm.scoring.pipeline import ScoringSettings

QUARTER = timedelta(days=91)


def history_dates(today: date, runs: int) -> list[date]:
    """``runs`` quarter-days before ``today``, oldest first."""
    return [today - QUARTER * k for k in range(runs, 0, -1)]


def score_history(
    *, today: date | None = None, runs: int = 3, progress: Callable[[str], None] | None = None
) -> list[ModelRun]:
    """Score the database as it stood a quarter, two quarters … ``runs`` quarters before
    ``today``; each run is dated on its day (``started_at``/``finished_at`` at noon UTC)
    so the runs sort as they would have been made. The last run stays current until the
    caller makes the run of today."""
    say = progress or (lambda _message: None)
    today = today or datetime.now(UTC).date()
    made = []
    for day in history_dates(today, runs):
        say(f"scoring the company as it stood on {day.isoformat()}")
        run = run_scoring(None, settings=ScoringSettings(currency=django_settings.BASE_CURRENCY, as_of=day))
        when = datetime.combine(day, time(12, 0), tzinfo=UTC)
        ModelRun.objects.filter(pk=run.pk).update(started_at=when, finished_at=when + timedelta(minutes=1))
        run.refresh_from_db()
        made.append(run)
    return made
