"""Campaigns: quarterly acquisition campaigns per paid channel, and yearly retention,
add-on and win-back campaigns whose members are chosen from the simulated history.

Acquisition spend is the number of customers a campaign brought times the channel's
true cost of acquisition (``CAC``) with some noise, so CAC by channel is recoverable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from numpy.typing import NDArray

from clientela.demo.contacts import CHANNEL_COST, Consents, InteractionLog

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

CAC = {  # true mean acquisition cost per customer, PLN
    "search": 95.0, "social": 75.0, "email": 30.0, "events": 260.0,
    "partner": 180.0, "sales": 650.0, "referral": 50.0,
}
ACQUISITION_NAMES = {
    "search": "Paid search", "social": "Social media ads", "email": "E-mail prospecting",
    "events": "Trade fairs", "partner": "Partner programme", "sales": "Field sales",
    "referral": "Referral programme",
}
RESPONSE_WINDOW_DAYS = 21


@dataclass
class CampaignPlan:
    name: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    channel: list[str] = field(default_factory=list)
    budget: list[float] = field(default_factory=list)
    spend: list[float] = field(default_factory=list)
    starts: list[date] = field(default_factory=list)
    ends: list[date] = field(default_factory=list)
    # members
    m_campaign: list[IntArray] = field(default_factory=list)
    m_party: list[IntArray] = field(default_factory=list)
    m_sent: list[FloatArray] = field(default_factory=list)
    m_responded: list[FloatArray] = field(default_factory=list)
    m_order: list[IntArray] = field(default_factory=list)

    def add(self, name: str, kind: str, channel: str, spend: float, budget: float,
            starts: date, ends: date) -> int:
        self.name.append(name)
        self.kind.append(kind)
        self.channel.append(channel)
        self.spend.append(round(spend, 2))
        self.budget.append(round(budget, 2))
        self.starts.append(starts)
        self.ends.append(ends)
        return len(self.name) - 1

    def members(self, campaign: int, party: IntArray, sent: FloatArray,
                responded: FloatArray, order: IntArray) -> None:
        self.m_campaign.append(np.full(len(party), campaign, dtype=np.int64))
        self.m_party.append(party.astype(np.int64))
        self.m_sent.append(sent)
        self.m_responded.append(responded)
        self.m_order.append(order.astype(np.int64))


def quarter_of(d: date) -> tuple[int, int]:
    return d.year, (d.month - 1) // 3 + 1


def quarter_bounds(year: int, q: int) -> tuple[date, date]:
    start = date(year, 3 * q - 2, 1)
    nxt = date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
    return start, nxt - timedelta(days=1)


def acquisition_campaigns(
    rng: np.random.Generator,
    plan: CampaignPlan,
    *,
    start: date,
    today: date,
    channel: NDArray[np.object_],
    acquired: FloatArray,
    first_order: IntArray,
) -> IntArray:
    """One campaign per paid channel and calendar quarter; returns each customer's campaign (-1 none)."""
    day_of = np.floor(acquired).astype(np.int64)
    quarters: dict[tuple[int, int], int] = {}
    d = date(start.year, 3 * quarter_of(start)[1] - 2, 1)
    while d <= today:
        quarters[quarter_of(d)] = len(quarters)
        d = quarter_bounds(*quarter_of(d))[1] + timedelta(days=1)
    q_first_day = np.array([(quarter_bounds(*q)[0] - start).days for q in quarters])
    q_of_customer = np.searchsorted(q_first_day, day_of, side="right") - 1
    campaign_of = np.full(len(acquired), -1, dtype=np.int64)
    for ch, cac in CAC.items():
        for (year, q), qi in quarters.items():
            who = np.flatnonzero((channel == ch) & (q_of_customer == qi))
            q_start, q_end = quarter_bounds(year, q)
            elapsed = min(1.0, ((today - q_start).days + 1) / ((q_end - q_start).days + 1))
            base = cac * (len(who) + rng.gamma(2.0, 0.5))
            spend = base * rng.lognormal(0, 0.12)
            budget = np.ceil(spend / elapsed * rng.uniform(1.0, 1.25) / 500) * 500
            label = f"{ACQUISITION_NAMES[ch]} Q{q} {year}"
            ci = plan.add(label, "acquisition", ch, spend, float(budget), q_start, q_end)
            if not who.size:
                continue
            campaign_of[who] = ci
            lead = rng.uniform(0.5, 20, size=who.size)
            sent = np.maximum(acquired[who] - lead, (q_start - start).days)
            plan.members(ci, who, np.minimum(sent, acquired[who]), acquired[who], first_order[who])
    return campaign_of


