"""Intervals for P(alive), expected purchases, CLV and customer equity.

The fitted parameters are estimates: the predictions built from them inherit
their sampling error.  This module carries the asymptotic normal distribution
of the maximum-likelihood estimates -- ``log theta ~ N(log theta_hat, S)``,
``S`` the inverse observed information on the log-parameter scale the models
are fitted on (``BaseModel.covariance_``) -- into every prediction.

Two methods give the interval at ``level`` (default 90 %):

``"delta"`` (default)
    The delta method (e.g. Casella & Berger, *Statistical Inference*, 2nd ed.,
    section 5.5.4): ``Var g(theta_hat) ~ J S J'`` with ``J`` the Jacobian of
    the prediction in the log-parameters, taken by forward differences.  Each
    prediction is transformed first to a scale on which it is closer to normal
    and unbounded -- ``logit`` for P(alive), ``log`` for expected purchases,
    CLV and (when positive) customer equity -- and the interval
    ``g +/- z sd`` is transformed back, so it stays inside ``[0, 1]`` or above
    zero and is asymmetric like the quantity.  Cost: ``k`` extra prediction
    passes for a model with ``k`` parameters (4 for BG/NBD, plus 3 cheap
    ones for Gamma-Gamma), whatever the number of customers -- which is why
    scoring uses it.
``"bootstrap"``
    A parametric bootstrap: ``draws`` parameter vectors drawn from the same
    normal distribution, every prediction recomputed for each, and the
    interval read from the percentiles.  It needs no linearisation but costs
    ``draws`` passes and holds a ``(draws, customers)`` array per figure.

The purchases and spend models are fitted separately (Fader, Hardie & Lee
2005, "RFM and CLV", JMR 42(4): spend independent of the transaction
process), so their parameter errors are taken as independent.  Customer
equity is ``sum_i CLV_i`` plus the future cohorts of
:func:`clientela.value.clv.customer_equity`; the acquisitions and costs are
inputs, not estimates, and carry no error here.

Predictions depend on a customer's summary columns only, so everything is
computed once per distinct history and mapped back.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.special import expit, logit, ndtri

from clientela.value.blas_threads import single_threaded_blas
from clientela.value.clv import (
    PurchasesModel,
    Spend,
    _check_horizon,
    _discount_factors,
    _per_cohort,
    _spend_per_customer,
    discounted_expected_purchases,
    new_customer_value,
)
from clientela.value.models.base import row_groups

FloatArray = NDArray[np.float64]
Method = Literal["delta", "bootstrap"]

# Step of the forward differences, in log-parameters: the predictions are
# smooth and computed to ~1e-13 relative, so the truncation error (~h, a
# relative 1e-4 on a standard deviation) and the rounding error (~1e-13 / h)
# are both far below anything an interval shows; forward rather than central
# differences halve the prediction passes (k + 1 instead of 2k + 1).
_STEP = 1e-4
# P(alive) this close to 0 or 1 is taken as certain (logit undefined).
_CERTAIN = 1e-12


class IntervalsUnavailable(ValueError):
    """A model's parameters have no usable covariance (singular information)."""


@dataclass(frozen=True)
class ValueIntervals:
    """Per-customer and company-wide intervals (see the module docstring).

    Attributes
    ----------
    customers : pandas.DataFrame
        Indexed like the summary: ``p_alive``, ``p_alive_low``,
        ``p_alive_high``, ``expected_purchases`` (over the horizon),
        ``expected_purchases_low``, ``expected_purchases_high``, ``clv``,
        ``clv_low``, ``clv_high``.
    equity, equity_low, equity_high : float
        Customer equity (current customers plus future cohorts) and its interval.
    current, current_low, current_high : float
        The current customers' part (sum of CLV) and its interval.
    level : float
        Coverage the intervals aim at.
    method : str
        ``"delta"`` or ``"bootstrap"``.
    """

    customers: pd.DataFrame
    equity: float
    equity_low: float
    equity_high: float
    current: float
    current_low: float
    current_high: float
    level: float
    method: str


@dataclass
class _Figures:
    """Predictions for one set of parameters: the purchases model's per distinct
    purchase history (``_Setting.rows``), the spend per customer."""

    p_alive: FloatArray
    purchases: FloatArray
    discounted: FloatArray
    spend: FloatArray
    future: float


