"""Simulate the whole demo company in memory, from one seeded generator.

Every random draw comes from ``numpy.random.default_rng(seed)`` in a fixed order, so
the same ``(parties, seed, today)`` always gives the same company. Nothing here touches
the database; :mod:`clientela.demo.writer` stores the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray

from clientela.demo import behaviour
from clientela.demo import roster as roster_mod
from clientela.demo.baskets import (
    CURRENCIES,
    Baskets,
    Shoppers,
    build_baskets,
    favourite_categories,
    merge_baskets,
)
from clientela.demo.campaigns import (
    CampaignPlan,
    acquisition_campaigns,
    marketing_campaigns,
    prospect_members,
)
from clientela.demo.catalogue import Catalogue, build_catalogue
from clientela.demo.contacts import Consents, InteractionLog, draw_consents, newsletters
from clientela.demo.experiments import EXPERIMENT_STREAM, PlantedExperiment, plant_experiments
from clientela.demo.roster import Composition, Roster
from clientela.demo.servicing import account_contacts, order_contacts, other_party_contacts
from clientela.demo.truth import Money, customer_money, make_them_lose

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

# Planted groups (share of customers) and how they deviate from the population process.
PLANTS: dict[str, dict[str, float]] = {
    "top_customer": {"share": 0.05, "rate": 3.0, "dropout": 0.25, "spend": 5.0, "min_age": 180},
    "promoter": {"share": 0.025, "rate": 2.5, "dropout": 0.0, "spend": 1.0, "min_age": 365},
    "heavy_discounter": {"share": 0.03, "rate": 1.5, "dropout": 0.4, "spend": 1.0, "min_age": 120},
    "heavy_returner": {"share": 0.03, "rate": 2.0, "dropout": 0.4, "spend": 0.6, "min_age": 120},
    "high_cost_to_serve": {"share": 0.03, "rate": 1.2, "dropout": 1.0, "spend": 1.0, "min_age": 90},
}
SPEND_SHAPE, SPEND_MEAN, ORG_SPEND = 2.0, 230.0, 3.0
RATE_CENTRE = {"EUR": 4.33, "GBP": 5.05}
RATE_BOUNDS = {"EUR": (4.20, 4.60), "GBP": (4.85, 5.35)}
PROMOTER_RECENT_DAYS = 45


@dataclass
class Company:
    start: date
    today: date
    horizon: int
    comp: Composition
    roster: Roster
    catalogue: Catalogue
    rates: dict[str, FloatArray]
    acquired: FloatArray
    channel: NDArray[np.object_]
    campaign_of: IntArray
    referred_by: IntArray  # party index of the promoter, -1 none
    lam: FloatArray
    p: FloatArray
    spend: FloatArray
    alive: NDArray[np.bool_]
    dropped_time: FloatArray
    group: NDArray[np.object_]
    baskets: Baskets
    consents: Consents
    log: InteractionLog
    plan: CampaignPlan
    prospects: IntArray
    lead_day: FloatArray
    money: Money
    complaint_calls_added: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def customers(self) -> int:
        return self.comp.customers


def three_years_before(today: date) -> date:
    try:
        return today.replace(year=today.year - 3)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 3, day=28)


def exchange_rates(rng: np.random.Generator, days: int) -> dict[str, FloatArray]:
    """Daily rates (PLN per unit) as a mean-reverting walk inside plausible bounds, 4 dp."""
    out = {}
    for code, centre in RATE_CENTRE.items():
        low, high = RATE_BOUNDS[code]
        shocks = rng.normal(0, 0.011, size=days)
        x = np.empty(days)
        level = centre + rng.normal(0, 0.05)
        for i in range(days):
            level = min(high, max(low, level + 0.03 * (centre - level) + shocks[i]))
            x[i] = level
        out[code] = np.round(x, 4)
    return out


def _plant(rng: np.random.Generator, group: NDArray[np.object_], eligible: NDArray[np.bool_],
           size: int, label: str, weights: FloatArray | None = None) -> IntArray:
    pool = np.flatnonzero(eligible & (group == ""))
    size = min(size, len(pool))
    w = None if weights is None else weights[pool] / weights[pool].sum()
    chosen = np.sort(rng.choice(pool, size=size, replace=False, p=w))
    group[chosen] = label
    return chosen.astype(np.int64)


def _referrals(rng: np.random.Generator, promoters: IntArray, group: NDArray[np.object_],
               is_org: NDArray[np.bool_], acquired: FloatArray) -> IntArray:
    referred_by = np.full(len(group), -1, dtype=np.int64)
    for pr in promoters:
        pool = np.flatnonzero((group == "") & ~is_org & (referred_by < 0) & (acquired > acquired[pr] + 14))
        k = min(len(pool), 1 + int(rng.poisson(1.6)))
        if k:
            referred_by[rng.choice(pool, size=k, replace=False)] = pr
    return referred_by


def _ensure_recent(rng: np.random.Generator, history: behaviour.PurchaseHistory, who: IntArray,
                   horizon: int) -> behaviour.PurchaseHistory:
    """Planted promoters are active: at least three orders, the last within 45 days."""
    counts = np.bincount(history.customer, minlength=int(who.max(initial=0)) + 1)
    last = np.full(len(counts), -np.inf)
    np.maximum.at(last, history.customer, history.time)
    need = who[(counts[who] < 3) | (last[who] < horizon - PROMOTER_RECENT_DAYS)]
    extra_c = np.repeat(need, 2)
    extra_t = horizon - rng.uniform(2, PROMOTER_RECENT_DAYS - 1, size=len(extra_c))
    customer = np.concatenate([history.customer, extra_c])
    time = np.concatenate([history.time, extra_t])
    order = np.lexsort((time, customer))
    return behaviour.PurchaseHistory(customer[order], time[order], history.dropped_out,
                                     history.dropped_out_time)


def simulate_company(*, parties: int, seed: int, today: date) -> Company:
    rng = np.random.default_rng(seed)
    start = three_years_before(today)
    horizon = (today - start).days
    comp = roster_mod.composition(parties)
    roster, _ = roster_mod.build_roster(rng, comp)
    n = comp.customers
    is_org = np.array([k == "organisation" for k in roster.kind[:n]])
    catalogue = build_catalogue(rng)
    rates = exchange_rates(rng, horizon + 1)
    season = behaviour.season_by_day(start, horizon)
    acquired = behaviour.acquisition_days(rng, n, horizon)

    process = behaviour.PurchaseProcess()
    lam, p = behaviour.draw_rates(rng, n, process)
    spend = behaviour.spend_levels(rng, n, shape=SPEND_SHAPE, mean=SPEND_MEAN)
    spend[is_org] *= ORG_SPEND
    group = np.full(n, "", dtype=object)
    age = horizon - acquired
    chosen: dict[str, IntArray] = {}
    for label, spec in PLANTS.items():
        eligible = age >= spec["min_age"]
        if label != "top_customer":
            eligible &= ~is_org
        weights = np.where(is_org, 3.0, 1.0) if label == "top_customer" else None
        chosen[label] = _plant(rng, group, eligible, max(2, round(n * spec["share"])), label, weights)
        lam[chosen[label]] *= spec["rate"]
        p[chosen[label]] *= spec["dropout"]
        spend[chosen[label]] *= spec["spend"]

    channel = roster_mod.acquisition_channels(rng, is_org)
    referred_by = _referrals(rng, chosen["promoter"], group, is_org, acquired)
    channel[referred_by >= 0] = "referral"

    history = behaviour.simulate_purchases(rng, first_purchase=acquired, lam=lam, p=p, season=season)
    history = _ensure_recent(rng, history, chosen["promoter"], horizon)

    regime = np.where(is_org, 2, 0)
    regime[chosen["heavy_discounter"]] = 1
    return_rate = np.full(n, 0.04)
    returners = chosen["heavy_returner"]
    return_rate[returners] = rng.uniform(0.7, 0.9, size=len(returners))
    currency = np.array([CURRENCIES.index(c) for c in roster.currency[:n]], dtype=np.int64)
    primary = favourite_categories(rng, n)
    # Returners order gadgets and sports gear (thin margins) to try on and send back.
    primary[returners] = np.where(rng.random(len(returners)) < 0.7, catalogue.categories.index("Electronics"),
                                  catalogue.categories.index("Sport & Outdoor"))
    shoppers = Shoppers(spend=spend, primary=primary, is_org=is_org,
                        currency=currency, discount_regime=regime.astype(np.int64),
                        return_rate=return_rate, partner_channel=channel == "partner")
    baskets = build_baskets(rng, purchase_customer=history.customer, purchase_time=history.time,
                            shoppers=shoppers, catalogue=catalogue, rates=rates, horizon=horizon)

    roles = np.array(roster.role)
    prospects = np.flatnonzero(roles == "prospect").astype(np.int64)
    lead_day = horizon * np.sqrt(rng.uniform(0.02, 1.0, size=len(prospects))) - 1
    lead_day = np.maximum(lead_day, 0.0)
    consent_parties = np.concatenate([np.arange(n), prospects]).astype(np.int64)
    kinds = np.array(roster.kind)
    consents = draw_consents(
        rng, parties=consent_parties, is_org=kinds[consent_parties] == "organisation",
        since=np.concatenate([acquired, lead_day]), horizon=horizon,
        has_phone=np.array([bool(roster.phone[i]) for i in consent_parties]),
    )
    log = InteractionLog()
    newsletters(rng, log, consents, horizon)
    order_contacts(rng, log, roster, baskets, horizon=horizon, is_org=is_org)
    account_contacts(rng, log, roster, customers=np.arange(n, dtype=np.int64), acquired=acquired,
                     horizon=horizon, is_org=is_org, top=chosen["top_customer"],
                     costly=chosen["high_cost_to_serve"])
    other_party_contacts(rng, log, roster, horizon=horizon, prospects=prospects, lead_day=lead_day)

    plan = CampaignPlan()
    first_order = np.searchsorted(baskets.customer, np.arange(n)).astype(np.int64)
    campaign_of = acquisition_campaigns(rng, plan, start=start, today=today, channel=channel,
                                        acquired=acquired, first_order=first_order)
    prospect_members(rng, plan, prospects=prospects, lead_day=lead_day, start=start)
    categories: dict[int, set[int]] = {}
    line_cat = catalogue.category_index[baskets.product]
    for c, k in zip(baskets.customer[baskets.line_order].tolist(), line_cat.tolist(), strict=True):
        categories.setdefault(c, set()).add(k)
    marketing_campaigns(rng, plan, log, start=start, horizon=horizon, order_customer=baskets.customer,
                        order_time=baskets.day + baskets.second / 86400.0,
                        order_category_sets=categories, consents=consents,
                        electronics=catalogue.categories.index("Electronics"))

    # Three campaigns with control groups and planted effects (demo.experiments), to the
    # customers with marketing consent by e-mail, drawn from a stream of their own after the
    # rest of the company, so that everything drawn from the orders (surveys, cases,
    # loyalty) is the same as without them; their orders are written with the others.
    experiment_rng = np.random.default_rng([seed, EXPERIMENT_STREAM])
    experiments, with_planted = plant_experiments(
        experiment_rng, history=history, lam=lam, spend=spend, horizon=horizon,
        reachable=lambda who, t0: consents.active("marketing", "email", np.full(len(who), t0), who))
    planted_orders = _planted_orders(experiment_rng, experiments, shoppers=shoppers, catalogue=catalogue,
                                     rates=rates, horizon=horizon)
    history = with_planted  # won-back customers who had dropped out are alive again
    money = customer_money(merge_baskets(baskets, planted_orders)[0], rates, log, n)
    planted_losers = np.sort(np.concatenate([chosen["heavy_discounter"], chosen["heavy_returner"]]))
    added = make_them_lose(rng, log, money, planted=planted_losers, acquired=acquired, horizon=horizon)

    _assign_refs(roster, comp)
    return Company(
        start=start, today=today, horizon=horizon, comp=comp, roster=roster, catalogue=catalogue,
        rates=rates, acquired=acquired, channel=channel, campaign_of=campaign_of,
        referred_by=referred_by, lam=lam, p=p, spend=spend, alive=~history.dropped_out,
        dropped_time=history.dropped_out_time, group=group, baskets=baskets, consents=consents,
        log=log, plan=plan, prospects=prospects, lead_day=lead_day, money=money,
        complaint_calls_added=added, extra={"process": process, "chosen": chosen, "experiments": experiments,
                                                   "planted_orders": planted_orders},
    )


def _planted_orders(rng: np.random.Generator, experiments: list[PlantedExperiment], *, shoppers: Shoppers,
                    catalogue: Catalogue, rates: dict[str, FloatArray], horizon: int) -> Baskets:
    """The planted experiments' purchases as completed orders (the planted response stays)."""
    who = np.concatenate([e.members[e.converted] for e in experiments] or [np.zeros(0, np.int64)])
    when = np.concatenate([e.added_time[e.converted] for e in experiments] or [np.zeros(0)])
    order = np.lexsort((when, who))
    extra = build_baskets(rng, purchase_customer=who[order].astype(np.int64), purchase_time=when[order],
                          shoppers=shoppers, catalogue=catalogue, rates=rates, horizon=horizon)
    extra.status[:] = "completed"
    return extra


def all_orders(company: Company) -> tuple[Baskets, IntArray]:
    """Every order to store — the company's and the planted experiments' — sorted by
    customer and time, and where each of ``company.baskets``' orders is among them."""
    planted = company.extra.get("planted_orders")
    if planted is None or not len(planted):
        return company.baskets, np.arange(len(company.baskets), dtype=np.int64)
    return merge_baskets(company.baskets, planted)


def _assign_refs(roster: Roster, comp: Composition) -> None:
    """C000001… in order of acquisition; P prospects, S suppliers, B partners, E internal."""
    prefix = {"customer": "C", "prospect": "P", "supplier": "S", "partner": "B", "internal": "E"}
    seen: dict[str, int] = {}
    roster.ref = []
    for role in roster.role:
        seen[role] = seen.get(role, 0) + 1
        roster.ref.append(f"{prefix[role]}{seen[role]:06d}")
