"""Fetch tasks for a user, or refuse.

A task belongs to its assignee: the role's record scope applies with the assignee
as owner and the assignee's team as team (``own``: tasks assigned to you; ``team``:
also your team's; ``all``). Tasks nobody is assigned to are seen by ``all`` scopes
and by whoever created them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from clientela.crm.accounts.permissions import Op, Scope, can, record_scope, scope_queryset
from clientela.crm.errors import NotPermitted, RecordNotFound
from clientela.crm.tasks.models import Task


def visible_tasks(user: Any) -> QuerySet[Task]:
    if not can(user, "task", "view"):
        return Task.objects.none()
    scoped = scope_queryset(
        user, Task.objects.all(), entity="task", owner_field="assignee", team_field="assignee__team"
    )
    if record_scope(user, "task") is Scope.ALL:
        return scoped
    return Task.objects.filter(Q(pk__in=scoped.values("pk")) | Q(created_by=user))


def access_task_by_id(user: Any, task_id: int, *, op: Op = "view") -> Task:
    task = visible_tasks(user).filter(pk=task_id).first()
    if task is None:
        raise RecordNotFound(f"task {task_id}")
    if not can(user, "task", op):
        raise NotPermitted(f"{user.role} may not {op} tasks")
    return task


def check_task_create(user: Any) -> None:
    if not can(user, "task", "create"):
        raise NotPermitted(f"{user.role} may not create tasks")
