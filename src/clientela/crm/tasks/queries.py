"""Reads shared by pages and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Exists, F, OuterRef, QuerySet

from clientela.crm.accounts.models import User
from clientela.crm.tasks.models import Task, TaskStatus


def tasks() -> QuerySet[Task]:
    return Task.objects.select_related("assignee", "party", "deal", "case")


def overdue(today: date, *, assignee: User | None = None) -> QuerySet[Task]:
    """Open tasks whose due date has passed."""
    qs = tasks().filter(status=TaskStatus.OPEN, due_on__lt=today)
    if assignee is not None:
        qs = qs.filter(assignee=assignee)
    return qs


# -- My day and the task list --------------------------------------------------------
SECTION_LIMIT = 30


@dataclass
class MyDay:
    """A user's day: open tasks assigned to them by due date, and their open deals with
    no open task (no next step)."""

    overdue: list[Task]
    today: list[Task]
    upcoming: list[Task]
    idle_deals: list[Any]
    more: dict[str, bool]


def _first(qs: QuerySet[Any], limit: int) -> tuple[list[Any], bool]:
    rows = list(qs[: limit + 1])
    return rows[:limit], len(rows) > limit


def my_day(user: User, today: date, *, with_deals: bool = True, limit: int = SECTION_LIMIT) -> MyDay:
    """Four queries, whatever the number of tasks (each section capped at ``limit``)."""
    from clientela.crm.sales.models import Deal, DealStatus

    mine = tasks().filter(assignee=user, status=TaskStatus.OPEN)
    overdue, more_overdue = _first(mine.filter(due_on__lt=today).order_by("due_on", "id"), limit)
    todays, more_today = _first(mine.filter(due_on=today).order_by("id"), limit)
    upcoming, more_upcoming = _first(
        mine.filter(due_on__gt=today, due_on__lte=today + timedelta(days=7)).order_by("due_on", "id"), limit
    )
    idle: list[Any] = []
    more_idle = False
    if with_deals:
        next_step = Task.objects.filter(deal=OuterRef("pk"), status=TaskStatus.OPEN)
        deals = (
            Deal.objects.filter(owner=user, status=DealStatus.OPEN)
            .exclude(Exists(next_step))
            .select_related("party", "stage")
            .order_by("expected_close", "id")
        )
        idle, more_idle = _first(deals, limit)
    return MyDay(overdue, todays, upcoming, idle,
                 {"overdue": more_overdue, "today": more_today, "upcoming": more_upcoming, "deals": more_idle})


DUE_FILTERS = ("overdue", "today", "week", "none")


def filter_tasks(
    qs: QuerySet[Task], *, today: date, status: str = "open", due: str = "", assignee_id: int | None = None
) -> QuerySet[Task]:
    """The task list's filters: status (``open``, ``done``, ``cancelled`` or ``all``), due
    (``overdue``, ``today``, ``week`` — the next 7 days —, ``none``: no date) and assignee."""
    if status in TaskStatus.values:
        qs = qs.filter(status=status)
    if due == "overdue":
        qs = qs.filter(due_on__lt=today)
    elif due == "today":
        qs = qs.filter(due_on=today)
    elif due == "week":
        qs = qs.filter(due_on__gte=today, due_on__lte=today + timedelta(days=7))
    elif due == "none":
        qs = qs.filter(due_on__isnull=True)
    if assignee_id is not None:
        qs = qs.filter(assignee_id=assignee_id)
    return qs.select_related("assignee", "party", "deal", "case").order_by(
        F("due_on").asc(nulls_last=True), "id"
    )
