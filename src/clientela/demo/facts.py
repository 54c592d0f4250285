"""Turn a simulated company into its truth records: facts, planted traits, per-customer truth.

Pure Python; :func:`clientela.demo.build.build_demo_company` stores them in the
``demo_truth_*`` tables (see :mod:`clientela.demo.models`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from clientela.demo import baskets as baskets_mod
from clientela.demo.behaviour import MONTH_SEASONALITY
from clientela.demo.campaigns import CAC
from clientela.demo.catalogue import AFFINITY
from clientela.demo.company import ORG_SPEND, PLANTS, SPEND_MEAN, SPEND_SHAPE, Company
from clientela.demo.contacts import CHANNEL_COST
from clientela.demo.experiments import truth as experiment_truth
from clientela.demo.models import Trait
from clientela.demo.truth import NET_CONTRIBUTION_DEFINITION, cents, concentration

TRUTH_VERSION = 1


def trait_rows(company: Company) -> list[tuple[int, str, dict[str, Any]]]:
    """(party index, trait, detail) for every planted trait, loss-makers included."""
    r, m, b = company.roster, company.money, company.baskets
    chosen: dict[str, np.ndarray] = company.extra["chosen"]
    n = company.customers
    orders = np.bincount(b.customer, minlength=n)
    returned = np.bincount(b.customer[b.status == "returned"], minlength=n)
    revenue_rank = np.empty(n, dtype=np.int64)
    revenue_rank[np.argsort(-m.revenue, kind="stable")] = np.arange(1, n + 1)
    rows: list[tuple[int, str, dict[str, Any]]] = []

    for i in chosen["top_customer"].tolist():
        rows.append((i, Trait.TOP_CUSTOMER, {"revenue": cents(m.revenue[i]), "revenue_rank": int(revenue_rank[i])}))
    for i in chosen["heavy_discounter"].tolist():
        share = m.discount[i] / m.gross[i] if m.gross[i] else 0.0
        rows.append((i, Trait.HEAVY_DISCOUNTER, {"discount_share_of_gross": round(float(share), 4),
                                                 "net_contribution": cents(m.net[i])}))
    for i in chosen["heavy_returner"].tolist():
        rows.append((i, Trait.HEAVY_RETURNER, {"orders": int(orders[i]), "returned_orders": int(returned[i]),
                                               "net_contribution": cents(m.net[i])}))
    for i in chosen["high_cost_to_serve"].tolist():
        rows.append((i, Trait.HIGH_COST_TO_SERVE, {"cost_to_serve": cents(m.cost_to_serve[i]),
                                                   "net_contribution": cents(m.net[i])}))
    cause = {int(i): label for label in ("heavy_discounter", "heavy_returner", "high_cost_to_serve")
             for i in chosen[label]}
    for i in np.flatnonzero(m.net < 0).tolist():
        rows.append((i, Trait.LOSS_MAKER, {
            "net_contribution": cents(m.net[i]),
            "cause": {"heavy_discounter": "discounts", "heavy_returner": "returns",
                      "high_cost_to_serve": "cost_to_serve"}.get(cause.get(i, ""), "other"),
            "planted": cause.get(i) in ("heavy_discounter", "heavy_returner"),
        }))
    friends: dict[int, list[str]] = {}
    for i in np.flatnonzero(company.referred_by >= 0).tolist():
        promoter = int(company.referred_by[i])
        friends.setdefault(promoter, []).append(r.ref[i])
        rows.append((i, Trait.REFERRED, {"by": r.ref[promoter]}))
    for i in chosen["promoter"].tolist():
        refs = friends.get(i, [])
        rows.append((i, Trait.PROMOTER, {"referrals": len(refs), "referred": refs}))
    lead_at = dict(zip(company.prospects.tolist(), company.lead_day.tolist(), strict=True))
    for i, role in enumerate(r.role):
        if role == "prospect":
            rows.append((i, Trait.PROSPECT, {"lead_day": round(lead_at[i], 3)}))
        elif role == "supplier":
            rows.append((i, Trait.SUPPLIER, {"contacts": len(r.contacts[i])}))
        elif role == "partner" or r.also_partner[i]:
            rows.append((i, Trait.PARTNER, {"contacts": len(r.contacts[i]), "also_customer": role == "customer"}))
        elif role == "internal":
            rows.append((i, Trait.INTERNAL, {}))
    return rows


def fact_values(company: Company, counts: dict[str, int]) -> dict[str, Any]:
    """Every ``DemoFact`` key and its JSON value."""
    chosen = company.extra["chosen"]
    process = company.extra["process"]
    m = company.money
    return {
        "generator": {
            "version": TRUTH_VERSION, "seed": company.extra["seed"], "parties": len(company.roster),
            "today": company.today.isoformat(), "window_start": company.start.isoformat(),
            "window_end": company.today.isoformat(), "days": company.horizon,
            "note": "Data covers [window_start 00:00 UTC, window_end 00:00 UTC).",
        },
        "purchase_process": {
            "model": "BG/NBD (Fader, Hardie & Lee 2005) with monthly seasonality by thinning",
            "time_unit": "day",
            **process.as_dict(),
            "rate_distribution": "lambda ~ gamma(shape=r, rate=alpha) per day",
            "dropout_distribution": "p ~ beta(a, b), drawn after each repeat purchase",
            "first_purchase": "at acquired_at (the customer's first order)",
            "seasonality_by_month": [round(float(x), 4) for x in MONTH_SEASONALITY],
            "planted_multipliers": {k: {"rate": v["rate"], "dropout": v["dropout"], "spend": v["spend"]}
                                    for k, v in PLANTS.items()},
            "unaltered_population": "customers without a top_customer, promoter, heavy_discounter, "
                                    "heavy_returner or high_cost_to_serve trait",
            "promoters": "never drop out; given >= 3 orders with the last within 45 days of the end",
        },
        "order_value": {
            "spend_level": f"gamma(shape={SPEND_SHAPE}, mean={SPEND_MEAN} PLN) per customer, "
                           f"x{ORG_SPEND} for organisations; each basket x gamma(6, 1/6)",
            "lines_per_order": {"1": 0.5, "2": 0.28, "3": 0.15, "4": 0.07},
            "discount_regimes": {"normal": baskets_mod.DISCOUNT_NORMAL, "heavy": baskets_mod.DISCOUNT_HEAVY,
                                 "key_account": baskets_mod.DISCOUNT_KEY_ACCOUNT},
            "return_rate": baskets_mod.RETURN_RATE_NORMAL, "cancel_rate": baskets_mod.CANCEL_RATE,
            "foreign_price_list_divisor": baskets_mod.PRICE_LIST_DIVISOR,
            "unit_cost": "PLN unit cost converted at the order day's rate for EUR/GBP orders",
        },
        "channel_cost": CHANNEL_COST,
        "acquisition_cac": CAC,
        "category_affinity": AFFINITY,
        "net_contribution": {"definition": NET_CONTRIBUTION_DEFINITION, "currency": "PLN",
                             "total": cents(m.net.sum()), "revenue": cents(m.revenue.sum()),
                             "complaint_calls_added_to_planted_loss_makers": company.complaint_calls_added},
        "concentration": concentration(m.revenue, chosen["top_customer"]),
        "counts": counts,
        # The planted effects of the campaigns with control groups (demo.experiments).
        "experiments": experiment_truth(company.extra.get("experiments", [])),
    }
