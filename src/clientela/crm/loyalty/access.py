"""Fetch loyalty accounts for a user, or refuse.

An account belongs to a party: a user reaches the accounts of the parties in their
record scope. Posting to the ledger (earn, redeem, adjust …) is ``create`` on the
entity ``loyalty_entry``; entries are never updated or deleted. Programmes and their tiers
are seen by whoever sees loyalty accounts and configured by the ``loyalty_programme``
entity (admin: create, update, delete; marketer: create, update).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from clientela.crm.accounts.permissions import Op, can, first_or_refuse, require, scope_queryset
from clientela.crm.loyalty.models import LoyaltyAccount, Programme, Tier


def visible_programmes(user: Any) -> QuerySet[Programme]:
    if not can(user, "loyalty_account", "view"):
        return Programme.objects.none()
    return Programme.objects.all()


def access_programme_by_id(user: Any, programme_id: int, *, op: Op = "view") -> Programme:
    """A programme the user may see (those who see loyalty accounts) for ``op``: changing
    one is the ``loyalty_programme`` entity's (admin, marketer; deleting: admin)."""
    if op == "view":
        return first_or_refuse(user, visible_programmes(user), programme_id, entity="loyalty_account")
    return first_or_refuse(user, visible_programmes(user), programme_id, entity="loyalty_programme", op=op)


def visible_tiers(user: Any) -> QuerySet[Tier]:
    return Tier.objects.filter(programme__in=visible_programmes(user))


def access_tier_by_id(user: Any, tier_id: int, *, op: Op = "view") -> Tier:
    """A tier of a programme the user may see; changing it is changing its programme's
    configuration (``loyalty_programme`` update; deleting: delete)."""
    if op == "view":
        return first_or_refuse(user, visible_tiers(user), tier_id, entity="loyalty_account")
    return first_or_refuse(user, visible_tiers(user), tier_id, entity="loyalty_programme", op=op)


def visible_accounts(user: Any) -> QuerySet[LoyaltyAccount]:
    return scope_queryset(
        user, LoyaltyAccount.objects.all(), entity="loyalty_account",
        owner_field="party__owner", team_field="party__team",
    )


def access_account_by_id(user: Any, account_id: int, *, op: Op = "view") -> LoyaltyAccount:
    return first_or_refuse(user, visible_accounts(user), account_id, entity="loyalty_account", op=op)


def access_account_for_entry(user: Any, account_id: int) -> LoyaltyAccount:
    """The account a user may post a ledger entry to."""
    account = access_account_by_id(user, account_id)
    require(user, "loyalty_entry", "create")
    return account