def log_covariance(model: Any) -> FloatArray:
    """Covariance of a fitted model's log-parameters, ``S = D^-1 C D^-1``.

    Raises
    ------
    IntervalsUnavailable
        When the model has no finite covariance (fitted on a boundary, or
        loaded from a file written without one).
    """
    covariance = getattr(model, "covariance_", None)
    names = tuple(model.param_names)
    params = np.array([model.params_[n] for n in names], dtype=np.float64)
    if covariance is None or not np.all(np.isfinite(covariance)):
        raise IntervalsUnavailable(
            f"{type(model).__name__} has no finite parameter covariance "
            "(singular information matrix): no intervals"
        )
    return np.asarray(covariance / np.outer(params, params), dtype=np.float64)


def _with_log_params(model: Any, log_params: FloatArray) -> Any:
    clone = copy.copy(model)
    clone.params_ = {
        n: float(v) for n, v in zip(model.param_names, np.exp(log_params), strict=True)
    }
    return clone


def _log_params(model: Any) -> FloatArray:
    return np.log(np.array([model.params_[n] for n in model.param_names], dtype=np.float64))


class _Setting:
    """Everything fixed across parameter sets: the distinct rows, horizon, cohorts."""

    def __init__(
        self,
        purchases_model: PurchasesModel,
        summary: pd.DataFrame,
        *,
        horizon: int,
        discount_rate: float,
        margin: float,
        new_customers: float | Sequence[float],
        acquisition_cost: float | Sequence[float],
        n_cohorts: int | None,
        count_first_purchase: bool,
    ) -> None:
        _check_horizon(horizon, discount_rate)
        if not math.isfinite(margin):
            raise ValueError("margin must be finite")
        # The purchases model's predictions depend on its own columns only: they are made
        # once per distinct history of those (a few per cent of the rows in a weekly
        # summary); spend, one division per customer, is computed for every customer.
        # Columns missing or not finite numbers: every row as it is, so that the model
        # raises its own error naming the column and row.
        self.rows = summary
        self.groups: NDArray[np.intp] = np.arange(len(summary), dtype=np.intp)
        columns = list(getattr(purchases_model, "required_columns", ()))
        if columns and len(summary) and all(c in summary.columns for c in columns):
            try:
                arrays = {c: summary[c].to_numpy(dtype=np.float64) for c in columns}
            except (TypeError, ValueError):
                arrays = {}
            if arrays and all(np.isfinite(v).all() for v in arrays.values()):
                self.groups, first = row_groups(arrays, columns)
                self.rows = summary.iloc[first]
        self.horizon = horizon
        self.discount_rate = discount_rate
        self.margin = margin
        count = horizon if n_cohorts is None else int(n_cohorts)
        if np.ndim(new_customers) != 0:
            count = len(np.atleast_1d(np.asarray(new_customers)))
        self.new_customers = _per_cohort(new_customers, count, "new_customers")
        self.cost = _per_cohort(acquisition_cost, count, "acquisition_cost")
        self.factors = _discount_factors(count, discount_rate) if count else np.zeros(0)
        self.count_first_purchase = count_first_purchase
        self.summary = summary

    def purchases(self, model: Any) -> tuple[FloatArray, FloatArray, FloatArray]:
        p_alive = np.asarray(model.p_alive(self.rows), dtype=np.float64)
        purchases, discounted = discounted_expected_purchases(
            model, self.rows, horizon=self.horizon, discount_rate=self.discount_rate,
            distinct=False,
        )
        return p_alive, purchases.to_numpy(), discounted.to_numpy()

    def spend(self, spend_model: Spend) -> FloatArray:
        return _spend_per_customer(spend_model, self.summary).to_numpy(dtype=np.float64)

    def future(self, purchases_model: Any, spend_model: Spend) -> float:
        if not np.any(self.new_customers):
            return 0.0
        if isinstance(spend_model, int | float):
            mean_spend = float(spend_model)
        else:
            mean_spend = float(spend_model.mean_spend())  # type: ignore[attr-defined]
        value = new_customer_value(
            purchases_model, mean_spend, horizon=self.horizon,
            discount_rate=self.discount_rate, margin=self.margin,
            count_first_purchase=self.count_first_purchase,
        )
        return float(np.sum(self.new_customers * self.factors * (value - self.cost)))

    def figures(self, purchases_model: Any, spend_model: Spend) -> _Figures:
        p_alive, purchases, discounted = self.purchases(purchases_model)
        return _Figures(p_alive, purchases, discounted, self.spend(spend_model),
                        self.future(purchases_model, spend_model))

    def current(self, figures: _Figures) -> float:
        spend_per_row = np.bincount(self.groups, weights=figures.spend, minlength=len(self.rows))
        return float(self.margin * np.dot(spend_per_row, figures.discounted))


