"""Customer lifetime value and customer equity from fitted models.

Discounting convention (used throughout): time runs in the summary's periods
(weeks for a weekly summary, opportunities for BG/BB, renewals for sBG).  The
purchases expected in period ``k`` after the end of observation,
``E[X(k)] - E[X(k - 1)]``, are received at the end of that period and
discounted by ``(1 + discount_rate) ** k``; ``discount_rate`` is per period.
So, with expected spend ``s`` and margin ``m``::

    CLV = m * s * sum_{k=1}^{horizon} (E[X(k)] - E[X(k-1)]) / (1 + d)^k

Customer equity follows Gupta, Lehmann & Stuart (2004), "Valuing customers",
Journal of Marketing Research 41(1), 7-18: the value of the current customers
plus, for each future cohort ``k`` of ``n_k`` new customers acquired at the end
of period ``k``, ``n_k / (1 + d)^k * (value of a new customer - acquisition
cost)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from clientela.value.blas_threads import single_threaded_blas
from clientela.value.models.base import WEIGHTS, row_groups

FloatArray = NDArray[np.float64]

# Cells of the (customers, horizon) array of cumulative expectations per block.
_CURVE_CELLS = 16_000_000


class PurchasesModel(Protocol):
    """What CLV needs from a fitted purchases model (all value models provide it)."""

    def expected_purchases(self, t: Any, summary: pd.DataFrame) -> pd.Series: ...

    def expected_purchases_new(self, t: Any) -> Any: ...

    def p_alive(self, summary: pd.DataFrame) -> pd.Series: ...


class SpendModel(Protocol):
    """What CLV needs from a fitted spend model (:class:`GammaGamma` provides it)."""

    def expected_spend(self, summary: pd.DataFrame) -> pd.Series: ...


Spend = SpendModel | float


def _check_horizon(horizon: int, discount_rate: float) -> None:
    if horizon != int(horizon) or horizon < 1:
        raise ValueError(f"horizon must be a whole number of periods >= 1; got {horizon!r}")
    if not (math.isfinite(discount_rate) and discount_rate >= 0):
        raise ValueError(f"discount_rate must be a finite number >= 0; got {discount_rate!r}")


def _discount_factors(horizon: int, discount_rate: float) -> FloatArray:
    """``(1 + d) ** -k`` for ``k = 1 .. horizon``."""
    k = np.arange(1, horizon + 1, dtype=np.float64)
    return np.asarray(np.exp(-k * math.log1p(discount_rate)), dtype=np.float64)


_Distinct = tuple[pd.DataFrame, NDArray[np.intp]]


def _distinct_customers(model: PurchasesModel, summary: pd.DataFrame) -> _Distinct | None:
    """The distinct rows of the model's columns and, per customer, its row.

    Predictions depend on a customer's ``required_columns`` only, so they are
    computed once per distinct history (a weekly summary of millions of
    customers has a few hundred thousand) and mapped back; the values are
    exactly those of the full summary.  ``None`` (use the full summary) when
    the model does not declare its columns, a column is missing or not
    finite-numeric (the model then raises its own error naming the row), a
    ``weights`` column is present, or compression would not pay.
    """
    columns = getattr(model, "required_columns", None)
    if not columns or WEIGHTS in summary.columns or len(summary) < 1_000:
        return None
    if any(c not in summary.columns for c in columns):
        return None
    try:
        arrays = {c: summary[c].to_numpy(dtype=np.float64) for c in columns}
    except (TypeError, ValueError):
        return None
    if not all(np.isfinite(v).all() for v in arrays.values()):
        return None
    groups, first = row_groups(arrays, list(columns))
    if len(first) > 0.8 * len(summary):
        return None
    return pd.DataFrame({c: arrays[c][first] for c in columns}), groups


def _expected_purchase_increments(
    model: PurchasesModel, summary: pd.DataFrame, factors: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Cumulative expected purchases at the horizon and their discounted increments.

    A model with ``expected_purchases_discounted(factors, summary)`` (BG/NBD,
    MBG/NBD) does the whole sum itself, once per distinct ``(x, T)``.  With the model's ``expected_purchases_curve(ts, summary)`` (all horizons
    in one call, sharing P(alive) and the per-customer work) the discounted
    sum is one matrix product per block of customers; otherwise
    ``expected_purchases(k, summary)`` is called once per period.
    """
    horizon = len(factors)
    n = len(summary)
    discounted_method = getattr(model, "expected_purchases_discounted", None)
    if discounted_method is not None:
        purchases, discounted = discounted_method(factors, summary)
        return np.asarray(purchases, dtype=np.float64), np.asarray(discounted, dtype=np.float64)
    curve_method = getattr(model, "expected_purchases_curve", None)
    if curve_method is None:
        previous = np.zeros(n, dtype=np.float64)
        discounted = np.zeros(n, dtype=np.float64)
        for k in range(1, horizon + 1):
            current = np.asarray(model.expected_purchases(k, summary), dtype=np.float64)
            discounted += factors[k - 1] * np.maximum(current - previous, 0.0)
            previous = current
        return previous, discounted
    ks = np.arange(1, horizon + 1, dtype=np.float64)
    purchases = np.zeros(n, dtype=np.float64)
    discounted = np.zeros(n, dtype=np.float64)
    block = max(1, _CURVE_CELLS // horizon)  # bounds the (customers, horizon) array
    for start in range(0, n, block):
        part = summary.iloc[start : start + block]
        curve = np.asarray(curve_method(ks, part), dtype=np.float64)
        increments = np.maximum(np.diff(curve, axis=1, prepend=0.0), 0.0)
        purchases[start : start + block] = curve[:, -1]
        discounted[start : start + block] = np.einsum(
            "ij,j->i", increments, factors
        )  # no BLAS threads
    return purchases, discounted


def discounted_expected_purchases(
    model: PurchasesModel,
    summary: pd.DataFrame,
    *,
    horizon: int,
    discount_rate: float,
    distinct: _Distinct | None | bool = True,
) -> tuple[pd.Series, pd.Series]:
    """Expected purchases over ``horizon`` periods, undiscounted and discounted.

    The increments ``E[X(k)] - E[X(k-1)]`` are discounted as in the module
    docstring; predictions are made once per distinct customer history
    (:func:`_distinct_customers`) and, when the model offers
    ``expected_purchases_curve``, for all periods in one call.

    ``distinct`` (internal) passes the distinct rows already found by the
    caller; ``True`` finds them here.

    Returns
    -------
    (pandas.Series, pandas.Series)
        ``expected_purchases`` and ``discounted_expected_purchases``, indexed
        like ``summary``.
    """
    _check_horizon(horizon, discount_rate)
    factors = _discount_factors(horizon, discount_rate)
    if distinct is True:
        distinct = _distinct_customers(model, summary)
    if distinct is None or distinct is False:
        purchases, discounted = _expected_purchase_increments(model, summary, factors)
    else:
        rows, groups = distinct
        purchases, discounted = _expected_purchase_increments(model, rows, factors)
        purchases, discounted = purchases[groups], discounted[groups]
    return (
        pd.Series(purchases, index=summary.index, name="expected_purchases"),
        pd.Series(discounted, index=summary.index, name="discounted_expected_purchases"),
    )


def _per_distinct_customer(
    method: Any, distinct: _Distinct | None, summary: pd.DataFrame, *args: Any
) -> FloatArray:
    """``method(*args, summary)`` evaluated once per distinct history, per customer."""
    if distinct is None:
        return np.asarray(method(*args, summary), dtype=np.float64)
    rows, groups = distinct
    return np.asarray(method(*args, rows), dtype=np.float64)[groups]


def _spend_per_customer(spend_model: Spend, summary: pd.DataFrame) -> pd.Series:
    if isinstance(spend_model, int | float):
        if not (math.isfinite(spend_model) and spend_model >= 0):
            raise ValueError("a fixed spend per purchase must be a finite number >= 0")
        return pd.Series(float(spend_model), index=summary.index, name="expected_spend")
    return spend_model.expected_spend(summary).rename("expected_spend")


def customer_lifetime_value(
    purchases_model: PurchasesModel,
    spend_model: Spend,
    summary: pd.DataFrame,
    *,
    horizon: int,
    discount_rate: float,
    margin: float = 1.0,
    residual: bool | None = None,
) -> pd.DataFrame:
    """Per-customer lifetime value over a finite horizon.

    Parameters
    ----------
    purchases_model
        A fitted BG/NBD, Pareto/NBD, MBG/NBD, BG/BB or sBG model.
    spend_model
        A fitted :class:`~clientela.value.models.gamma_gamma.GammaGamma` (its
        ``expected_spend``), or a fixed value per purchase (e.g. the price of
        a subscription period for sBG).
    summary : pandas.DataFrame
        The customers, with the columns both models need.
    horizon : int
        Number of future periods, in the summary's time unit.
    discount_rate : float
        Per-period discount rate ``d`` (the module docstring gives the
        convention: period ``k`` is discounted by ``(1 + d)^k``).
    margin : float, default 1.0
        Share of spend that is margin.
    residual : bool, optional
        Whether to add ``discounted_residual_transactions``.  By default it is
        added when the purchases model has a closed form for it (Pareto/NBD,
        BG/BB, sBG); ``True`` also asks models whose DERT is a numerical
        integral (BG/NBD, MBG/NBD: a double integral per distinct ``(x, T)``,
        noticeably slower than the rest of the table); ``False`` never adds it.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``summary``: ``p_alive``, ``expected_purchases`` (over the
        horizon, undiscounted), ``discounted_expected_purchases``,
        ``expected_spend``, ``clv`` = ``margin * expected_spend *
        discounted_expected_purchases``; and, as ``residual`` says,
        ``discounted_residual_transactions`` (infinite horizon, the model's own
        ``expected_discounted_residual_transactions(discount_rate, summary)``).
    """
    if not math.isfinite(margin):
        raise ValueError("margin must be finite")
    with single_threaded_blas():
        return _customer_lifetime_value(
            purchases_model, spend_model, summary, horizon, discount_rate, margin, residual
        )


def _customer_lifetime_value(
    purchases_model: PurchasesModel,
    spend_model: Spend,
    summary: pd.DataFrame,
    horizon: int,
    discount_rate: float,
    margin: float,
    residual: bool | None,
) -> pd.DataFrame:
    distinct = _distinct_customers(purchases_model, summary)  # shared by every prediction
    purchases, discounted = discounted_expected_purchases(
        purchases_model,
        summary,
        horizon=horizon,
        discount_rate=discount_rate,
        distinct=distinct if distinct is not None else False,
    )
    spend = _spend_per_customer(spend_model, summary)
    table = pd.DataFrame(
        {
            "p_alive": _per_distinct_customer(purchases_model.p_alive, distinct, summary),
            "expected_purchases": purchases,
            "discounted_expected_purchases": discounted,
            "expected_spend": spend,
        },
        index=summary.index,
    )
    table["clv"] = margin * table["expected_spend"] * table["discounted_expected_purchases"]
    dert = _residual_transactions(purchases_model, summary, discount_rate, distinct, residual)
    if dert is not None:
        table["discounted_residual_transactions"] = dert
    return table


def _residual_transactions(
    model: PurchasesModel,
    summary: pd.DataFrame,
    discount_rate: float,
    distinct: _Distinct | None,
    residual: bool | None,
) -> FloatArray | None:
    """The model's DERT: closed forms by default, any with ``residual=True``, none with False."""
    method = getattr(model, "expected_discounted_residual_transactions", None)
    if method is None or discount_rate <= 0 or residual is False:
        return None
    if residual is None and not getattr(model, "dert_is_closed_form", True):
        return None
    try:
        return _per_distinct_customer(method, distinct, summary, discount_rate)
    except NotImplementedError:
        return None


def new_customer_value(
    purchases_model: PurchasesModel,
    spend_per_purchase: float,
    *,
    horizon: int,
    discount_rate: float,
    margin: float = 1.0,
    count_first_purchase: bool = True,
) -> float:
    """Margin value of one customer at the moment of acquisition.

    ``margin * spend * (1{first purchase} + sum_{k=1}^{horizon} dE_new(k) / (1+d)^k)``
    where ``E_new`` is the model's ``expected_purchases_new`` (repeat purchases
    of a new customer) and the first purchase is received at acquisition.
    """
    _check_horizon(horizon, discount_rate)
    k = np.arange(0, horizon + 1, dtype=np.float64)
    cumulative = np.asarray(purchases_model.expected_purchases_new(k), dtype=np.float64)
    increments = np.maximum(np.diff(cumulative), 0.0)
    repeat = float(increments @ _discount_factors(horizon, discount_rate))
    return margin * spend_per_purchase * (float(count_first_purchase) + repeat)


@dataclass(frozen=True)
class CustomerEquity:
    """Customer equity split into its two parts (Gupta, Lehmann & Stuart 2004).

    Attributes
    ----------
    current : float
        Sum of the current customers' CLV.
    future : float
        Discounted value of the future cohorts net of acquisition cost.
    total : float
        ``current + future``.
    cohorts : pandas.DataFrame
        One row per future cohort: ``cohort`` (k), ``new_customers``,
        ``value_per_customer``, ``acquisition_cost``, ``discount_factor`` and
        ``net_value`` = ``new_customers * discount_factor * (value - cost)``.
    customers : pandas.DataFrame
        The per-customer CLV table of the current customers.
    """

    current: float
    future: float
    total: float
    cohorts: pd.DataFrame
    customers: pd.DataFrame


def _per_cohort(value: float | Sequence[float] | ArrayLike, n: int, name: str) -> FloatArray:
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 0:
        arr = np.full(n, float(arr))
    if arr.shape != (n,) or not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(f"{name} must be a number or one finite value >= 0 per cohort ({n})")
    return arr


def customer_equity(
    purchases_model: PurchasesModel,
    spend_model: Spend,
    summary: pd.DataFrame,
    *,
    horizon: int,
    discount_rate: float,
    new_customers: float | Sequence[float],
    acquisition_cost: float | Sequence[float],
    n_cohorts: int | None = None,
    margin: float = 1.0,
    count_first_purchase: bool = True,
) -> CustomerEquity:
    """Value of the current customers plus the future cohorts net of acquisition cost.

    Gupta, Lehmann & Stuart (2004), eq. 2 in discrete periods::

        equity = sum_i CLV_i
               + sum_{k=1}^{K} n_k / (1 + d)^k * (V_new - c_k)

    with ``V_new`` from :func:`new_customer_value` (the same horizon and
    discounting as the current customers, counted from each cohort's
    acquisition) and the population mean spend of the spend model
    (``mean_spend()``) or the fixed spend.

    Parameters
    ----------
    purchases_model, spend_model, summary, horizon, discount_rate, margin
        As for :func:`customer_lifetime_value`.
    new_customers : float or sequence of float
        ``n_k``: customers acquired at the end of each future period ``k``; a
        number means the same in each of ``n_cohorts`` periods.
    acquisition_cost : float or sequence of float
        ``c_k``: cost of acquiring one customer in cohort ``k``.
    n_cohorts : int, optional
        Number of future cohorts when ``new_customers`` is a number (default:
        ``horizon``).
    count_first_purchase : bool, default True
        Whether a new customer's first purchase (at acquisition) counts.
    """
    customers = customer_lifetime_value(
        purchases_model,
        spend_model,
        summary,
        horizon=horizon,
        discount_rate=discount_rate,
        margin=margin,
    )
    count = len(np.atleast_1d(np.asarray(new_customers)))
    if np.ndim(new_customers) == 0:
        count = horizon if n_cohorts is None else int(n_cohorts)
    n_k = _per_cohort(new_customers, count, "new_customers")
    cost = _per_cohort(acquisition_cost, count, "acquisition_cost")
    if isinstance(spend_model, int | float):
        mean_spend = float(spend_model)
    else:
        mean_spend_method = getattr(spend_model, "mean_spend", None)
        if mean_spend_method is None:
            raise TypeError("the spend model needs mean_spend() to value new customers")
        mean_spend = float(mean_spend_method())
    value = new_customer_value(
        purchases_model,
        mean_spend,
        horizon=horizon,
        discount_rate=discount_rate,
        margin=margin,
        count_first_purchase=count_first_purchase,
    )
    k = np.arange(1, count + 1)
    factor = np.exp(-k * math.log1p(discount_rate))
    cohorts = pd.DataFrame(
        {
            "cohort": k,
            "new_customers": n_k,
            "value_per_customer": value,
            "acquisition_cost": cost,
            "discount_factor": factor,
        }
    )
    cohorts["net_value"] = n_k * factor * (value - cost)
    current = float(customers["clv"].sum())
    future = float(cohorts["net_value"].sum())
    return CustomerEquity(
        current=current,
        future=future,
        total=current + future,
        cohorts=cohorts,
        customers=customers,
    )
