"""Treated versus control: differences with 95 % confidence intervals, and a power note.

The estimand is the average effect of being *assigned* to treatment (intention to treat):
members of the treated group who were not reached (no consent, a bounced mail) stay in it,
so randomization alone makes the comparison fair (Gerber & Green 2012, *Field
Experiments*, ch. 2 and 5; Kohavi, Tang & Xu 2020, *Trustworthy Online Controlled
Experiments*, ch. 17).

* Each metric is a per-customer outcome; its effect is the difference of the two groups'
  means with Welch's interval (Welch 1947, "The generalization of Student's problem when
  several different population variances are involved", Biometrika 34), computed by
  ``scipy.stats.ttest_ind(equal_var=False).confidence_interval``.
* For the 0/1 outcome (repurchase) the interval is Newcombe's hybrid score interval for a
  difference of proportions (Newcombe 1998, "Interval estimation for the difference between
  independent proportions: comparison of eleven methods", Statistics in Medicine 17,
  873–890, method 10), built from each group's Wilson score interval (Wilson 1927, JASA
  22). Unlike the unpooled-variance interval it keeps its coverage for small groups and
  for rates near 0 or 1 — a tier with four control customers none of whom bought again
  does not get a falsely narrow interval (tests/insight/test_experiment_intervals.py).
* The minimum detectable effect at 80 % power and 5 % two-sided significance is
  ``(z₀.₉₇₅ + z₀.₈) · SE`` with ``SE`` the standard error of the difference (Cohen 1988,
  *Statistical Power Analysis*, ch. 2; Kohavi et al. 2020, ch. 17), quantiles from
  ``scipy.stats.norm``.
* Incremental customer equity is the treated group's size times the difference in *value
  created* per customer — the margin realised in the window plus the customer's CLV at its
  end. Randomization makes the groups' CLV at assignment equal in expectation, so the
  difference of the end values estimates the difference of the changes (Blattberg, Getz &
  Thomas 2001, *Customer Equity*, ch. 2, for equity as the sum of customer values).

No Django here: ``crm.experiments.outcomes`` reads the record and calls ``report``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

LEVEL = 0.95
POWER = 0.80
MIN_PER_GROUP = 30  # below this (in either group) the report says "not enough data yet"
METRICS = ("repurchase", "revenue", "margin", "retention", "clv", "equity")


@dataclass
class Effect:
    """One metric: the groups' means, the difference with its interval, and the MDE."""

    metric: str
    treated: int
    control: int
    treated_mean: float
    control_mean: float
    difference: float
    ci_low: float
    ci_high: float
    mde: float

    def covers(self, value: float) -> bool:
        return self.ci_low <= value <= self.ci_high


BINARY = frozenset({"repurchase"})  # 0/1 outcomes: Newcombe's interval


def wilson(successes: int, n: int, *, level: float = LEVEL) -> tuple[float, float]:
    """Wilson's score interval for a proportion ``successes / n`` (``n`` > 0)."""
    z = NormalDist().inv_cdf(1 - (1 - level) / 2)
    p = successes / n
    centre, spread, scale = 2 * n * p + z * z, z * math.sqrt(z * z + 4 * n * p * (1 - p)), 2 * (n + z * z)
    return max(0.0, (centre - spread) / scale), min(1.0, (centre + spread) / scale)


def newcombe(x1: int, n1: int, x2: int, n2: int, *, level: float = LEVEL) -> tuple[float, float]:
    """Newcombe's hybrid score interval (method 10) for ``x1/n1 - x2/n2``."""
    p1, p2 = x1 / n1, x2 / n2
    (l1, u1), (l2, u2) = wilson(x1, n1, level=level), wilson(x2, n2, level=level)
    difference = p1 - p2
    return (difference - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
            difference + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))


def compare(metric: str, treated: ArrayLike, control: ArrayLike, *, level: float = LEVEL,
            power: float = POWER) -> Effect | None:
    """The effect on one metric; None when either group has fewer than two values."""
    from scipy import stats

    t = np.asarray(treated, dtype=float)
    c = np.asarray(control, dtype=float)
    t, c = t[np.isfinite(t)], c[np.isfinite(c)]
    if len(t) < 2 or len(c) < 2:
        return None
    difference = float(t.mean() - c.mean())
    se = math.sqrt(t.var(ddof=1) / len(t) + c.var(ddof=1) / len(c))
    if metric in BINARY:
        if not (np.isin(t, (0.0, 1.0)).all() and np.isin(c, (0.0, 1.0)).all()):
            raise ValueError(f"{metric}: a 0/1 outcome holds other values")
        low, high = newcombe(int(t.sum()), len(t), int(c.sum()), len(c), level=level)
    elif se == 0:  # no variation in either group: the difference is exact
        low = high = difference
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a constant group: Welch still holds
            interval = stats.ttest_ind(t, c, equal_var=False).confidence_interval(level)
        low, high = float(interval.low), float(interval.high)
    z = stats.norm.ppf(1 - (1 - level) / 2) + stats.norm.ppf(power)
    return Effect(metric=metric, treated=len(t), control=len(c), treated_mean=float(t.mean()),
                  control_mean=float(c.mean()), difference=difference, ci_low=low, ci_high=high,
                  mde=float(z * se))


@dataclass
class Report:
    """The outcome report of one experiment (figures in the base currency)."""

    treated: int
    control: int
    effects: dict[str, Effect] = field(default_factory=dict)
    cost: float = 0.0
    incremental_margin: float | None = None
    incremental_profit: float | None = None
    roi: float | None = None
    incremental_equity: Effect | None = None
    enough_data: bool = False

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["effects"] = {k: asdict(v) for k, v in self.effects.items()}
        return out


def report(treated: Mapping[str, ArrayLike], control: Mapping[str, ArrayLike], *, cost: float = 0.0,
           level: float = LEVEL) -> Report:
    """The report from per-customer outcomes of each group.

    ``treated`` and ``control`` map metric names (``METRICS`` but ``equity``; any may be
    missing) to one value per customer. ``value`` per customer for equity is ``margin +
    clv``; missing CLV leaves equity out. ``cost`` is what the campaign or playbook spent.
    """
    n_t = len(np.asarray(treated.get("repurchase", [])))
    n_c = len(np.asarray(control.get("repurchase", [])))
    out = Report(treated=n_t, control=n_c, cost=float(cost),
                 enough_data=min(n_t, n_c) >= MIN_PER_GROUP)
    for metric in METRICS[:-1]:
        if metric in treated and metric in control:
            effect = compare(metric, treated[metric], control[metric], level=level)
            if effect is not None:
                out.effects[metric] = effect
    if all(k in treated and k in control for k in ("margin", "clv")):
        value_t = np.asarray(treated["margin"], float) + np.asarray(treated["clv"], float)
        value_c = np.asarray(control["margin"], float) + np.asarray(control["clv"], float)
        per_customer = compare("equity", value_t, value_c, level=level)
        if per_customer is not None:
            out.effects["equity"] = per_customer
            out.incremental_equity = Effect(
                metric="incremental_equity", treated=per_customer.treated, control=per_customer.control,
                treated_mean=per_customer.treated_mean, control_mean=per_customer.control_mean,
                difference=n_t * per_customer.difference, ci_low=n_t * per_customer.ci_low,
                ci_high=n_t * per_customer.ci_high, mde=n_t * per_customer.mde,
            )
    margin = out.effects.get("margin")
    if margin is not None:
        out.incremental_margin = n_t * margin.difference
        out.incremental_profit = out.incremental_margin - out.cost
        out.roi = out.incremental_profit / out.cost if out.cost > 0 else None
    return out
