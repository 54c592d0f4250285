"""Orders and their lines from simulated purchase times. Pure NumPy; money in integer cents.

A basket has 1-4 lines; each line's product comes from the customer's favourite
category, else its affinity partner (planted co-purchase), else any category; the
product within the category is the one priced nearest a target drawn around the
customer's spend level. Foreign customers pay in EUR or GBP from a fixed price list;
unit cost is the PLN cost at that day's exchange rate. Totals are exact sums of lines.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from clientela.demo.catalogue import AFFINITY, Catalogue, category_weights

CURRENCIES = ("PLN", "EUR", "GBP")
# Fixed foreign price lists: PLN list price divided by these, rounded up to x.99.
PRICE_LIST_DIVISOR = {"EUR": 4.30, "GBP": 5.00}

# Discount regimes: (share of lines discounted, low, high fraction off)
DISCOUNT_NORMAL = (0.20, 0.05, 0.20)
DISCOUNT_HEAVY = (1.00, 0.45, 0.70)
DISCOUNT_KEY_ACCOUNT = (0.50, 0.03, 0.12)
RETURN_RATE_NORMAL = 0.04
CANCEL_RATE = 0.02

IntArray = NDArray[np.int64]


@dataclass
class Baskets:
    # orders
    customer: IntArray
    day: IntArray
    second: IntArray  # second of the day, UTC
    currency: IntArray  # index into CURRENCIES
    status: NDArray[np.object_]
    channel: NDArray[np.object_]
    total_c: IntArray
    cost_c: IntArray
    # lines
    line_order: IntArray
    line_no: IntArray
    product: IntArray
    quantity: IntArray
    price_c: IntArray
    discount_c: IntArray
    unit_cost_c: IntArray

    def __len__(self) -> int:
        return len(self.customer)


@dataclass
class Shoppers:
    """Per-customer inputs, all arrays of the customer count."""

    spend: NDArray[np.float64]
    primary: IntArray  # category index
    is_org: NDArray[np.bool_]
    currency: IntArray
    discount_regime: IntArray  # 0 normal, 1 heavy, 2 key account
    return_rate: NDArray[np.float64]
    partner_channel: NDArray[np.bool_]


def favourite_categories(rng: np.random.Generator, n: int) -> IntArray:
    return rng.choice(len(category_weights()), size=n, p=category_weights()).astype(np.int64)


def _pick_categories(rng: np.random.Generator, primary: IntArray, cat: Catalogue) -> IntArray:
    partner = np.array([cat.categories.index(AFFINITY[c]) for c in cat.categories])
    u = rng.random(len(primary))
    anyone = rng.choice(len(cat.categories), size=len(primary), p=category_weights())
    return np.where(u < 0.6, primary, np.where(u < 0.85, partner[primary], anyone)).astype(np.int64)


def _pick_products(
    rng: np.random.Generator, categories: IntArray, target_c: NDArray[np.float64], cat: Catalogue
) -> IntArray:
    out = np.empty(len(categories), dtype=np.int64)
    for ci in range(len(cat.categories)):
        rows = np.flatnonzero(categories == ci)
        if not rows.size:
            continue
        members = np.flatnonzero(cat.category_index == ci)
        members = members[np.argsort(cat.price_cents[members], kind="stable")]
        pos = np.searchsorted(cat.price_cents[members], target_c[rows])
        pos = pos + rng.integers(-2, 2, size=rows.size)
        out[rows] = members[np.clip(pos, 0, len(members) - 1)]
    return out


def _seconds_of_day(rng: np.random.Generator, n: int) -> IntArray:
    # Shopping hours in UTC (Warsaw is UTC+1/+2): busy evenings, quiet nights.
    hours = np.arange(24)
    weight = np.where((hours >= 6) & (hours <= 21), 1.0, 0.08) + np.where((hours >= 17) & (hours <= 20), 0.8, 0)
    h = rng.choice(24, size=n, p=weight / weight.sum())
    return (h * 3600 + rng.integers(0, 3600, size=n)).astype(np.int64)


def build_baskets(
    rng: np.random.Generator,
    *,
    purchase_customer: IntArray,
    purchase_time: NDArray[np.float64],
    shoppers: Shoppers,
    catalogue: Catalogue,
    rates: dict[str, NDArray[np.float64]],
    horizon: int,
) -> Baskets:
    n = len(purchase_customer)
    c = purchase_customer
    day = np.minimum(purchase_time.astype(np.int64), horizon - 1)
    org = shoppers.is_org[c]

    n_lines = rng.choice([1, 2, 3, 4], size=n, p=[0.5, 0.28, 0.15, 0.07])
    n_lines = np.where(org, np.maximum(n_lines, rng.integers(1, 5, size=n)), n_lines)
    line_order = np.repeat(np.arange(n), n_lines)
    starts = np.cumsum(n_lines) - n_lines
    line_no = np.arange(len(line_order)) - np.repeat(starts, n_lines) + 1
    lc = c[line_order]

    basket = shoppers.spend[lc] * rng.gamma(6.0, 1 / 6.0, size=len(lc))
    target = 100 * basket / n_lines[line_order] * rng.lognormal(0, 0.35, size=len(lc))
    categories = _pick_categories(rng, shoppers.primary[lc], catalogue)
    product = _pick_products(rng, categories, target, catalogue)
    list_c = catalogue.price_cents[product]
    qty = np.maximum(1, np.rint(target / list_c * rng.lognormal(0, 0.25, size=len(lc))))
    qty = np.where(org[line_order], np.minimum(qty, 60), np.minimum(qty, 4)).astype(np.int64)

    currency = shoppers.currency[c]
    line_cur = currency[line_order]
    price_c = list_c.copy()
    unit_cost_c = catalogue.cost_cents[product].copy()
    for k, code in enumerate(CURRENCIES[1:], start=1):
        rows = line_cur == k
        foreign = np.ceil(list_c[rows] / 100 / PRICE_LIST_DIVISOR[code]) * 100 - 1
        price_c[rows] = foreign.astype(np.int64)
        rate = rates[code][day[line_order[rows]]]
        unit_cost_c[rows] = np.rint(catalogue.cost_cents[product[rows]] / rate).astype(np.int64)

    regimes = np.array([DISCOUNT_NORMAL, DISCOUNT_HEAVY, DISCOUNT_KEY_ACCOUNT])
    share, low, high = regimes[shoppers.discount_regime[lc]].T
    discounted = rng.random(len(lc)) < share
    fraction = rng.uniform(0, 1, size=len(lc)) * (high - low) + low
    discount_c = np.where(discounted, np.rint(qty * price_c * fraction), 0).astype(np.int64)

    total_c = np.bincount(line_order, weights=qty * price_c - discount_c, minlength=n).astype(np.int64)
    cost_c = np.bincount(line_order, weights=qty * unit_cost_c, minlength=n).astype(np.int64)

    status, channel = _status_and_channel(rng, c, day, org, shoppers, horizon)
    return Baskets(
        customer=c.astype(np.int64), day=day, second=_seconds_of_day(rng, n),
        currency=currency.astype(np.int64), status=status, channel=channel,
        total_c=total_c, cost_c=cost_c, line_order=line_order.astype(np.int64),
        line_no=line_no.astype(np.int64), product=product, quantity=qty,
        price_c=price_c, discount_c=discount_c, unit_cost_c=unit_cost_c,
    )


def _status_and_channel(
    rng: np.random.Generator,
    c: IntArray,
    day: IntArray,
    org: NDArray[np.bool_],
    shoppers: Shoppers,
    horizon: int,
) -> tuple[NDArray[np.object_], NDArray[np.object_]]:
    n = len(c)
    age = horizon - day
    u = rng.random(n)
    status = np.full(n, "completed", dtype=object)
    returned = (u < shoppers.return_rate[c]) & (age > 7)
    cancelled = ~returned & (rng.random(n) < CANCEL_RATE)
    status[returned] = "returned"
    status[cancelled] = "cancelled"
    fresh = ~returned & ~cancelled
    status[fresh & (age <= 6)] = "shipped"
    status[fresh & (age <= 2)] = "paid"
    status[fresh & (age <= 1)] = "placed"

    person_channels = np.array(["web", "marketplace", "store", "phone"], dtype=object)
    org_channels = np.array(["sales_rep", "phone", "web"], dtype=object)
    channel = person_channels[rng.choice(4, size=n, p=[0.7, 0.12, 0.1, 0.08])]
    channel[org] = org_channels[rng.choice(3, size=int(org.sum()), p=[0.6, 0.2, 0.2])]
    via_partner = shoppers.partner_channel[c] & (rng.random(n) < 0.5)
    channel[via_partner] = "partner"
    return status, channel


def merge_baskets(first: Baskets, second: Baskets) -> tuple[Baskets, IntArray]:
    """Both sets of orders in one, sorted by customer then time (as ``build_baskets``
    leaves them), and where each of ``first``'s orders went (to renumber references)."""
    n1 = len(first)
    order_fields = ("customer", "day", "second", "currency", "status", "channel", "total_c", "cost_c")
    line_fields = ("line_no", "product", "quantity", "price_c", "discount_c", "unit_cost_c")
    joined = {f: np.concatenate([getattr(first, f), getattr(second, f)]) for f in order_fields}
    perm = np.lexsort((joined["second"], joined["day"], joined["customer"]))
    where = np.empty(len(perm), dtype=np.int64)
    where[perm] = np.arange(len(perm))
    line_order = where[np.concatenate([first.line_order, second.line_order + n1])]
    lines = {f: np.concatenate([getattr(first, f), getattr(second, f)]) for f in line_fields}
    by_order = np.lexsort((lines["line_no"], line_order))
    merged = Baskets(**{f: v[perm] for f, v in joined.items()}, line_order=line_order[by_order],
                     **{f: v[by_order] for f, v in lines.items()})
    return merged, where[:n1]
