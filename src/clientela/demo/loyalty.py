"""The demo company's loyalty programme, *Klub Stałego Klienta*: about 40 % of the
customers who buy in złoty join at their first order (80 % of the planted promoters),
earn a point per złoty on every paid order, and now and then redeem 500 points for a
voucher. Two tiers (Srebrny from 1,000 lifetime points, Złoty from 5,000). Written after
the orders, from a generator of its own (``default_rng((seed, 7))``), so nothing drawn
before changes; every account's balance is the sum of its ledger.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_FLOOR, Decimal
from typing import Any

import numpy as np

from clientela.crm.commerce.models import Order
from clientela.crm.loyalty.models import LoyaltyAccount, PointsEntry, Programme, Redemption, Tier
from clientela.demo import fastload
from clientela.demo.company import Company
from clientela.demo.writer import Stage

PROGRAMME = "Klub Stałego Klienta"
TIERS = (("Srebrny", 1000, "5 % rabatu"), ("Złoty", 5000, "10 % rabatu i darmowa dostawa"))
EARNING = {"paid", "shipped", "completed"}
VOUCHER = 500


def write_loyalty(company: Company, parties: list[int], stage: Stage) -> dict[str, int]:
    rng = np.random.default_rng((int(company.extra.get("seed", 0)), 7))
    programme = Programme.objects.create(name=PROGRAMME, currency="PLN", points_per_unit=Decimal("1"),
                                         referral_points=200)
    Tier.objects.bulk_create([Tier(programme=programme, name=n, threshold=Decimal(t), benefits=b)
                              for n, t, b in TIERS])
    promoter_ids = {parties[i] for i in np.flatnonzero(company.group == "promoter").tolist()}
    by_party: dict[int, list[tuple[int, str, Any, str, Decimal]]] = {}
    for oid, ref, pid, at, status, amount in (Order.objects.filter(currency="PLN")
                                              .order_by("party_id", "ordered_at", "id")
                                              .values_list("id", "ref", "party_id", "ordered_at", "status",
                                                           "total_amount")):
        by_party.setdefault(pid, []).append((oid, ref, at, status, amount))
    members = [pid for pid in sorted(by_party) if rng.random() < (0.8 if pid in promoter_ids else 0.4)]
    account_ids = fastload.next_ids(LoyaltyAccount, len(members))
    accounts: dict[str, list[Any]] = {k: [] for k in
                                      ("id", "party_id", "programme_id", "balance", "lifetime_points",
                                       "lifetime_spend", "opened_at")}
    entries: dict[str, list[Any]] = {k: [] for k in ("account_id", "kind", "points", "balance_after",
                                                     "occurred_at", "reason", "order_id")}
    vouchers: list[tuple[int, Any]] = []  # (entry position, when)
    for account_id, pid in zip(account_ids, members, strict=True):
        orders = by_party[pid]
        balance = lifetime = 0
        spend = Decimal(0)
        for oid, ref, at, status, amount in orders:
            if status not in EARNING:
                continue
            points = int(amount.to_integral_value(rounding=ROUND_FLOOR))
            if points <= 0:
                continue
            balance, lifetime, spend = balance + points, lifetime + points, spend + amount
            _entry(entries, account_id, "earn", points, balance, at, f"order {ref}", oid)
            if balance >= VOUCHER and rng.random() < 0.3:
                balance -= VOUCHER
                vouchers.append((len(entries["kind"]), at + timedelta(days=1)))
                _entry(entries, account_id, "redeem", -VOUCHER, balance, at + timedelta(days=1),
                       "Kupon 50 zł", None)
        for key, value in (("id", account_id), ("party_id", pid), ("programme_id", programme.pk),
                           ("balance", balance), ("lifetime_points", lifetime), ("lifetime_spend", spend),
                           ("opened_at", orders[0][2])):
            accounts[key].append(value)
    fastload.insert(LoyaltyAccount, accounts)
    entry_ids = fastload.next_ids(PointsEntry, len(entries["kind"]))
    fastload.insert(PointsEntry, {"id": entry_ids, **entries})
    fastload.insert(Redemption, {
        "account_id": [entries["account_id"][k] for k, _ in vouchers],
        "reward": ["Kupon 50 zł"] * len(vouchers), "points": [VOUCHER] * len(vouchers),
        "entry_id": [entry_ids[k] for k, _ in vouchers], "redeemed_at": [when for _, when in vouchers],
    })
    fastload.reset_sequences(LoyaltyAccount, PointsEntry, Redemption)
    stage("loyalty members", len(members))
    return {"loyalty_members": len(members), "points_entries": len(entry_ids)}


def _entry(entries: dict[str, list[Any]], account_id: int, kind: str, points: int, balance: int, at: Any,
           reason: str, order_id: int | None) -> None:
    for key, value in (("account_id", account_id), ("kind", kind), ("points", points), ("balance_after", balance),
                       ("occurred_at", at), ("reason", reason), ("order_id", order_id)):
        entries[key].append(value)
