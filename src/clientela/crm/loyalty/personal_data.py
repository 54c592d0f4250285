"""GDPR: a party's loyalty accounts with their ledger and referrals (export).

Erase has nothing to blank: ledger lines hold points, kinds and system reasons, and
the ledger is append-only by design; the account stays with the anonymised party.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from clientela.crm.loyalty.models import LoyaltyAccount, Referral


def export(party: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for a in LoyaltyAccount.objects.filter(party=party).select_related("programme"):
        rows.append({
            "programme": a.programme.name, "balance": a.balance, "lifetime_points": a.lifetime_points,
            "entries": [
                {"kind": e.kind, "points": e.points, "balance_after": e.balance_after,
                 "occurred_at": e.occurred_at.isoformat(), "reason": e.reason}
                for e in a.entries.order_by("id")
            ],
        })
    referrals = Referral.objects.filter(Q(referrer=party) | Q(referred=party))
    rows.append({"referrals": [
        {"referrer_id": r.referrer_id, "referred_id": r.referred_id, "rewarded_points": r.rewarded_points}
        for r in referrals
    ]})
    return rows


def erase(party: Any, actor: Any) -> int:
    return 0