def value_intervals(
    purchases_model: PurchasesModel,
    spend_model: Spend,
    summary: pd.DataFrame,
    *,
    horizon: int,
    discount_rate: float,
    new_customers: float | Sequence[float] = 0.0,
    acquisition_cost: float | Sequence[float] = 0.0,
    n_cohorts: int | None = None,
    margin: float = 1.0,
    count_first_purchase: bool = True,
    level: float = 0.9,
    method: Method = "delta",
    draws: int = 200,
    rng: np.random.Generator | None = None,
) -> ValueIntervals:
    """Intervals for each customer's P(alive), expected purchases and CLV, and for equity.

    Parameters
    ----------
    purchases_model, spend_model, summary, horizon, discount_rate, margin
        As for :func:`clientela.value.clv.customer_lifetime_value`; both models
        fitted (a fixed spend per purchase carries no error).
    new_customers, acquisition_cost, n_cohorts, count_first_purchase
        The future cohorts, as for :func:`clientela.value.clv.customer_equity`
        (default: none, so equity is the current customers' CLV).
    level : float, default 0.9
        Coverage of each interval (two-sided, equal tails).
    method : {"delta", "bootstrap"}, default "delta"
        See the module docstring.
    draws : int, default 200
        Parameter draws of the bootstrap (ignored by the delta method).
    rng : numpy.random.Generator, optional
        Source of the bootstrap draws (seed it for reproducible intervals).

    Returns
    -------
    ValueIntervals

    Raises
    ------
    IntervalsUnavailable
        When a fitted model has no finite parameter covariance.
    ValueError
        For a level outside (0, 1), an unknown method or bad horizon/discount.
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1; got {level!r}")
    if method not in ("delta", "bootstrap"):
        raise ValueError(f"method must be 'delta' or 'bootstrap'; got {method!r}")
    setting = _Setting(
        purchases_model, summary, horizon=horizon, discount_rate=discount_rate,
        margin=margin, new_customers=new_customers, acquisition_cost=acquisition_cost,
        n_cohorts=n_cohorts, count_first_purchase=count_first_purchase,
    )
    with single_threaded_blas():
        if method == "delta":
            return _delta(purchases_model, spend_model, summary, setting, level)
        if int(draws) < 2:
            raise ValueError(f"draws must be at least 2; got {draws!r}")
        return _bootstrap(purchases_model, spend_model, summary, setting, level, int(draws),
                          rng or np.random.default_rng())


def _log_or_nan(values: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(values > 0, np.log(np.where(values > 0, values, 1.0)), np.nan)


def _logit_or_nan(values: FloatArray) -> FloatArray:
    inside = (values > _CERTAIN) & (values < 1.0 - _CERTAIN)
    return np.where(inside, logit(np.where(inside, values, 0.5)), np.nan)


def _variance(jacobian: FloatArray, covariance: FloatArray) -> FloatArray:
    """Row-wise ``J_i S J_i'`` for a ``(rows, k)`` Jacobian."""
    return np.asarray(np.einsum("ij,jk,ik->i", jacobian, covariance, jacobian), dtype=np.float64)


