"""Reads shared by pages and the API."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

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
