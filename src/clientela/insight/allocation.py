"""Acquisition against retention spending: Blattberg & Deighton's customer-equity test.

Source: R. C. Blattberg and J. Deighton, "Manage marketing by the customer
equity test", *Harvard Business Review* 74(4), July-August 1996, pp. 136-144.

Response curves (the paper's decision-calculus form)::

    a(A) = ca * (1 - exp(-ka * A))    acquisition rate per prospect, spend A per prospect
    r(R) = cr * (1 - exp(-kr * R))    retention rate per period, spend R per customer

``ca`` and ``cr`` are the ceilings no spending can beat; ``k`` says how fast
spending approaches them.  The paper calibrates each curve from two
managerial judgements -- the ceiling, and the rate reached at the current
spend -- which gives ``k = -ln(1 - rate / ceiling) / spend``
(:meth:`ResponseCurve.from_judgement`); :func:`fit_response_curve` fits the
curve to campaign history by least squares instead.

Customer equity per prospect (the paper's equation, margin ``m`` per period,
discount rate ``d`` per period)::

    CE = a*m - A + a*(m - R/r) * r' / (1 - r'),     r' = r / (1 + d)

The first period's margin from an acquired customer is not discounted; each
later period a retained customer brings ``m`` and costs ``R / r`` (``R`` is
spent on every customer, ``r`` of them stay).

Optimum.  Since ``(m - R/r) * r'/(1 - r') = (m*r - R) / (1 + d - r)``, the
equity separates as ``CE = a(A) * V(R) - A`` with
``V(R) = m + (m*r(R) - R) / (1 + d - r(R))``, so ``R*`` maximises ``V``
whatever ``A`` is, and then ``A*`` follows:

* ``dV/dR = 0``  <=>  ``r'(R) * (m*(1+d) - R) = 1 + d - r(R)``.  With
  ``x = exp(-kr*R)``, ``alpha = kr*m*(1+d) - 1`` and ``beta = (1+d-cr)/cr``
  this is ``x * (alpha + ln x) = beta``, solved by the Lambert W function
  (our derivation)::

      R* = (alpha - W0(beta * exp(alpha))) / kr        (0 when negative)

* ``dCE/dA = 0``  <=>  ``ca*ka*exp(-ka*A) * V(R*) = 1``::

      A* = ln(ca * ka * V(R*)) / ka                    (0 when ca*ka*V(R*) <= 1)

:func:`optimal_spend_numeric` maximises the same equity with
``scipy.optimize`` and the tests check one against the other.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.optimize import least_squares, minimize
from scipy.special import lambertw

from clientela.insight.cohorts import period_retention


@dataclass(frozen=True)
class ResponseCurve:
    """``rate(spend) = ceiling * (1 - exp(-k * spend))``.

    Attributes
    ----------
    ceiling : float in (0, 1]
    k : float > 0
        Responsiveness per unit of spend.
    rmse : float or None
        Root mean squared error of the fit, when fitted to history.
    """

    ceiling: float
    k: float
    rmse: float | None = None

    def __post_init__(self) -> None:
        if not 0.0 < self.ceiling <= 1.0:
            raise ValueError(f"ResponseCurve: ceiling {self.ceiling} not in (0, 1]")
        if not (self.k > 0.0 and math.isfinite(self.k)):
            raise ValueError(f"ResponseCurve: k {self.k} must be positive and finite")

    def rate(self, spend: float) -> float:
        """Rate at ``spend`` (``-expm1`` keeps precision for small spend)."""
        return float(-self.ceiling * math.expm1(-self.k * spend))

    def slope(self, spend: float) -> float:
        """Derivative of the rate with respect to spend."""
        return float(self.ceiling * self.k * math.exp(-self.k * spend))

    @classmethod
    def from_judgement(cls, *, ceiling: float, rate: float, spend: float) -> ResponseCurve:
        """Calibrate from the ceiling and the rate reached at the current spend.

        ``k = -ln(1 - rate / ceiling) / spend`` (Blattberg & Deighton 1996).
        """
        if spend <= 0:
            raise ValueError("from_judgement: the current spend must be positive")
        if not 0.0 < rate < ceiling:
            raise ValueError("from_judgement: need 0 < rate < ceiling")
        return cls(ceiling=ceiling, k=-math.log1p(-rate / ceiling) / spend)


def fit_response_curve(spend: ArrayLike, rate: ArrayLike) -> ResponseCurve:
    """Least-squares fit of ``ceiling * (1 - exp(-k * spend))`` to campaign history.

    Parameters
    ----------
    spend : array-like
        Spend per prospect (or per customer) of each past campaign or period.
    rate : array-like
        The acquisition (or retention) rate observed with that spend, in [0, 1].

    Returns
    -------
    ResponseCurve
        With ``rmse`` set.  ``ceiling`` is bounded to (0, 1].
    """
    x = np.asarray(spend, dtype=np.float64).ravel()
    y = np.asarray(rate, dtype=np.float64).ravel()
    if x.size != y.size or x.size < 2:
        raise ValueError("fit_response_curve: need at least two (spend, rate) pairs of equal length")
    if not (np.isfinite(x).all() and np.isfinite(y).all()) or (x < 0).any() or (y < 0).any() or (y > 1).any():
        raise ValueError("fit_response_curve: spend must be >= 0 and rates in [0, 1]")
    if (x > 0).sum() < 1 or y.max() <= 0:
        raise ValueError("fit_response_curve: need a positive spend with a positive rate")

    # Start from the judgement formula at the median positive-spend point.
    ceiling0 = min(1.0, max(1.2 * float(y.max()), 1e-3))
    pos = x > 0
    x_mid = float(np.median(x[pos]))
    y_mid = float(np.clip(np.interp(x_mid, np.sort(x[pos]), y[pos][np.argsort(x[pos])]), 1e-6, 0.99 * ceiling0))
    k0 = -math.log1p(-y_mid / ceiling0) / x_mid

    def residuals(theta: np.ndarray) -> np.ndarray:
        ceiling, log_k = theta
        return np.asarray(-ceiling * np.expm1(-math.exp(log_k) * x) - y, dtype=np.float64)

    result = least_squares(
        residuals,
        x0=np.array([ceiling0, math.log(k0)]),
        bounds=([1e-9, -30.0], [1.0, 30.0]),
    )
    ceiling, log_k = (float(v) for v in result.x)
    rmse = float(np.sqrt(np.mean(residuals(result.x) ** 2)))
    return ResponseCurve(ceiling=ceiling, k=math.exp(log_k), rmse=rmse)


def equity_from_rates(
    *, acquisition_rate: float, retention_rate: float, acquisition_spend: float,
    retention_spend: float, margin: float, discount: float,
) -> float:
    """Customer equity per prospect from the rates themselves (the paper's formula).

    ``CE = a*m - A + a*(m - R/r) * r'/(1 - r')`` with ``r' = r/(1+d)``;
    with ``r = 0`` the retention term is 0 (nobody is retained, nothing is spent
    on them beyond the first period).
    """
    a, r, m, d = acquisition_rate, retention_rate, margin, discount
    if d <= -1 or not 0 <= r < 1 + d:
        raise ValueError("equity_from_rates: need d > -1 and 0 <= r < 1 + d")
    future = 0.0 if r == 0 else (m * r - retention_spend) / (1.0 + d - r)
    return float(a * m - acquisition_spend + a * future)


def customer_equity(
    acquisition_spend: float,
    retention_spend: float,
    *,
    acquisition: ResponseCurve,
    retention: ResponseCurve,
    margin: float,
    discount: float,
) -> float:
    """Customer equity per prospect at spends ``A`` and ``R`` (see module formula)."""
    return equity_from_rates(
        acquisition_rate=acquisition.rate(acquisition_spend),
        retention_rate=retention.rate(retention_spend),
        acquisition_spend=acquisition_spend,
        retention_spend=retention_spend,
        margin=margin,
        discount=discount,
    )


@dataclass(frozen=True)
class Spend:
    """A spending point and what it buys."""

    acquisition_spend: float
    retention_spend: float
    acquisition_rate: float
    retention_rate: float
    equity_per_prospect: float


def _spend(A: float, R: float, acquisition: ResponseCurve, retention: ResponseCurve, m: float, d: float) -> Spend:
    return Spend(
        acquisition_spend=A,
        retention_spend=R,
        acquisition_rate=acquisition.rate(A),
        retention_rate=retention.rate(R),
        equity_per_prospect=customer_equity(A, R, acquisition=acquisition, retention=retention, margin=m, discount=d),
    )


def _lambert_w0(log_z: float) -> float:
    """Principal-branch W(z) for z = exp(log_z) > 0, safe when z overflows a float."""
    if log_z < 700.0:
        return float(lambertw(math.exp(log_z)).real)
    w = log_z - math.log(log_z)  # asymptotic start; Newton on w + ln w = log_z
    for _ in range(50):
        step = (w + math.log(w) - log_z) / (1.0 + 1.0 / w)
        w -= step
        if abs(step) < 1e-14 * w:
            break
    return w


def _check(margin: float, discount: float) -> None:
    if margin <= 0 or not math.isfinite(margin):
        raise ValueError("margin per period must be positive")
    if not 0 <= discount < 10:
        raise ValueError("discount rate per period must be in [0, 10)")


def optimal_spend(
    acquisition: ResponseCurve, retention: ResponseCurve, *, margin: float, discount: float
) -> Spend:
    """Spends per prospect and per customer that maximise customer equity (closed form).

    ``R*`` by the Lambert-W solution and ``A*`` by its first-order condition
    (module docstring).  Parameters as :func:`customer_equity`.
    """
    _check(margin, discount)
    m, d = margin, discount
    alpha = retention.k * m * (1.0 + d) - 1.0
    beta = (1.0 + d - retention.ceiling) / retention.ceiling
    if beta > 0:
        r_star = max(0.0, (alpha - _lambert_w0(math.log(beta) + alpha)) / retention.k)
    else:  # ceiling 1 and d = 0: the retention term grows without bound as r -> 1
        raise ValueError("optimal_spend: retention ceiling 1 with zero discount has no finite optimum")
    rate = retention.rate(r_star)
    value = m + ((m * rate - r_star) / (1.0 + d - rate) if rate > 0 else 0.0)
    gain = acquisition.ceiling * acquisition.k * value
    a_star = math.log(gain) / acquisition.k if gain > 1.0 else 0.0
    return _spend(a_star, r_star, acquisition, retention, m, d)


def optimal_spend_numeric(
    acquisition: ResponseCurve, retention: ResponseCurve, *, margin: float, discount: float
) -> Spend:
    """The same optimum found numerically (L-BFGS-B over ``A, R >= 0``), as a cross-check."""
    _check(margin, discount)
    scale_a = 1.0 / acquisition.k
    scale_r = 1.0 / retention.k

    def negative(z: np.ndarray) -> float:
        return -customer_equity(
            float(z[0]) * scale_a, float(z[1]) * scale_r,
            acquisition=acquisition, retention=retention, margin=margin, discount=discount,
        )

    best = None
    for start in ((1.0, 1.0), (3.0, 3.0), (0.1, 0.1)):
        result = minimize(negative, np.array(start), method="L-BFGS-B", bounds=[(0.0, 50.0), (0.0, 50.0)], options={"ftol": 1e-15, "gtol": 1e-12})
        if best is None or result.fun < best.fun:
            best = result
    if best is None:  # unreachable: the loop always runs
        raise RuntimeError("optimal_spend_numeric: no start point ran")
    return _spend(float(best.x[0]) * scale_a, float(best.x[1]) * scale_r, acquisition, retention, margin, discount)


@dataclass(frozen=True)
class AllocationPlan:
    """Today's spending against the optimum, with retention sensitivities.

    Attributes
    ----------
    current, optimal : Spend
    equity_uplift : float
        ``(optimal - current) / |current|`` equity per prospect (NaN if current is 0).
    retention_sensitivity : dict
        ``{points: relative change of equity}`` when the retention rate at the
        current spend is raised by ``points`` percentage points (spend held),
        e.g. ``{1: 0.031, 2: 0.064, 5: 0.17}``.
    prospects : float or None
        Number of prospects, when given; ``current_equity``/``optimal_equity``
        are then totals, else per prospect.
    """

    current: Spend
    optimal: Spend
    equity_uplift: float
    retention_sensitivity: dict[int, float] = field(default_factory=dict)
    prospects: float | None = None

    @property
    def current_equity(self) -> float:
        return self.current.equity_per_prospect * (self.prospects or 1.0)

    @property
    def optimal_equity(self) -> float:
        return self.optimal.equity_per_prospect * (self.prospects or 1.0)


def allocation_plan(
    acquisition: ResponseCurve,
    retention: ResponseCurve,
    *,
    margin: float,
    discount: float,
    current_acquisition_spend: float,
    current_retention_spend: float,
    sensitivity_points: Sequence[int] = (1, 2, 5),
    prospects: float | None = None,
) -> AllocationPlan:
    """Equity today and at the optimum, and what +1/+2/+5 retention points are worth.

    Parameters
    ----------
    acquisition, retention : ResponseCurve
        Calibrated by :meth:`ResponseCurve.from_judgement` or :func:`fit_response_curve`.
    margin : float
        Margin per customer per period (the period of the retention rate).
    discount : float
        Discount rate per period.
    current_acquisition_spend, current_retention_spend : float
        Today's spend per prospect and per customer per period.
    sensitivity_points : sequence of int
        Retention-rate increases in percentage points (capped just below
        ``1 + discount``).
    prospects : float, optional
        Scale per-prospect equity to totals.
    """
    _check(margin, discount)
    A, R = current_acquisition_spend, current_retention_spend
    current = _spend(A, R, acquisition, retention, margin, discount)
    optimal = optimal_spend(acquisition, retention, margin=margin, discount=discount)
    base = current.equity_per_prospect
    uplift = (optimal.equity_per_prospect - base) / abs(base) if base else math.nan
    sensitivity: dict[int, float] = {}
    for points in sensitivity_points:
        r = min(current.retention_rate + points / 100.0, 1.0 + discount - 1e-9)
        shifted = equity_from_rates(
            acquisition_rate=current.acquisition_rate, retention_rate=r,
            acquisition_spend=A, retention_spend=R, margin=margin, discount=discount,
        )
        sensitivity[points] = (shifted - base) / abs(base) if base else math.nan
    return AllocationPlan(current, optimal, uplift, sensitivity, prospects)


# --- calibration from a company's own history (the equity planner) -----------------------


@dataclass(frozen=True)
class AllocationInputs:
    """What the equity planner needs, measured on a company's history; budgets per year.

    The period of the response curves is a calendar quarter (the period of the
    retention rate). ``prospects`` are the year's new customers plus the prospects still
    open; ``customers`` the mean number of customers buying in a quarter. Spend per
    prospect is ``acquisition budget / prospects``; spend per customer per quarter is
    ``retention budget / 4 / customers``. The ceilings are the assumption that at most
    half of those not won (or not kept) today could be won (kept) by spending more; the
    curves pass through today's rates at today's spend (:meth:`ResponseCurve.from_judgement`).
    """

    margin: float  # gross margin per customer per quarter
    discount: float  # per quarter
    prospects: float
    customers: float
    acquisition_budget: float
    acquisition_rate: float
    acquisition_ceiling: float
    retention_budget: float
    retention_rate: float
    retention_ceiling: float
    periods_per_year: int = 4

    def acquisition_curve(self) -> ResponseCurve:
        return ResponseCurve.from_judgement(
            ceiling=self.acquisition_ceiling, rate=self.acquisition_rate,
            spend=self.acquisition_budget / self.prospects,
        )

    def retention_curve(self) -> ResponseCurve:
        return ResponseCurve.from_judgement(
            ceiling=self.retention_ceiling, rate=self.retention_rate,
            spend=self.retention_budget / self.periods_per_year / self.customers,
        )

    def spends(self, acquisition_budget: float, retention_budget: float) -> tuple[float, float]:
        """Yearly budgets → (spend per prospect, spend per customer per quarter)."""
        return (acquisition_budget / self.prospects,
                retention_budget / self.periods_per_year / self.customers)

    def budgets(self, spend: Spend) -> tuple[float, float]:
        """A spending point → (acquisition budget, retention budget) per year."""
        return (spend.acquisition_spend * self.prospects,
                spend.retention_spend * self.periods_per_year * self.customers)

    def equity(self, acquisition_budget: float, retention_budget: float) -> float:
        """Predicted customer equity of the year's prospects at these yearly budgets:
        :func:`customer_equity` per prospect times ``prospects``."""
        a, r = self.spends(acquisition_budget, retention_budget)
        per_prospect = customer_equity(
            a, r, acquisition=self.acquisition_curve(), retention=self.retention_curve(),
            margin=self.margin, discount=self.discount,
        )
        return per_prospect * self.prospects

    def plan(self) -> AllocationPlan:
        """:func:`allocation_plan` at today's budgets (totals over ``prospects``)."""
        a, r = self.spends(self.acquisition_budget, self.retention_budget)
        return allocation_plan(
            self.acquisition_curve(), self.retention_curve(), margin=self.margin,
            discount=self.discount, current_acquisition_spend=a, current_retention_spend=r,
            prospects=self.prospects,
        )


