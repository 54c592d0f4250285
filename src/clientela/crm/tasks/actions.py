"""Every write to tasks. Each function takes the acting user first (``None`` for the
system), owns its transaction and writes its audit entry (``crm.audit.actions.audit_*``).

Assigning a task to someone other than the acting user notifies the new assignee
(``crm.notifications.actions.notify_task_assigned``) in the same transaction.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from clientela.crm.accounts.models import User
from clientela.crm.audit.actions import audit_change, audit_create, audit_delete
from clientela.crm.errors import InvalidInput, StaleRecord
from clientela.crm.tasks.models import LINK_FIELDS, Task, TaskStatus

AUDITED = ("title", "description", "due_on", "assignee_id", "status", "party_id", "deal_id", "case_id")


class TaskError(InvalidInput):
    """A task write was refused; the message starts with the offending field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__({field: message})
        self.field = field


def _check_links(links: dict[str, Any]) -> None:
    if sum(1 for v in links.values() if v is not None) > 1:
        raise TaskError("link", "a task links to at most one of party, deal or case")


def _clean_title(value: Any) -> str:
    title = str(value).strip()
    if not title:
        raise TaskError("title", "must not be empty")
    if len(title) > 200:
        raise TaskError("title", "at most 200 characters")
    return title


def _values(task: Task) -> dict[str, Any]:
    return {f: getattr(task, f) for f in AUDITED}


def _notify_assignee(actor: Any, task: Task) -> None:
    from clientela.crm.notifications.actions import notify_task_assigned

    if task.assignee_id is not None and task.assignee_id != getattr(actor, "pk", None):
        notify_task_assigned(actor, task)


@transaction.atomic
def create_task(
    actor: User | None,
    *,
    title: str,
    due_on: date | None = None,
    assignee: User | None = None,
    description: str = "",
    party: Any = None,
    deal: Any = None,
    case: Any = None,
) -> Task:
    """Create an open task by ``actor``, linked to at most one of a party, a deal or a case."""
    title = _clean_title(title)
    _check_links({"party": party, "deal": deal, "case": case})
    task = Task.objects.create(
        title=title,
        description=description,
        due_on=due_on,
        assignee=assignee,
        created_by=actor,
        party=party,
        deal=deal,
        case=case,
    )
    audit_create(actor, task, [f for f in AUDITED if getattr(task, f) not in (None, "")])
    _notify_assignee(actor, task)
    return task


EDITABLE = ("title", "description", "due_on", "assignee", *LINK_FIELDS)


def _lock(task: Task, expected_version: int | None) -> Task:
    locked = Task.objects.select_for_update().get(pk=task.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleRecord(f"version: the record is at version {locked.version}")
    return locked


@transaction.atomic
def update_task(actor: User | None, task: Task, *, expected_version: int | None = None, **changes: Any) -> Task:
    """Change a task's title, description, due date, assignee or link (reschedule and
    reassign are updates of ``due_on`` and ``assignee``)."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TaskError(sorted(unknown)[0], "cannot be changed here")
    locked = _lock(task, expected_version)
    if "title" in changes:
        changes["title"] = _clean_title(changes["title"])
    links = {f: changes.get(f, getattr(locked, f)) for f in LINK_FIELDS}
    _check_links(links)
    before = _values(locked)
    for field, value in changes.items():
        setattr(locked, field, value)
    after = _values(locked)
    if after == before:
        return locked
    locked.version += 1
    locked.save()
    audit_change(actor, locked, before, after)
    if after["assignee_id"] != before["assignee_id"]:
        _notify_assignee(actor, locked)
    return locked


@transaction.atomic
def set_task_status(actor: User | None, task: Task, status: str, *, expected_version: int | None = None) -> Task:
    """Complete, cancel or reopen a task."""
    if status not in TaskStatus.values:
        raise TaskError("status", f"must be one of {', '.join(TaskStatus.values)}")
    locked = _lock(task, expected_version)
    if locked.status == status:
        return locked
    before = _values(locked)
    locked.status = status
    locked.completed_at = None if status == TaskStatus.OPEN else timezone.now()
    locked.version += 1
    locked.save()
    audit_change(actor, locked, before, _values(locked))
    return locked


@transaction.atomic
def delete_task(actor: User | None, task: Task, *, expected_version: int | None = None) -> None:
    locked = _lock(task, expected_version)
    audit_delete(actor, locked, AUDITED)
    locked.delete()