def _delta(
    purchases_model: Any, spend_model: Spend, summary: pd.DataFrame, setting: _Setting,
    level: float,
) -> ValueIntervals:
    z = float(ndtri(0.5 + level / 2.0))
    base = setting.figures(purchases_model, spend_model)
    base_current = setting.current(base)
    base_equity = base_current + base.future
    n = len(setting.rows)

    # Purchases-model parameters: logit P(alive), log purchases, log discounted
    # purchases per row; current and total equity.
    theta = _log_params(purchases_model)
    cov_p = log_covariance(purchases_model)
    k = len(theta)
    jac = {name: np.zeros((n, k)) for name in ("alive", "purchases", "discounted")}
    jac_current_p = np.zeros(k)
    jac_equity_p = np.zeros(k)
    base_alive, base_purchases = _logit_or_nan(base.p_alive), _log_or_nan(base.purchases)
    base_discounted = _log_or_nan(base.discounted)
    for j in range(k):
        step = theta.copy()
        step[j] += _STEP
        model = _with_log_params(purchases_model, step)
        alive, purchases, discounted = setting.purchases(model)
        current = setting.current(_Figures(alive, purchases, discounted, base.spend, 0.0))
        equity = current + setting.future(model, spend_model)
        with np.errstate(invalid="ignore"):
            jac["alive"][:, j] = (_logit_or_nan(alive) - base_alive) / _STEP
            jac["purchases"][:, j] = (_log_or_nan(purchases) - base_purchases) / _STEP
            jac["discounted"][:, j] = (_log_or_nan(discounted) - base_discounted) / _STEP
        jac_current_p[j] = (current - base_current) / _STEP
        jac_equity_p[j] = (equity - base_equity) / _STEP

    groups = setting.groups
    var_alive = _variance(jac["alive"], cov_p)[groups]
    var_purchases = _variance(jac["purchases"], cov_p)[groups]
    var_log_clv = _variance(jac["discounted"], cov_p)[groups]
    var_current = float(jac_current_p @ cov_p @ jac_current_p)
    var_equity = float(jac_equity_p @ cov_p @ jac_equity_p)

    if not isinstance(spend_model, int | float):
        phi = _log_params(spend_model)
        cov_s = log_covariance(spend_model)
        m = len(phi)
        jac_spend = np.zeros((len(base.spend), m))
        jac_current_s = np.zeros(m)
        jac_equity_s = np.zeros(m)
        base_spend = _log_or_nan(base.spend)
        for j in range(m):
            step = phi.copy()
            step[j] += _STEP
            model_s = _with_log_params(spend_model, step)
            spend = setting.spend(model_s)
            current = setting.current(_Figures(base.p_alive, base.purchases, base.discounted, spend, 0.0))
            equity = current + setting.future(purchases_model, model_s)
            with np.errstate(invalid="ignore"):
                jac_spend[:, j] = (_log_or_nan(spend) - base_spend) / _STEP
            jac_current_s[j] = (current - base_current) / _STEP
            jac_equity_s[j] = (equity - base_equity) / _STEP
        var_log_clv = var_log_clv + _variance(jac_spend, cov_s)
        var_current += float(jac_current_s @ cov_s @ jac_current_s)
        var_equity += float(jac_equity_s @ cov_s @ jac_equity_s)

    def back(values: FloatArray, transformed: FloatArray, variance: FloatArray, inverse: Any,
             ) -> tuple[FloatArray, FloatArray]:
        """Interval on the transformed scale, mapped back; a point where undefined."""
        sd = np.sqrt(np.maximum(variance, 0.0))
        ok = np.isfinite(transformed) & np.isfinite(sd)
        low = np.where(ok, inverse(np.where(ok, transformed - z * sd, 0.0)), values)
        high = np.where(ok, inverse(np.where(ok, transformed + z * sd, 0.0)), values)
        return low, high

    alive_c, purchases_c = base.p_alive[groups], base.purchases[groups]
    clv = setting.margin * base.spend * base.discounted[groups]
    alive_low, alive_high = back(alive_c, _logit_or_nan(alive_c), var_alive, expit)
    purchases_low, purchases_high = back(purchases_c, _log_or_nan(purchases_c), var_purchases, np.exp)
    customers = len(groups)
    ratio_low, ratio_high = back(np.ones(customers), np.zeros(customers), var_log_clv, np.exp)
    rows = _table(
        (alive_c, alive_low, alive_high), (purchases_c, purchases_low, purchases_high),
        (clv, clv * ratio_low, clv * ratio_high),
    )
    current_low, current_high = _scalar_interval(base_current, var_current, z)
    equity_low, equity_high = _scalar_interval(base_equity, var_equity, z)
    return ValueIntervals(
        customers=_per_customer(rows, setting, summary),
        equity=base_equity, equity_low=equity_low, equity_high=equity_high,
        current=base_current, current_low=current_low, current_high=current_high,
        level=level, method="delta",
    )