def _half_way_up(rate: float) -> float:
    return rate + (1.0 - rate) / 2.0


def allocation_inputs(
    orders: pd.DataFrame,
    campaigns: pd.DataFrame,
    *,
    open_prospects: int,
    as_of: pd.Timestamp,
    discount_annual: float,
) -> AllocationInputs:
    """Measure :class:`AllocationInputs` on the last four complete quarters and the last year.

    Parameters
    ----------
    orders : DataFrame
        Kept orders: ``party_id``, ``ordered_at`` (aware), ``amount``, ``cost``.
    campaigns : DataFrame
        ``kind`` (``acquisition`` / ``retention`` / …), ``starts_on`` (date), ``spend``.
    open_prospects : int
        Prospects that have not bought yet.
    as_of : Timestamp (aware)
    discount_annual : float
        Annual discount rate, turned into a quarterly one.

    Raises
    ------
    ValueError
        When a figure the curves need is missing: no complete quarters, no retention or
        acquisition spend in the last year, a rate of 0 or 1 (the message says which).
    """
    table = period_retention(orders[["party_id", "ordered_at", "amount"]], freq="Q", as_of=as_of)
    naive = as_of.tz_convert("UTC").tz_localize(None)
    complete = table[[p.end_time < naive for p in table.index]]
    previous = complete["active"].shift(1)
    last = complete.iloc[1:].tail(4)
    if last.empty:
        raise ValueError("needs at least two complete quarters of orders")
    retained, before = float(last["retained"].sum()), float(previous.loc[last.index].sum())
    retention_rate = retained / before if before else 0.0
    customers = float(last["active"].mean())
    first_q, last_q = last.index[0], last.index[-1]
    quarter = orders["ordered_at"].dt.tz_convert("UTC").dt.tz_localize(None).dt.to_period("Q")
    in_window = (quarter >= first_q) & (quarter <= last_q)
    gross = float((orders["amount"][in_window] - orders["cost"][in_window]).sum())
    margin = gross / float(last["active"].sum())

    year_ago = as_of - pd.Timedelta(days=365)
    first_order = orders.groupby("party_id")["ordered_at"].min()
    acquired = int(((first_order >= year_ago) & (first_order < as_of)).sum())
    prospects = float(acquired + max(0, open_prospects))
    starts = pd.to_datetime(campaigns["starts_on"])
    recent = campaigns[(starts >= year_ago.tz_convert("UTC").tz_localize(None)) & (starts < naive)]
    budget = recent.groupby("kind")["spend"].sum()
    acquisition_budget = float(budget.get("acquisition", 0.0))
    retention_budget = float(budget.get("retention", 0.0))
    acquisition_rate = acquired / prospects if prospects else 0.0

    problems = [
        name for name, ok in (
            ("margin per customer", margin > 0),
            ("acquisition spend in the last year", acquisition_budget > 0),
            ("retention spend in the last year", retention_budget > 0),
            ("acquisition rate strictly between 0 and 1", 0 < acquisition_rate < 1),
            ("retention rate strictly between 0 and 1", 0 < retention_rate < 1),
        ) if not ok
    ]
    if problems:
        raise ValueError("the planner needs " + ", ".join(problems))
    return AllocationInputs(
        margin=margin,
        discount=(1.0 + discount_annual) ** 0.25 - 1.0,
        prospects=prospects,
        customers=customers,
        acquisition_budget=acquisition_budget,
        acquisition_rate=acquisition_rate,
        acquisition_ceiling=_half_way_up(acquisition_rate),
        retention_budget=retention_budget,
        retention_rate=retention_rate,
        retention_ceiling=_half_way_up(retention_rate),
    )


