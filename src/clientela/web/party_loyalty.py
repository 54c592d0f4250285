"""The 360's loyalty and referrals card: the party's loyalty accounts (programme, balance,
tier, the latest ledger entries) for roles that see loyalty accounts, and its referrals —
who brought it in, whom it brought in, and its **referral value**: the sum of the
current scoring run's CLV of the customers it referred (Kumar, Petersen & Leone 2007,
"How valuable is word of mouth?", HBR 85(10): the value of the customers a customer
brings in, beside the value of their own purchases), shown only to roles that see CLV.
A fixed number of queries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Sum

from clientela.crm.accounts.permissions import can
from clientela.crm.loyalty.access import visible_accounts
from clientela.crm.loyalty.models import PointsEntry, Tier, TierBasis
from clientela.crm.parties.access import visible_parties
from clientela.crm.parties.models import Party
from clientela.crm.scoring.models import CustomerScore
from clientela.crm.scoring.reasons import run_currency

LEDGER_ROWS = 8
REFERRED_SHOWN = 20


def _tier(account: Any, tiers: list[Tier]) -> Tier | None:
    basis = account.lifetime_points if account.programme.tier_basis == TierBasis.POINTS else account.lifetime_spend
    reached = [t for t in tiers if t.programme_id == account.programme_id and t.threshold <= basis]
    return max(reached, key=lambda t: t.threshold) if reached else None


def loyalty_context(user: Any, party: Party, run: Any, *, show_clv: bool) -> dict[str, Any]:
    accounts: list[Any] = []
    if can(user, "loyalty_account", "view"):
        accounts = list(visible_accounts(user).filter(party=party).select_related("programme")
                        .order_by("programme__name"))
        if accounts:
            tiers = list(Tier.objects.filter(programme_id__in={a.programme_id for a in accounts}))
            entries = list(PointsEntry.objects.filter(account__in=accounts).order_by("-occurred_at", "-id")
                           [: LEDGER_ROWS * len(accounts)])
            for a in accounts:
                a.tier = _tier(a, tiers)
                a.latest = [e for e in entries if e.account_id == a.pk][:LEDGER_ROWS]
    visible = visible_parties(user)
    referred_by = (visible.filter(pk=party.referred_by_id).only("pk", "name").first()
                   if party.referred_by_id else None)
    referred_count = visible.filter(referred_by=party).count()
    referred = list(visible.filter(referred_by=party).only("pk", "name", "acquired_at")
                    .order_by("acquired_at", "id")[:REFERRED_SHOWN])
    referral_value = None
    # The party's own figure, over everyone it referred (other users' customers included).
    if show_clv and run is not None and Party.objects.filter(referred_by=party).exists():
        total = (CustomerScore.objects.filter(run=run, party__referred_by=party)
                 .aggregate(v=Sum("clv"))["v"])
        referral_value = Decimal(total) if total is not None else Decimal(0)
    return {
        "referral_currency": run_currency(run) if run is not None else "",
        "loyalty_accounts": accounts,
        "can_redeem": can(user, "loyalty_entry", "create"),
        "referred_by": referred_by,
        "referred_by_hidden": party.referred_by_id is not None and referred_by is None,
        "referred": referred,
        "referred_count": referred_count,
        "referral_value": referral_value,
    }
