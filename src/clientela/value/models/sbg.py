"""sBG: shifted-beta-geometric model of contract renewals.

Fader & Hardie (2007), "How to project customer retention", Journal of
Interactive Marketing 21(1), 76-90 (FH-2007 below); discounted expected
(residual) lifetime from Fader & Hardie (2010), "Customer-base valuation in a
contractual setting: the perils of ignoring heterogeneity", Marketing Science
29(1), 85-93 (FH-2010 below).

A customer joins at time 0 and, at each renewal opportunity 1, 2, ..., leaves
with probability ``theta ~ beta(alpha, beta)`` (constant for the customer).
The lifetime ``T`` (the opportunity at which the customer leaves) has

* ``P(T = t) = B(alpha + 1, beta + t - 1) / B(alpha, beta)``  (FH-2007 eq. 5),
* ``S(t) = P(T > t) = B(alpha, beta + t) / B(alpha, beta)``   (eq. 6),
* retention rate ``r(t) = S(t)/S(t-1) = (beta + t - 1)/(alpha + beta + t - 1)`` (eq. 8).

The summary has one row per customer: ``duration`` (the opportunity at which a
churned customer left, ``T``; for an active customer the number of renewals
observed so far) and ``churned`` (bool).  A customer observed ``d`` renewals and
still active has ``theta | data ~ beta(alpha, beta + d)``.

Naming across models: a "purchase" here is a renewal (one paid period), so
:meth:`ShiftedBetaGeo.expected_purchases` counts expected renewals and
:meth:`ShiftedBetaGeo.p_alive` is the probability of still being a customer
after the next renewal opportunity (churn is observed, so "alive now" is not
uncertain).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.special import betaln, psi

from clientela.value.models.base import BaseModel, FloatArray, SummaryArrays
from clientela.value.models.beta_geometric import discounted_survival_sum, survival_sum

DURATION = "duration"
CHURNED = "churned"


def summary_from_survivors(survivors: Sequence[float]) -> pd.DataFrame:
    """Turn a cohort's survivor counts into an sBG summary with ``weights``.

    Parameters
    ----------
    survivors : sequence of float
        Customers still active at the start (``survivors[0]``, the cohort
        size) and after each renewal opportunity 1, 2, ..., K; non-increasing.

    Returns
    -------
    pandas.DataFrame
        Rows ``(duration=t, churned=True, weights=survivors[t-1] - survivors[t])``
        for ``t = 1..K`` and one row ``(duration=K, churned=False,
        weights=survivors[K])`` for those still active (FH-2007 eq. B3).
        Rows with zero weight are dropped.
    """
    counts = np.asarray(survivors, dtype=np.float64)
    if counts.ndim != 1 or len(counts) < 2:
        raise ValueError("survivors needs the cohort size and at least one later count")
    lost = counts[:-1] - counts[1:]
    if np.any(lost < 0) or np.any(counts < 0):
        raise ValueError("survivors must be non-negative and non-increasing")
    k = len(counts) - 1
    frame = pd.DataFrame(
        {
            DURATION: np.append(np.arange(1, k + 1), k).astype(np.int64),
            CHURNED: np.append(np.ones(k, dtype=bool), False),
            "weights": np.append(lost, counts[-1]),
        }
    )
    return frame.loc[frame["weights"] > 0].reset_index(drop=True)


class ShiftedBetaGeo(BaseModel):
    """Shifted-beta-geometric contractual retention model (parameters ``alpha, beta``).

    Fit settings as in :class:`BaseModel`.

    Notes
    -----
    Population curves: :meth:`survival`, :meth:`retention_rate`,
    :meth:`expected_purchases_new`, :meth:`discounted_expected_lifetime`.
    Per customer: :meth:`p_alive` / :meth:`probability_of_renewal`,
    :meth:`expected_purchases`, :meth:`probability_of_purchases`,
    :meth:`discounted_expected_residual_lifetime` and
    :meth:`expected_discounted_residual_transactions`.
    Churned customers get 0 for every forward-looking quantity.
    """

    param_names: ClassVar[tuple[str, ...]] = ("alpha", "beta")
    required_columns: ClassVar[tuple[str, ...]] = (DURATION, CHURNED)

    def _check_summary(self, data: SummaryArrays) -> None:
        duration, churned = data[DURATION], data[CHURNED]
        if np.any(duration != np.floor(duration)):
            raise ValueError(f"column {DURATION!r} must hold whole numbers of periods")
        if np.any((churned != 0) & (churned != 1)):
            raise ValueError(f"column {CHURNED!r} must be boolean (0/1)")
        if np.any((churned == 1) & (duration < 1)):
            raise ValueError(f"column {DURATION!r} must be >= 1 for churned customers")

    def fit(self, summary: pd.DataFrame) -> ShiftedBetaGeo:
        """Maximum-likelihood fit; see :class:`~clientela.value.models.base.BaseModel`.

        Raises
        ------
        ValueError
            If no customer has churned or none has renewed: the two beta
            parameters are then not identified.
        """
        data = self._summary_arrays(summary)
        weights = data["weights"]
        churned = data[CHURNED] == 1
        if not (weights[churned].sum() > 0):
            raise ValueError("no customer in the summary has churned: sBG needs observed churn")
        if not (weights[data[DURATION] > churned].sum() > 0):
            raise ValueError("no customer in the summary ever renewed: sBG is not identified")
        return super().fit(summary)

    def _log_likelihood(
        self, params: FloatArray, data: SummaryArrays
    ) -> tuple[FloatArray, FloatArray]:
        """``ln P(T = d)`` for churned rows, ``ln S(d)`` for active ones (FH-2007 eq. B3)."""
        alpha, beta = params
        d = data[DURATION]
        churned = data[CHURNED] == 1
        # churned: ln B(a+1, b+d-1) - ln B(a, b); active: ln B(a, b+d) - ln B(a, b)
        first = np.where(churned, alpha + 1.0, alpha)
        second = np.where(churned, beta + d - 1.0, beta + d)
        ll = betaln(first, second) - betaln(alpha, beta)
        total = psi(alpha + beta + d)
        base = psi(alpha + beta)
        grad = np.empty((len(d), 2), dtype=np.float64)
        grad[:, 0] = psi(first) - total - (psi(alpha) - base)
        grad[:, 1] = psi(second) - total - (psi(beta) - base)
        return np.asarray(ll, dtype=np.float64), grad

    # -- population curves ----------------------------------------------------

    def survival(self, t: ArrayLike) -> FloatArray:
        """``S(t) = B(alpha, beta + t) / B(alpha, beta)`` (FH-2007 eq. 6)."""
        alpha, beta = self._check_fitted()
        t_arr = np.asarray(t, dtype=np.float64)
        return np.asarray(np.exp(betaln(alpha, beta + t_arr) - betaln(alpha, beta)))

    def retention_rate(self, t: ArrayLike) -> FloatArray:
        """``r(t) = (beta + t - 1) / (alpha + beta + t - 1)`` for ``t >= 1`` (FH-2007 eq. 8)."""
        alpha, beta = self._check_fitted()
        t_arr = np.asarray(t, dtype=np.float64)
        return np.asarray((beta + t_arr - 1.0) / (alpha + beta + t_arr - 1.0))

    def expected_purchases_new(self, t: ArrayLike) -> FloatArray:
        """Expected renewals of a new customer in the first ``t`` periods: ``sum_{k=1}^t S(k)``."""
        alpha, beta = self._check_fitted()
        return survival_sum(alpha, beta, _whole(t, "t"))

    def discounted_expected_lifetime(self, discount_rate: float) -> float:
        """DEL of a new customer, ``sum_{t>=0} S(t) / (1+d)^t = 2F1(1, beta; alpha+beta; 1/(1+d))``.

        FH-2010 eq. 4: the payment at signing (t = 0) counts undiscounted.
        """
        alpha, beta = self._check_fitted()
        _discount_factor(discount_rate)
        # 2F1(1, beta; alpha+beta; z) = 1 + z * (sum over k >= 1 of S(k) z^(k-1))
        return float(
            1.0 + discounted_survival_sum(alpha, beta, discount_rate) / (1.0 + discount_rate)
        )

    # -- per customer ------------------------------------------------------------

    def _posterior(self, summary: pd.DataFrame) -> tuple[float, FloatArray, FloatArray]:
        """``alpha``, the posterior ``beta + d`` and the active mask (1.0/0.0)."""
        alpha, beta = self._check_fitted()
        data = self._summary_arrays(summary)
        active = (data[CHURNED] == 0).astype(np.float64)
        return float(alpha), beta + data[DURATION], active

    def probability_of_renewal(self, summary: pd.DataFrame, t: int = 1) -> pd.Series:
        """Probability of still being a customer after the next ``t`` renewal opportunities.

        ``S(d + t) / S(d) = B(alpha, beta + d + t) / B(alpha, beta + d)``; for
        ``t = 1`` this is ``(beta + d) / (alpha + beta + d)``.  0 if churned.
        """
        alpha, b, active = self._posterior(summary)
        horizon = float(_whole(t, "t"))
        value = active * np.exp(betaln(alpha, b + horizon) - betaln(alpha, b))
        return pd.Series(value, index=summary.index, name="p_renew", dtype=np.float64)

    def p_alive(self, summary: pd.DataFrame) -> pd.Series:
        """Probability of still being a customer after the next renewal opportunity.

        The contractual analogue of the noncontractual models' P(alive): churn
        is observed, so this looks one renewal ahead (see
        :meth:`probability_of_renewal`).  0 for churned customers.
        """
        return self.probability_of_renewal(summary, 1).rename("p_alive")

    def expected_purchases(self, t: ArrayLike, summary: pd.DataFrame) -> pd.Series:
        """Expected renewals in the next ``t`` periods: ``sum_{k=1}^t S(d+k)/S(d)``; 0 if churned."""
        alpha, b, active = self._posterior(summary)
        value = active * survival_sum(alpha, b, _whole(t, "t"))
        return pd.Series(value, index=summary.index, name="expected_purchases", dtype=np.float64)

    def probability_of_purchases(
        self, n_purchases: int, t: int, summary: pd.DataFrame
    ) -> pd.Series:
        """P(exactly ``n_purchases`` renewals in the next ``t`` opportunities).

        For an active customer: ``[S(d+m) - S(d+m+1)] / S(d) = B(alpha+1, beta+d+m) /
        B(alpha, beta+d)`` for ``m < t`` and ``S(d+t)/S(d)`` for ``m = t``.  A
        churned customer renews 0 times with probability 1.
        """
        alpha, b, active = self._posterior(summary)
        m, horizon = float(_whole(n_purchases, "n_purchases")), float(_whole(t, "t"))
        if m > horizon:
            value = np.zeros_like(b)
        elif m == horizon:
            value = np.exp(betaln(alpha, b + m) - betaln(alpha, b))
        else:
            value = np.exp(betaln(alpha + 1.0, b + m) - betaln(alpha, b))
        value = active * value + (1.0 - active) * float(m == 0)
        return pd.Series(value, index=summary.index, name="probability", dtype=np.float64)

    def discounted_expected_residual_lifetime(
        self, summary: pd.DataFrame, *, discount_rate: float
    ) -> pd.Series:
        """DERL (FH-2010 eq. 6), just before the next renewal decision.

        For a customer with ``n - 1 = d`` renewals::

            DERL = sum_{t>=n} S(t | T > n-1) / (1+r)^(t-n)
                 = (beta+d)/(alpha+beta+d) * 2F1(1, beta+d+1; alpha+beta+d+1; 1/(1+r))

        The next renewal's payment counts undiscounted (the paper's
        convention).  0 for churned customers.  Summed as a series (see
        :func:`~clientela.value.models.beta_geometric.discounted_survival_sum`):
        SciPy's ``hyp2f1`` returns NaN for many realistic arguments.
        """
        alpha, b, active = self._posterior(summary)
        _discount_factor(discount_rate)
        value = active * discounted_survival_sum(alpha, b, discount_rate)
        return pd.Series(value, index=summary.index, name="derl", dtype=np.float64)

    def expected_discounted_residual_transactions(
        self, discount_rate: float, summary: pd.DataFrame
    ) -> pd.Series:
        """``sum_{k>=1} S(d+k)/S(d) / (1+r)^k``: future renewals, each discounted by its period.

        The end-of-period convention of :func:`clientela.value.clv.customer_lifetime_value`
        (renewal ``k`` periods ahead discounted by ``(1+r)^k``), i.e. DERL / (1 + r).
        """
        derl = self.discounted_expected_residual_lifetime(summary, discount_rate=discount_rate)
        value = derl.to_numpy() / (1.0 + discount_rate)
        return pd.Series(value, index=summary.index, name="dert", dtype=np.float64)


def _whole(value: ArrayLike, name: str) -> FloatArray:
    arr = np.asarray(value, dtype=np.float64)
    if np.any(~np.isfinite(arr)) or np.any(arr < 0) or np.any(arr != np.floor(arr)):
        raise ValueError(f"{name} must be a whole number of periods >= 0")
    return arr


def _discount_factor(discount_rate: float) -> float:
    if not (np.isfinite(discount_rate) and discount_rate > 0):
        raise ValueError("discount_rate must be a finite number > 0 (per period)")
    return 1.0 / (1.0 + float(discount_rate))