def prospect_members(
    rng: np.random.Generator, plan: CampaignPlan, *, prospects: IntArray, lead_day: FloatArray,
    start: date,
) -> None:
    """Prospects answered an acquisition campaign (became leads) but never bought."""
    acq = [i for i, k in enumerate(plan.kind) if k == "acquisition" and plan.channel[i] in
           ("search", "social", "email", "events")]
    starts = np.array([(plan.starts[i] - start).days for i in acq])
    ends = np.array([(plan.ends[i] - start).days + 1 for i in acq])
    for pi, t in zip(prospects, lead_day, strict=True):
        fits = np.flatnonzero((starts <= t) & (t < ends))
        if not fits.size:
            continue
        ci = acq[int(fits[rng.integers(fits.size)])]
        sent = max(float(starts[acq.index(ci)]), t - rng.uniform(0.5, 10))
        plan.members(ci, np.array([pi]), np.array([sent]), np.array([t]), np.array([-1]))


def marketing_campaigns(
    rng: np.random.Generator,
    plan: CampaignPlan,
    log: InteractionLog,
    *,
    start: date,
    horizon: int,
    order_customer: IntArray,
    order_time: FloatArray,
    order_category_sets: dict[int, set[int]],
    consents: Consents,
    electronics: int,
) -> None:
    """Yearly retention (September), add-on (March) and win-back (June) campaigns."""
    key = order_customer * 10_000.0 + order_time
    n_orders = np.bincount(order_customer)
    for year in range(start.year, start.year + 4):
        for kind, month, channel, title in (
            ("add_on", 3, "email", f"Office gear for your electronics — spring {year}"),
            ("win_back", 6, "sms", f"We miss you — summer {year}"),
            ("retention", 9, "email", f"Loyalty thank-you {year}"),
        ):
            d = date(year, month, 12)
            t0 = (d - start).days + 10 / 24
            if not 0 < t0 < horizon - 1:
                continue
            customers = np.arange(len(n_orders), dtype=np.int64)
            before = np.searchsorted(key, customers * 10_000.0 + t0) - 1
            has_prev = (before >= 0) & (order_customer[np.maximum(before, 0)] == customers)
            last = np.where(has_prev, order_time[np.maximum(before, 0)], -np.inf)
            count_before = before - np.searchsorted(key, customers * 10_000.0) + 1
            if kind == "retention":
                target = has_prev & (count_before >= 2) & (t0 - last < 180)
            elif kind == "win_back":
                target = has_prev & (t0 - last >= 180) & (t0 - last < 720)
            else:
                target = np.array([electronics in order_category_sets.get(int(c), ()) for c in customers]) & has_prev
            who = customers[target]
            who = who[consents.active("marketing", channel, np.full(len(who), t0), who)]
            sent = t0 + rng.uniform(0, 0.3, size=who.size)
            nxt = np.searchsorted(key, who * 10_000.0 + sent)
            ok = nxt < len(key)
            nxt_c = np.where(ok, nxt, 0)
            converted = ok & (order_customer[nxt_c] == who) & (order_time[nxt_c] < sent + RESPONSE_WINDOW_DAYS)
            responded = np.where(converted, order_time[nxt_c], np.nan)
            clicked = ~converted & (rng.random(who.size) < 0.06)
            responded[clicked] = np.minimum(sent[clicked] + rng.uniform(0, 3, size=int(clicked.sum())), horizon - 1e-3)
            order = np.where(converted, nxt_c, -1)
            spend = who.size * CHANNEL_COST[channel] + rng.uniform(1500, 6000)
            ci = plan.add(title, kind, channel, spend, float(np.ceil(spend * 1.2 / 500) * 500),
                          d, d + timedelta(days=RESPONSE_WINDOW_DAYS))
            plan.members(ci, who, sent, responded, order)
            log.add(rng, party=who, time=sent, channel=channel, direction="outbound",
                    topic="newsletter", subject=f"Campaign: {title}")