Triple = tuple[FloatArray, FloatArray, FloatArray]


def _table(alive: Triple, purchases: Triple, clv: Triple) -> pd.DataFrame:
    """The per-customer table: each figure, then its interval's low and high end."""
    columns: dict[str, FloatArray] = {}
    for name, (value, low, high) in (("p_alive", alive), ("expected_purchases", purchases), ("clv", clv)):
        columns.update({name: value, f"{name}_low": low, f"{name}_high": high})
    return pd.DataFrame(columns)


def _scalar_interval(value: float, variance: float, z: float) -> tuple[float, float]:
    """On the log scale for a positive value (it stays positive), else on its own."""
    if not math.isfinite(variance) or variance < 0:
        return math.nan, math.nan
    if value > 0:
        sd = math.sqrt(variance) / value
        return value * math.exp(-z * sd), value * math.exp(z * sd)
    sd = math.sqrt(variance)
    return value - z * sd, value + z * sd


def _per_customer(rows: pd.DataFrame, setting: _Setting, summary: pd.DataFrame) -> pd.DataFrame:
    rows.index = summary.index
    return rows


def _draw(theta: FloatArray, covariance: FloatArray, count: int,
          rng: np.random.Generator) -> FloatArray:
    """``count`` draws of ``N(theta, covariance)`` (symmetric square root: tolerant of
    a covariance that is positive semi-definite up to rounding)."""
    values, vectors = np.linalg.eigh(covariance)
    root = vectors * np.sqrt(np.maximum(values, 0.0))
    return np.asarray(theta + rng.standard_normal((count, len(theta))) @ root.T, dtype=np.float64)


def _bootstrap(
    purchases_model: Any, spend_model: Spend, summary: pd.DataFrame, setting: _Setting,
    level: float, draws: int, rng: np.random.Generator,
) -> ValueIntervals:
    base = setting.figures(purchases_model, spend_model)
    base_current = setting.current(base)
    theta_draws = _draw(_log_params(purchases_model), log_covariance(purchases_model), draws, rng)
    fixed_spend = isinstance(spend_model, int | float)
    phi_draws = (
        None if fixed_spend
        else _draw(_log_params(spend_model), log_covariance(spend_model), draws, rng)
    )
    groups = setting.groups
    n = len(groups)
    alive = np.full((draws, len(setting.rows)), np.nan)
    purchases = np.full((draws, len(setting.rows)), np.nan)
    clv = np.full((draws, n), np.nan)
    current = np.full(draws, np.nan)
    equity = np.full(draws, np.nan)
    for i in range(draws):
        model = _with_log_params(purchases_model, theta_draws[i])
        spend = spend_model if phi_draws is None else _with_log_params(spend_model, phi_draws[i])
        try:
            figures = setting.figures(model, spend)
        except (ValueError, FloatingPointError, ZeroDivisionError):
            continue  # e.g. a Gamma-Gamma draw with q <= 1 (infinite mean spend)
        alive[i], purchases[i] = figures.p_alive, figures.purchases
        clv[i] = setting.margin * figures.spend * figures.discounted[groups]
        current[i] = setting.current(figures)
        equity[i] = current[i] + figures.future
    tails = [50.0 * (1.0 - level), 50.0 * (1.0 + level)]

    def quantiles(values: FloatArray) -> FloatArray:
        with np.errstate(all="ignore"):
            return np.asarray(np.nanpercentile(values, tails, axis=0), dtype=np.float64)

    alive_q, purchases_q = quantiles(alive)[:, groups], quantiles(purchases)[:, groups]
    clv_q = quantiles(clv)
    rows = _table(
        (base.p_alive[groups], alive_q[0], alive_q[1]),
        (base.purchases[groups], purchases_q[0], purchases_q[1]),
        (setting.margin * base.spend * base.discounted[groups], clv_q[0], clv_q[1]),
    )
    current_q, equity_q = quantiles(current), quantiles(equity)
    return ValueIntervals(
        customers=_per_customer(rows, setting, summary),
        equity=base_current + base.future,
        equity_low=float(equity_q[0]), equity_high=float(equity_q[1]),
        current=base_current, current_low=float(current_q[0]), current_high=float(current_q[1]),
        level=level, method="bootstrap",
    )