CURVES = ("acquisition", "retention")


def _today(inputs: AllocationInputs, curve: str) -> tuple[float, float]:
    """(today's rate, today's spend per prospect or per customer a quarter) of ``curve``."""
    if curve == "acquisition":
        return inputs.acquisition_rate, inputs.acquisition_budget / inputs.prospects
    if curve == "retention":
        return inputs.retention_rate, inputs.retention_budget / inputs.periods_per_year / inputs.customers
    raise ValueError(f"curve: one of {', '.join(CURVES)}")


def _lift_at(ceiling: float, *, rate: float, spend: float, extra: float) -> float:
    return ResponseCurve.from_judgement(ceiling=ceiling, rate=rate, spend=spend).rate(spend + extra) - rate


def _lowest_ceiling(rate: float) -> float:
    return rate + max(1e-6, 1e-6 * (1 - rate))


def largest_lift(inputs: AllocationInputs, *, curve: str, extra_spend: float) -> float:
    """The largest lift a curve through today's point can show for ``extra_spend`` more (its
    ceiling at 1); the smallest is 0 (a ceiling at today's rate)."""
    rate, spend = _today(inputs, curve)
    return _lift_at(1.0, rate=rate, spend=spend, extra=extra_spend)


def with_measured_lift(inputs: AllocationInputs, *, curve: str, lift: float,
                       extra_spend: float) -> AllocationInputs:
    """The inputs with ``curve``'s ceiling taken from a measured lift instead of the
    half-way-up assumption.

    A randomized experiment measured that spending ``extra_spend`` more on a party (per
    prospect for acquisition, per customer in a quarter for retention) raised its chance of
    buying in the window by ``lift`` (crm/experiments: the treated minus control repurchase
    rate). The curve still passes through today's rate at today's spend; its ceiling is the
    one for which ``rate(s₀ + Δs) − rate(s₀)`` equals the lift (``scipy.optimize.brentq``;
    the lift grows with the ceiling, so the root is unique), clipped to ``(rate, 1]``: no
    lift leaves a curve that spending cannot raise, a lift beyond what a ceiling of 1 gives
    keeps 1.
    """
    from scipy.optimize import brentq

    rate, s0 = _today(inputs, curve)
    if extra_spend <= 0 or not math.isfinite(lift) or not math.isfinite(extra_spend):
        raise ValueError("with_measured_lift: needs a positive spend and a finite lift")
    lowest = _lowest_ceiling(rate)

    def gain(ceiling: float) -> float:
        return _lift_at(ceiling, rate=rate, spend=s0, extra=extra_spend) - lift

    if gain(lowest) >= 0:
        ceiling = lowest
    elif gain(1.0) <= 0:
        ceiling = 1.0
    else:
        ceiling = float(brentq(gain, lowest, 1.0, xtol=1e-10))
    return AllocationInputs(**{**inputs.__dict__, f"{curve}_ceiling": ceiling})


