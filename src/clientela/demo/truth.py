"""The planted truth: per-customer money, the loss-makers, concentration figures.

Net contribution (PLN) is defined once here and stored with the data (fact
``net_contribution``): revenue minus cost of goods of every order that is neither
cancelled nor returned, each order converted at its day's exchange rate and rounded to
the grosz, minus the cost of every interaction with the party. Acquisition spend is not
subtracted, so any definition that also charges it can only make loss-makers lose more.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from clientela.demo.baskets import CURRENCIES, Baskets
from clientela.demo.contacts import InteractionLog

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

NET_CONTRIBUTION_DEFINITION = (
    "Per party, in PLN: over its orders whose status is not 'cancelled' or 'returned', "
    "total_amount minus total_cost, each converted at the ExchangeRate of the order's UTC date "
    "(PLN orders at 1) and rounded to 0.01 half-even; minus the cost of all its interactions. "
    "Campaign (acquisition) spend is not charged."
)
KEPT_EXCLUDES = ("cancelled", "returned")


@dataclass
class Money:
    """Per-customer sums in grosz (PLN cents)."""

    revenue: IntArray
    cost_of_goods: IntArray
    cost_to_serve: IntArray
    discount: IntArray
    gross: IntArray

    @property
    def net(self) -> IntArray:
        return self.revenue - self.cost_of_goods - self.cost_to_serve


def order_rates(baskets: Baskets, rates: dict[str, FloatArray]) -> FloatArray:
    """PLN per unit of each order's currency on the order's day."""
    out = np.ones(len(baskets))
    for k, code in enumerate(CURRENCIES[1:], start=1):
        rows = baskets.currency == k
        out[rows] = rates[code][baskets.day[rows]]
    return out


def convert(amount_c: IntArray, rate: FloatArray) -> IntArray:
    """Cents times a 4-decimal rate, rounded half to even in exact integer arithmetic."""
    scaled = amount_c.astype(np.int64) * np.rint(rate * 10_000).astype(np.int64)
    q, r = np.divmod(scaled, 10_000)
    up = (r > 5_000) | ((r == 5_000) & (q % 2 == 1))
    return (q + up).astype(np.int64)


def customer_money(
    baskets: Baskets, rates: dict[str, FloatArray], log: InteractionLog, n_customers: int
) -> Money:
    rate = order_rates(baskets, rates)
    kept = ~np.isin(baskets.status, KEPT_EXCLUDES)
    amount = convert(baskets.total_c, rate)
    cost = convert(baskets.cost_c, rate)
    c = baskets.customer
    line_c = c[baskets.line_order]
    line_rate = rate[baskets.line_order]
    a = log.arrays()
    serve = np.rint(a["cost"] * 100).astype(np.int64)
    inside = a["party"] < n_customers
    return Money(
        revenue=np.bincount(c[kept], weights=amount[kept], minlength=n_customers).astype(np.int64),
        cost_of_goods=np.bincount(c[kept], weights=cost[kept], minlength=n_customers).astype(np.int64),
        cost_to_serve=np.bincount(a["party"][inside], weights=serve[inside], minlength=n_customers).astype(np.int64),
        discount=np.bincount(line_c, weights=baskets.discount_c * line_rate, minlength=n_customers).astype(np.int64),
        gross=np.bincount(line_c, weights=baskets.quantity * baskets.price_c * line_rate,
                          minlength=n_customers).astype(np.int64),
    )


def make_them_lose(
    rng: np.random.Generator,
    log: InteractionLog,
    money: Money,
    *,
    planted: IntArray,
    acquired: FloatArray,
    horizon: int,
) -> int:
    """Add complaint calls to planted loss-makers still in profit, until each loses money.

    Discounts and returns already push most of them under; the calls (12 PLN each) are
    the demanding behaviour that usually comes with them. Returns how many were added.
    """
    loss_target = np.rint(rng.uniform(30, 200, size=len(planted)) * 100).astype(np.int64)
    gap = money.net[planted] + loss_target
    calls = np.where(gap > 0, np.ceil(gap / 1200), 0).astype(np.int64)
    who = np.repeat(planted, calls)
    start = acquired[who]
    t = start + rng.random(len(who)) * (horizon - 1e-4 - start)
    log.add(rng, party=who, time=t, channel="phone", direction="inbound", topic="complaint_call")
    money.cost_to_serve[planted] += calls * 1200
    return int(calls.sum())


def concentration(revenue: IntArray, planted_top: IntArray) -> dict[str, float | int]:
    """Revenue shares of the top x % of customers, and of the planted top group."""
    total = float(revenue.sum()) or 1.0
    ranked = np.sort(revenue)[::-1]
    cum = np.cumsum(ranked) / total
    out: dict[str, float | int] = {}
    for pct in (1, 5, 10, 20, 50):
        k = max(1, int(round(len(revenue) * pct / 100)))
        out[f"top_{pct}_pct_share"] = round(float(cum[k - 1]), 4)
    out["planted_top_share"] = round(float(revenue[planted_top].sum()) / total, 4)
    out["planted_top_count"] = int(len(planted_top))
    out["customers"] = int(len(revenue))
    return out


def cents(x: int | np.integer) -> str:
    """Grosz as a decimal string (exact)."""
    v = int(x)
    sign = "-" if v < 0 else ""
    return f"{sign}{abs(v) // 100}.{abs(v) % 100:02d}"
