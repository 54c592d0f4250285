"""Fetch parties, contacts and consents for a user, or refuse.

A record outside the user's scope raises ``RecordNotFound`` (404 — its existence is not
disclosed); a visible record the user may not change raises ``NotPermitted`` (403).
Contacts and consents are reached through their party.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from clientela.crm.accounts.permissions import (
    Op,
    can,
    first_or_refuse,
    has_capability,
    require,
    scope_queryset,
    within_scope,
)
from clientela.crm.errors import NotPermitted, RecordNotFound
from clientela.crm.parties.models import Consent, ContactPerson, Party

# Whoever archived a party may restore it within this time (the "Undo" after archiving);
# later, and for anyone else, restoring takes the ``restore`` capability (administrators).
UNDO_WINDOW = dt.timedelta(minutes=15)


def visible_parties(user: Any) -> QuerySet[Party]:
    """The parties in the user's scope; archived parties are left out for everyone."""
    return scope_queryset(user, Party.objects.filter(archived_at__isnull=True), entity="party")


def may_see_archived(user: Any) -> bool:
    return has_capability(user, "restore")


def archived_parties(user: Any) -> QuerySet[Party]:
    """Archived parties in the user's scope: only for those who may restore any of them."""
    if not may_see_archived(user):
        return Party.objects.none()
    return scope_queryset(user, Party.objects.filter(archived_at__isnull=False), entity="party")


def access_party_by_id(
    user: Any, party_id: int, *, op: Op = "view", lock: bool = False, archived: bool = False
) -> Party:
    """The party for ``op`` (view, update, delete), or ``RecordNotFound``/``NotPermitted``.
    ``archived``: an archived party is found too, for a user who may see archived ones."""
    qs = visible_parties(user)
    if archived and may_see_archived(user):
        qs = scope_queryset(user, Party.objects.all(), entity="party")
    if lock:
        qs = qs.select_for_update()
    return first_or_refuse(user, qs, party_id, entity="party", op=op)


def access_party_to_restore(user: Any, party_id: int, *, now: dt.datetime | None = None) -> Party:
    """An archived party the user may restore: any, with the ``restore`` capability; the
    one they archived themself within ``UNDO_WINDOW`` (and still may delete parties)."""
    party = (
        scope_queryset(user, Party.objects.filter(archived_at__isnull=False), entity="party")
        .filter(pk=party_id).first()
    )
    if party is None:
        raise RecordNotFound(f"party {party_id}")
    if has_capability(user, "restore"):
        return party
    if party.archived_by_id != user.pk or not can(user, "party", "delete"):
        raise NotPermitted(f"{user.role} may not restore parties")
    assert party.archived_at is not None  # noqa: S101 (the filter above)
    if (now or dt.datetime.now(dt.UTC)) - party.archived_at > UNDO_WINDOW:
        raise NotPermitted("the time to undo has passed: ask an administrator to restore it")
    return party


def check_party_assignment(user: Any, *, owner_id: int | None, team_id: int | None) -> None:
    """A user may only give a party an owner and team inside their own scope."""
    if not within_scope(user, owner_id=owner_id, team_id=team_id, entity="party"):
        raise NotPermitted("owner/team: outside your record scope")


def check_party_create(user: Any, *, owner_id: int | None, team_id: int | None) -> None:
    require(user, "party", "create")
    check_party_assignment(user, owner_id=owner_id, team_id=team_id)


def _child_of_party(user: Any, entity: str, op: Op, party_id: int) -> Party:
    """The visible party a child record hangs on, and the right to ``op`` the child."""
    if not can(user, entity, "view"):
        raise RecordNotFound(entity)
    party = visible_parties(user).filter(pk=party_id).first()
    if party is None:
        raise RecordNotFound(f"party {party_id}")
    if not can(user, entity, op):
        raise NotPermitted(f"{user.role} may not {op} {entity} records")
    return party


def access_party_for_child(user: Any, party_id: int, *, entity: str, op: Op) -> Party:
    """The party whose contacts/consents/interactions/orders a user lists (view) or adds
    to (create)."""
    return _child_of_party(user, entity, op, party_id)


def visible_contacts(user: Any) -> QuerySet[ContactPerson]:
    if not can(user, "contact", "view"):
        return ContactPerson.objects.none()
    # The contacts of an archived organisation are archived with it.
    return scope_queryset(
        user, ContactPerson.objects.filter(organisation__archived_at__isnull=True),
        owner_field="organisation__owner", team_field="organisation__team",
    )


def access_contact_by_id(user: Any, contact_id: int, *, op: Op = "view") -> ContactPerson:
    return first_or_refuse(user, visible_contacts(user), contact_id, entity="contact", op=op)


def visible_consents(user: Any) -> QuerySet[Consent]:
    if not can(user, "consent", "view"):
        return Consent.objects.none()
    return scope_queryset(
        user, Consent.objects.all(), owner_field="party__owner", team_field="party__team"
    )


def access_consent_by_id(user: Any, consent_id: int, *, op: Op = "view") -> Consent:
    return first_or_refuse(user, visible_consents(user), consent_id, entity="consent", op=op)