def with_measured_retention_lift(inputs: AllocationInputs, *, lift: float,
                                 spend_per_customer: float) -> AllocationInputs:
    """:func:`with_measured_lift` on the retention curve."""
    return with_measured_lift(inputs, curve="retention", lift=lift, extra_spend=spend_per_customer)


INFORMATIVE_SHARE = 0.5


def uninformative(inputs: AllocationInputs, *, curve: str, ci_low: float, ci_high: float,
                  extra_spend: float) -> float | None:
    """None when a measured interval pins ``curve`` down; else the share of the lifts the
    curve can take at ``extra_spend`` (0 to :func:`largest_lift`) that the interval leaves
    open (more than ``INFORMATIVE_SHARE``).

    At a given extra spend every curve through today's point is one ceiling, and the
    lift it shows rises from 0 (ceiling at today's rate) to the largest lift (ceiling 1).
    The experiment says which curves it is compatible with: those whose lift lies inside its
    95 % interval. When that interval covers more than half of the possible lifts, the
    measurement rules out less than the assumption does, so the assumption stays. An interval
    wholly outside the range is informative (the curve goes to the nearer end).
    """
    top = largest_lift(inputs, curve=curve, extra_spend=extra_spend)
    if top <= 0:
        return 1.0
    covered = max(0.0, min(ci_high, top) - max(ci_low, 0.0)) / top
    return covered if covered > INFORMATIVE_SHARE else None
