"""Fetch tasks for a user, or refuse.

A task belongs to its assignee: the role's record scope applies with the assignee
as owner and the assignee's team as team (``own``: tasks assigned to you; ``team``:
also your team's; ``all``). Tasks nobody is assigned to are seen by ``all`` scopes
and by whoever created them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from clientela.crm.accounts.permissions import (
    Op,
    Scope,
    can,
    first_or_refuse,
    record_scope,
    require,
    scope_queryset,
)
from clientela.crm.errors import NotPermitted
from clientela.crm.tasks.models import Task

if TYPE_CHECKING:
    from clientela.crm.accounts.models import User


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
    return first_or_refuse(user, visible_tasks(user), task_id, entity="task", op=op)


def check_task_create(user: Any) -> None:
    require(user, "task", "create")


def assignable_users(user: Any) -> QuerySet[User]:
    """Whom the user may assign a task to: themselves; with the ``team`` scope also their
    team's active members; with ``all`` every active user whose role works tasks."""
    from clientela.crm.accounts.models import User
    from clientela.crm.accounts.permissions import ROLES

    if not can(user, "task", "create") and not can(user, "task", "update"):
        return User.objects.none()
    active = User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")
    task_roles = [role for role, rules in ROLES.items() if "view" in rules.entities.get("task", frozenset())]
    scope = record_scope(user, "task")
    if scope is Scope.ALL:
        return active.filter(role__in=task_roles)
    if scope is Scope.TEAM and user.team_id is not None:
        return active.filter(Q(pk=user.pk) | Q(team_id=user.team_id, role__in=task_roles))
    return active.filter(pk=user.pk)


def access_assignee_by_id(user: Any, assignee_id: int) -> User:
    """The user ``assignee_id`` if ``user`` may assign tasks to them; refuses otherwise."""
    assignee = assignable_users(user).filter(pk=assignee_id).first()
    if assignee is None:
        raise NotPermitted(f"you may not assign tasks to user {assignee_id}")
    return assignee


def access_task_link(user: Any, *, party_id: int | None, deal_id: int | None, case_id: int | None) -> dict[str, Any]:
    """The party, deal or case a new task will be about, each fetched through its own
    ``access`` function (refused when the user may not see it)."""
    from clientela.crm.parties.access import access_party_by_id
    from clientela.crm.sales.access import access_deal_by_id
    from clientela.crm.service.access import access_case_by_id

    return {
        "party": access_party_by_id(user, party_id) if party_id else None,
        "deal": access_deal_by_id(user, deal_id) if deal_id else None,
        "case": access_case_by_id(user, case_id) if case_id else None,
    }
