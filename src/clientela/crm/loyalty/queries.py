"""Reads shared by pages and the API: ledger, ledger sum and tiers."""

from __future__ import annotations

from django.db.models import QuerySet, Sum

from clientela.crm.loyalty.models import LoyaltyAccount, PointsEntry, Tier, TierBasis


def accounts() -> QuerySet[LoyaltyAccount]:
    return LoyaltyAccount.objects.select_related("party", "programme")


def ledger(account: LoyaltyAccount) -> QuerySet[PointsEntry]:
    """The account's entries, oldest first."""
    return PointsEntry.objects.filter(account=account).order_by("id")


def ledger_sum(account: LoyaltyAccount) -> int:
    """The sum of all entries: equals ``account.balance`` by construction."""
    return int(PointsEntry.objects.filter(account=account).aggregate(s=Sum("points"))["s"] or 0)


def current_tier(account: LoyaltyAccount) -> Tier | None:
    """The highest tier whose threshold the account's basis (lifetime points or spend) reaches."""
    programme = account.programme
    basis = account.lifetime_points if programme.tier_basis == TierBasis.POINTS else account.lifetime_spend
    # From ``programme.tiers.all()`` so that a list prefetching ``programme__tiers`` asks once.
    reached = [tier for tier in programme.tiers.all() if tier.threshold <= basis]
    return max(reached, key=lambda tier: tier.threshold, default=None)
