"""Fetch cases for a user, or refuse (record scope own / team / all, entity ``case``)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from clientela.crm.accounts.permissions import Op, can, scope_queryset, within_scope
from clientela.crm.errors import NotPermitted, RecordNotFound
from clientela.crm.service.models import Case


def visible_cases(user: Any) -> QuerySet[Case]:
    return scope_queryset(user, Case.objects.all(), entity="case")


def access_case_by_id(user: Any, case_id: int, *, op: Op = "view") -> Case:
    case = visible_cases(user).filter(pk=case_id).first()
    if case is None:
        raise RecordNotFound(f"case {case_id}")
    if not can(user, "case", op):
        raise NotPermitted(f"{user.role} may not {op} cases")
    return case


def check_case_assignment(user: Any, *, owner_id: int | None, team_id: int | None) -> None:
    if not within_scope(user, owner_id=owner_id, team_id=team_id, entity="case"):
        raise NotPermitted("owner/team: outside your record scope")
