"""Template tags for the task card other pages include (the customer 360)."""

from __future__ import annotations

from typing import Any

from django import template

from clientela.crm.accounts.permissions import can
from clientela.crm.tasks.access import visible_tasks
from clientela.crm.tasks.models import Task, TaskStatus

register = template.Library()


@register.simple_tag
def may(user: Any, entity: str, op: str) -> bool:
    """``{% may user "task" "create" as allowed %}``: the role's permission."""
    return can(user, entity, op)


@register.simple_tag
def open_tasks_about(user: Any, party: Any, limit: int = 10) -> list[Task]:
    """The open tasks about ``party`` the user can see (one query)."""
    qs = visible_tasks(user).filter(party=party, status=TaskStatus.OPEN).select_related("assignee")
    return list(qs.order_by("due_on", "id")[:limit])
