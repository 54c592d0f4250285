"""Reads of users and teams shared by the apps' write paths."""

from __future__ import annotations

from clientela.crm.accounts.models import Team, User
from clientela.crm.errors import InvalidInput


def owner_and_team(owner_id: int | None, team_id: int | None) -> tuple[User | None, Team | None]:
    """The user and team named by an assignment (either may be None); ``InvalidInput``
    naming the field when an id names nobody."""
    owner = User.objects.filter(pk=owner_id).first() if owner_id is not None else None
    if owner_id is not None and owner is None:
        raise InvalidInput({"owner_id": "no such user"})
    team = Team.objects.filter(pk=team_id).first() if team_id is not None else None
    if team_id is not None and team is None:
        raise InvalidInput({"team_id": "no such team"})
    return owner, team
