"""Fetch cases for a user, or refuse (record scope own / team / all, entity ``case``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from clientela.crm.accounts.models import Team, User
from clientela.crm.accounts.permissions import (
    ROLES,
    Op,
    Scope,
    can,
    first_or_refuse,
    record_scope,
    scope_queryset,
    within_scope,
)
from clientela.crm.errors import NotPermitted
from clientela.crm.parties.access import access_party_for_child
from clientela.crm.parties.models import Party
from clientela.crm.service.models import Case


def visible_cases(user: Any) -> QuerySet[Case]:
    return scope_queryset(user, Case.objects.all(), entity="case")


def access_case_by_id(user: Any, case_id: int, *, op: Op = "view") -> Case:
    return first_or_refuse(user, visible_cases(user), case_id, entity="case", op=op)


def check_case_assignment(user: Any, *, owner_id: int | None, team_id: int | None) -> None:
    if not within_scope(user, owner_id=owner_id, team_id=team_id, entity="case"):
        raise NotPermitted("owner/team: outside your record scope")


def may_create_case(user: Any) -> bool:
    return can(user, "case", "create")


def access_party_for_new_case(user: Any, party_id: int, *, owner_id: int | None, team_id: int | None) -> Party:
    """The visible party a new case is opened for, with the right to create cases and an
    owner/team inside the user's scope; ``RecordNotFound`` (404) or ``NotPermitted`` (403)."""
    party = access_party_for_child(user, party_id, entity="case", op="create")
    check_case_assignment(user, owner_id=owner_id, team_id=team_id)
    return party


def access_case_for_note(user: Any, case_id: int) -> Case:
    """Adding a note is working the case: the right to update it."""
    return access_case_by_id(user, case_id, op="update")


# Roles that work cases (may update them): the people a case can be assigned to.
def _case_workers() -> list[str]:
    return [role for role, rules in ROLES.items() if "update" in rules.entities.get("case", ())]


def assignable_owners(user: Any) -> QuerySet[User]:
    """Active users of the case-working roles that ``user`` may assign a case to: anyone
    (scope all), the team (team), or only themself (own)."""
    users = User.objects.filter(is_active=True, role__in=_case_workers())
    scope = record_scope(user, "case")
    if scope is Scope.ALL:
        return users.order_by("first_name", "username")
    if scope is Scope.TEAM and user.team_id is not None:
        return users.filter(Q(team_id=user.team_id) | Q(pk=user.pk)).order_by("first_name", "username")
    return users.filter(pk=user.pk)


def visible_teams(user: Any) -> QuerySet[Team]:
    """Teams the case queue can be filtered by: every team for scope ``all``, else the
    user's own."""
    if record_scope(user, "case") is Scope.ALL:
        return Team.objects.order_by("name")
    return Team.objects.filter(pk=user.team_id)
