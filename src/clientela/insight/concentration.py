"""Concentration of revenue and margin: top-x % shares, Lorenz and Pareto curves, Gini.

Does "20 % of customers bring 80 % of revenue" hold here?  The functions take
one value per customer (revenue, gross margin, net contribution, CLV) as a
Series, array or list.

Negative values
---------------
Revenue is non-negative, but margin and net contribution are not.

* :func:`top_shares` keeps negative values in the total, so the share of the
  top customers can exceed 100 % when the rest lose money together -- the
  "whale curve" of customer profitability (Kaplan & Narayanan, "Measuring and
  managing customer profitability", *J. Cost Management*, 2001).  When the
  total is not positive the shares are undefined and returned as NaN.
* :func:`gini` and :func:`lorenz_curve` are defined for non-negative data.
  By default (``negatives="clip"``) negative values count as zero: a
  loss-maker contributes nothing to the concentration of what is earned.
  ``negatives="raise"`` refuses them instead.  The number of negatives is
  available from :func:`concentration_summary`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from clientela.insight.frames import require_columns

TOP_FRACTIONS: tuple[float, ...] = (0.01, 0.05, 0.10, 0.20, 0.50)

Negatives = Literal["clip", "raise"]


def _values(values: ArrayLike, *, name: str) -> NDArray[np.float64]:
    array = np.asarray(values, dtype=np.float64).ravel()
    if not np.isfinite(array).all():
        raise ValueError(f"{name}: values must be finite (no NaN or inf)")
    return array


def _non_negative(values: ArrayLike, negatives: Negatives, *, name: str) -> NDArray[np.float64]:
    array = _values(values, name=name)
    if (array < 0).any():
        if negatives == "raise":
            raise ValueError(f"{name}: negative values present and negatives='raise'")
        array = np.clip(array, 0.0, None)
    return array


def top_shares(
    values: ArrayLike, fractions: Sequence[float] = TOP_FRACTIONS
) -> dict[float, float]:
    """Share of the total brought by the top ``fraction`` of customers, per fraction.

    The top ``fraction`` is the ``ceil(fraction * n)`` customers with the
    largest values (at least one), so with 7 customers the top 20 % are the 2
    largest.  Ties at the edge do not matter: equal values contribute equally.

    Parameters
    ----------
    values : array-like of float
        One value per customer; negatives are kept in the total (see module).
    fractions : sequence of float in (0, 1]

    Returns
    -------
    dict
        ``{fraction: share}``; NaN shares when the total is not positive or
        there are no customers.
    """
    array = _values(values, name="top_shares")
    out: dict[float, float] = {}
    n = array.size
    total = float(array.sum())
    ordered = np.sort(array)[::-1]
    cumulative = np.cumsum(ordered)
    for fraction in fractions:
        if not 0.0 < fraction <= 1.0:
            raise ValueError(f"top_shares: fraction {fraction} not in (0, 1]")
        if n == 0 or total <= 0.0:
            out[fraction] = math.nan
            continue
        k = max(1, math.ceil(fraction * n - 1e-9))
        out[fraction] = float(cumulative[k - 1] / total)
    return out


def gini(values: ArrayLike, *, negatives: Negatives = "clip") -> float:
    """Gini coefficient of the values, exact for discrete data.

    With ``x_1 <= ... <= x_n`` sorted ascending (Damgaard & Weiner,
    *Encyclopedia of Biostatistics*; the "n-normalised" discrete Gini)::

        G = sum_i (2 i - n - 1) x_i / (n * sum_i x_i)

    It is 0 when all values are equal and ``(n - 1) / n`` when one customer
    holds everything, so it lies in ``[0, 1)`` for non-negative data.  Zero
    total (all values zero, or no values) returns 0.0 -- no concentration.
    """
    array = np.sort(_non_negative(values, negatives, name="gini"))
    n = array.size
    total = float(array.sum())
    if n == 0 or total == 0.0:
        return 0.0
    i = np.arange(1, n + 1, dtype=np.float64)
    return float(np.dot(2.0 * i - n - 1.0, array) / (n * total))


def lorenz_curve(
    values: ArrayLike, *, max_points: int = 101, negatives: Negatives = "clip"
) -> pd.DataFrame:
    """Points of the Lorenz curve: cumulative share of value against share of customers.

    Customers are sorted ascending; point ``k`` is ``(k / n, sum of the k
    smallest / total)`` for ``k = 0..n``, starting at ``(0, 0)`` and ending at
    ``(1, 1)``.  With more than ``max_points`` points an evenly spaced subset of
    ``k`` (endpoints included) is returned, each an exact curve point.

    Returns
    -------
    DataFrame
        ``population_share``, ``value_share`` (float).  With zero total the
        curve is the diagonal.
    """
    if max_points < 2:
        raise ValueError("lorenz_curve: max_points must be at least 2")
    array = np.sort(_non_negative(values, negatives, name="lorenz_curve"))
    n = array.size
    total = float(array.sum())
    cumulative = np.concatenate(([0.0], np.cumsum(array)))
    k = np.arange(n + 1)
    if n + 1 > max_points:
        k = np.unique(np.round(np.linspace(0, n, max_points)).astype(np.int64))
    population = k / n if n else np.array([0.0])
    share = cumulative[k] / total if total > 0 else population.astype(np.float64)
    return pd.DataFrame({"population_share": population, "value_share": share})


def pareto_curve(
    values: ArrayLike, *, max_points: int = 101, negatives: Negatives = "clip"
) -> pd.DataFrame:
    """The Pareto (concentration) curve: share of value from the top share of customers.

    The mirror image of the Lorenz curve, customers sorted descending:
    ``value_share(p) = 1 - lorenz(1 - p)``.  Columns as in :func:`lorenz_curve`.
    """
    lorenz = lorenz_curve(values, max_points=max_points, negatives=negatives)
    return pd.DataFrame(
        {
            "population_share": 1.0 - lorenz["population_share"].to_numpy()[::-1],
            "value_share": 1.0 - lorenz["value_share"].to_numpy()[::-1],
        }
    )


def _label(fraction: float) -> str:
    return f"top_{fraction * 100:g}pct"


def concentration_summary(
    customers: pd.DataFrame,
    *,
    columns: Sequence[str] = ("revenue", "gross_margin"),
    fractions: Sequence[float] = TOP_FRACTIONS,
) -> dict[str, dict[str, Any]]:
    """Top shares, Gini and negative counts for each value column (report-ready).

    Parameters
    ----------
    customers : DataFrame
        One row per customer with the numeric ``columns`` (by default
        ``revenue`` and ``gross_margin``, as :func:`profitability` returns).
        Columns that are absent are skipped.

    Returns
    -------
    dict
        ``{column: {"total", "customers", "negative_customers", "gini",
        "top_shares": {"top_1pct": ..., "top_5pct": ..., "top_10pct": ...,
        "top_20pct": ..., "top_50pct": ...}}}``.
    """
    present = [c for c in columns if c in customers.columns]
    if not present:
        require_columns(customers, columns, name="customers")
    out: dict[str, dict[str, Any]] = {}
    for column in present:
        values = _values(customers[column].astype("float64").to_numpy(), name=column)
        shares = top_shares(values, fractions)
        out[column] = {
            "total": float(values.sum()),
            "customers": int(values.size),
            "negative_customers": int((values < 0).sum()),
            "gini": gini(values),
            "top_shares": {_label(f): shares[f] for f in fractions},
        }
    return out
