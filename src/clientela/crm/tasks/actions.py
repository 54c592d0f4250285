"""Every write to tasks. Each function owns its transaction."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from clientela.crm.accounts.models import User
from clientela.crm.errors import InvalidInput, StaleRecord
from clientela.crm.tasks.models import LINK_FIELDS, Task, TaskStatus


class TaskError(InvalidInput):
    """A task write was refused; the message starts with the offending field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__({field: message})
        self.field = field



def _check_links(links: dict[str, Any]) -> None:
    if sum(1 for v in links.values() if v is not None) > 1:
        raise TaskError("link", "a task links to at most one of party, deal or case")


@transaction.atomic
def create_task(
    *,
    title: str,
    due_on: date | None = None,
    assignee: User | None = None,
    created_by: User | None = None,
    description: str = "",
    party: Any = None,
    deal: Any = None,
    case: Any = None,
) -> Task:
    """Create an open task, linked to at most one of a party, a deal or a case."""
    title = title.strip()
    if not title:
        raise TaskError("title", "must not be empty")
    _check_links({"party": party, "deal": deal, "case": case})
    return Task.objects.create(
        title=title,
        description=description,
        due_on=due_on,
        assignee=assignee,
        created_by=created_by,
        party=party,
        deal=deal,
        case=case,
    )


EDITABLE = ("title", "description", "due_on", "assignee", *LINK_FIELDS)


def _lock(task: Task, expected_version: int | None) -> Task:
    locked = Task.objects.select_for_update().get(pk=task.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleRecord(f"version: the record is at version {locked.version}")
    return locked


@transaction.atomic
def update_task(task: Task, *, expected_version: int | None = None, **changes: Any) -> Task:
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TaskError(sorted(unknown)[0], "cannot be changed here")
    locked = _lock(task, expected_version)
    if "title" in changes:
        changes["title"] = str(changes["title"]).strip()
        if not changes["title"]:
            raise TaskError("title", "must not be empty")
    links = {f: changes.get(f, getattr(locked, f)) for f in LINK_FIELDS}
    _check_links(links)
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.version += 1
    locked.save()
    return locked


@transaction.atomic
def set_task_status(task: Task, status: str, *, expected_version: int | None = None) -> Task:
    """Complete, cancel or reopen a task."""
    if status not in TaskStatus.values:
        raise TaskError("status", f"must be one of {', '.join(TaskStatus.values)}")
    locked = _lock(task, expected_version)
    if locked.status == status:
        return locked
    locked.status = status
    locked.completed_at = None if status == TaskStatus.OPEN else timezone.now()
    locked.version += 1
    locked.save()
    return locked


@transaction.atomic
def delete_task(task: Task, *, expected_version: int | None = None) -> None:
    _lock(task, expected_version).delete()
