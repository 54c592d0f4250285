"""Planted experiments: three campaigns with randomized control groups and known effects.

Pure NumPy, no Django: ``company.simulate_company`` calls ``plant_experiments`` on the
simulated purchase history before the baskets are built (so the planted purchases become
ordinary orders), and ``experiments_writer`` stores the campaigns, experiments and groups.
The done-when tests of issue 15 run the same functions on fresh histories for many seeds.

The planted truth (kept in the demo facts, key ``experiments``):

* **Win-back** — members: customers whose last purchase was at least ``AT_RISK_DAYS``
  before the send. Being treated raises the chance of a purchase within the measurement
  window by **+8 percentage points among the high-value ones** (value tier ``top``) and by
  nothing among the rest.
* **Newsletter** — members: every customer with a purchase before the send; **no effect**.
* **Loyalty bonus** — members: customers with at least two purchases; **+10 points among
  supporters** (at least ``SUPPORTER_ORDERS`` purchases before the send), none otherwise.

An effect of ``e`` on a subgroup whose natural chance of buying in the window is ``b`` is
planted by giving each treated member of the subgroup who would not have bought a purchase
with probability ``e / (1 − b)`` (``b`` estimated on the subgroup's members of both groups
before anything is planted), so the chance of buying rises from ``b`` to ``b + e``.
Groups are drawn with ``insight.randomization`` (10 % control per value tier), like the
app draws them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from clientela.demo.behaviour import PurchaseHistory
from clientela.insight.randomization import CONTROL, TREATED, allocate

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
Reachable = Callable[[IntArray, float], NDArray[np.bool_]]

MEASURE_DAYS = 90
CONTROL_SHARE = 0.10
AT_RISK_DAYS = 120
SUPPORTER_ORDERS = 4
TIER_SHARES = {"top": 0.2, "middle": 0.5}  # as crm.engagement.segments (cumulative)
MARGIN_RATE = 0.35  # margin of a planted order, share of the customer's mean basket (simulation only)
EXPERIMENT_STREAM = 15  # the random stream of the planted experiments (issue 15)


@dataclass(frozen=True)
class Plan:
    key: str
    name: str
    kind: str
    channel: str
    days_before_end: int
    members: str  # "at_risk" | "buyers" | "repeat"
    effect: float
    affected: str  # "top" | "supporter" | "none"
    cost_per_member: float


PLANS = (
    Plan("newsletter", "Autumn newsletter", "retention", "email", 140, "buyers", 0.0, "none", 0.05),
    Plan("win_back", "Win-back: we miss you", "win_back", "email", 130, "at_risk", 0.08, "top", 0.40),
    Plan("loyalty_bonus", "Loyalty bonus points", "retention", "email", 120, "repeat", 0.10, "supporter", 1.50),
)


@dataclass
class PlantedExperiment:
    plan: Plan
    day: float  # the send, days from the window's start
    seed: int
    members: IntArray  # customer indices
    stratum: NDArray[np.object_]  # value tier at the send
    group: NDArray[np.object_]  # "treated" | "control"
    affected: NDArray[np.bool_]  # in the subgroup the effect is planted on
    converted: NDArray[np.bool_]  # treated members given a planted purchase
    added_time: FloatArray  # their planted purchases' times (NaN for the others)
    natural_rate: float = 0.0  # the affected subgroup's chance of buying in the window unplanted
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def cost(self) -> float:
        return round(self.plan.cost_per_member * int((self.group == TREATED).sum()), 2)


def _before(history: PurchaseHistory, n: int, t0: float) -> tuple[IntArray, FloatArray]:
    """Each customer's number of purchases before ``t0`` and the time of the last one."""
    seen = history.time < t0
    counts = np.bincount(history.customer[seen], minlength=n).astype(np.int64)
    last = np.full(n, -np.inf)
    np.maximum.at(last, history.customer[seen], history.time[seen])
    return counts, last


def _bought_in(history: PurchaseHistory, n: int, t0: float, t1: float) -> NDArray[np.bool_]:
    inside = (history.time > t0) & (history.time <= t1)
    return np.bincount(history.customer[inside], minlength=n) > 0


def value_tiers(expected_value: FloatArray, known: NDArray[np.bool_]) -> NDArray[np.object_]:
    """Top 20 % / next 30 % / rest by expected value among the customers known at the time."""
    tiers = np.full(len(expected_value), "rest", dtype=object)
    ranked = np.argsort(-expected_value[known], kind="stable")
    idx = np.flatnonzero(known)[ranked]
    top = int(np.ceil(TIER_SHARES["top"] * len(idx)))
    middle = int(np.ceil(TIER_SHARES["middle"] * len(idx)))
    tiers[idx[:top]] = "top"
    tiers[idx[top:middle]] = "middle"
    return tiers


