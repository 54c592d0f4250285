"""Fetch playbooks for a user, or refuse.

Playbooks are shared like campaigns (no record scope): the role's operations on the
entity ``playbook`` decide — administrators and marketers build and switch them,
managers and analysts read them. A customer's playbook history is read through the
customer's own access (``parties.access``) and the ``playbook`` view permission.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from clientela.crm.accounts.permissions import Op, can, first_or_refuse, require
from clientela.crm.playbooks.models import Firing, Playbook


def visible_playbooks(user: Any) -> QuerySet[Playbook]:
    return Playbook.objects.all() if can(user, "playbook", "view") else Playbook.objects.none()


def check_playbook_create(user: Any) -> None:
    require(user, "playbook", "create")


def access_playbook_by_id(user: Any, playbook_id: int, *, op: Op = "view") -> Playbook:
    return first_or_refuse(user, visible_playbooks(user), playbook_id, entity="playbook", op=op)


def party_firings(user: Any, party: Any) -> QuerySet[Firing]:
    """The playbook history of a customer the user may already see (``party`` comes from
    ``parties.access``); nothing for a role that may not read playbooks."""
    if not can(user, "playbook", "view"):
        return Firing.objects.none()
    return Firing.objects.filter(party=party)