def plant_experiments(rng: np.random.Generator, *, history: PurchaseHistory, lam: FloatArray, spend: FloatArray,
                      horizon: int, reachable: Reachable | None = None,
                      ) -> tuple[list[PlantedExperiment], PurchaseHistory]:
    """The planted experiments and the history with their planted purchases added.

    ``reachable(customers, t0)`` is True for the customers a campaign may write to at
    ``t0`` (the demo: an active marketing consent by e-mail); everyone without it."""
    n = len(lam)
    planted: list[PlantedExperiment] = []
    for plan in PLANS:
        t0 = float(horizon - plan.days_before_end) + 10 / 24
        t1 = t0 + MEASURE_DAYS
        counts, last = _before(history, n, t0)
        known = counts > 0
        tiers = value_tiers(lam * spend, known)
        if plan.members == "at_risk":
            members = np.flatnonzero(known & (t0 - last >= AT_RISK_DAYS))
        elif plan.members == "repeat":
            members = np.flatnonzero(counts >= 2)
        else:
            members = np.flatnonzero(known)
        if reachable is not None:
            members = members[reachable(members, t0)]
        seed = int(rng.integers(2**62))
        group = np.full(len(members), TREATED, dtype=object)
        stratum = tiers[members]
        for tier in ("top", "middle", "rest"):
            rows = np.flatnonzero(stratum == tier)
            drawn = allocate(rows.tolist(), seed=seed, stratum=tier, share=CONTROL_SHARE)
            group[[r for r, g in drawn.items() if g == CONTROL]] = CONTROL
        if plan.affected == "top":
            affected = stratum == "top"
        elif plan.affected == "supporter":
            affected = counts[members] >= SUPPORTER_ORDERS
        else:
            affected = np.zeros(len(members), dtype=bool)
        natural = _bought_in(history, n, t0, t1)[members]
        base = float(natural[affected].mean()) if affected.any() else 0.0
        chance = min(1.0, plan.effect / (1 - base)) if plan.effect and base < 1 else 0.0
        draws = rng.random(len(members))
        converted = affected & (group == TREATED) & ~natural & (draws < chance)
        added = np.full(len(members), np.nan)
        added[converted] = t0 + rng.uniform(1.0, MEASURE_DAYS - 1.0, size=int(converted.sum()))
        planted.append(PlantedExperiment(plan=plan, day=t0, seed=seed, members=members.astype(np.int64),
                                         stratum=stratum, group=group, affected=affected, converted=converted,
                                         added_time=added, natural_rate=base))
        history = _with_purchases(history, members[converted], added[converted])
    return planted, history


def _with_purchases(history: PurchaseHistory, who: IntArray, when: FloatArray) -> PurchaseHistory:
    """The history with purchases added; a customer who had dropped out is won back."""
    dropped, dropped_time = history.dropped_out.copy(), history.dropped_out_time.copy()
    revived = who[dropped[who] & (dropped_time[who] < when)]
    dropped[revived] = False
    dropped_time[revived] = np.nan
    customer = np.concatenate([history.customer, who.astype(np.int64)])
    time = np.concatenate([history.time, when])
    order = np.lexsort((time, customer))
    return PurchaseHistory(customer[order], time[order], dropped, dropped_time)


def member_outcomes(experiment: PlantedExperiment, *, history: PurchaseHistory, lam: FloatArray,
                    spend: FloatArray, planted: bool = True) -> dict[str, FloatArray]:
    """Per member: repurchase in the window, margin in it and a CLV at its end, from the
    history with (``planted``) or without this experiment's planted purchases.

    Simulation-only money (the app reads orders and scores instead): each purchase earns
    ``MARGIN_RATE × spend``; the CLV at the window's end is a year of purchases at the
    customer's rate, halved for one who did not buy in the window (likelier gone).
    """
    n = len(lam)
    t0, t1 = experiment.day, experiment.day + MEASURE_DAYS
    if not planted:
        keep = np.ones(len(history.time), dtype=bool)
        for who, when in zip(experiment.members[experiment.converted].tolist(),
                             experiment.added_time[experiment.converted].tolist(), strict=True):
            hit = np.flatnonzero((history.customer == who) & (history.time == when))
            keep[hit[:1]] = False
        history = PurchaseHistory(history.customer[keep], history.time[keep], history.dropped_out,
                                  history.dropped_out_time)
    inside = (history.time > t0) & (history.time <= t1)
    count = np.bincount(history.customer[inside], minlength=n)[experiment.members].astype(float)
    m = experiment.members
    bought = (count > 0).astype(float)
    margin = count * MARGIN_RATE * spend[m]
    clv = 365 * lam[m] * MARGIN_RATE * spend[m] * np.where(bought > 0, 1.0, 0.5)
    return {"repurchase": bought, "margin": margin, "clv": clv}


def truth(experiments: list[PlantedExperiment]) -> list[dict[str, object]]:
    """The planted effects, for the demo facts."""
    return [{
        "name": e.plan.name, "key": e.plan.key, "kind": "campaign", "repurchase_effect": e.plan.effect,
        "affected": e.plan.affected, "members": len(e.members), "affected_members": int(e.affected.sum()),
        "control": int((e.group == CONTROL).sum()), "planted_purchases": int(e.converted.sum()),
        "natural_rate": round(e.natural_rate, 4), "measure_days": MEASURE_DAYS,
    } for e in experiments]
