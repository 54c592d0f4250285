"""NBD: purchases at gamma-distributed Poisson rates, with no dropout.

Ehrenberg, A. S. C. (1959). The pattern of consumer purchases. *Journal of the
Royal Statistical Society C* 8(1), 26-41; in the notation of Fader, Hardie &
Lee (2005, "Counting your customers" the easy way), the NBD is the BG/NBD with
the dropout probability ``p = 0``: every customer stays alive and buys at rate
``lambda ~ Gamma(r, alpha)``.

It is the model to fall back on when the data show no sign of churn: the
dropout models (BG/NBD, MBG/NBD, Pareto/NBD) then run their dropout
parameters to a limit and are not identified (``ModelFitError``), while the NBD
describes such data directly.  ``P(alive) = 1`` for everyone, which a caller
should state next to its scores.

Likelihood of a customer with ``x`` repeat purchases in ``(0, T]`` after the
first (the BG/NBD's eq. 6 with ``p = 0``; the purchase times given ``x`` do not
depend on the parameters)::

    L = Gamma(r + x) alpha^r / (Gamma(r) (alpha + T)^(r + x))

The posterior of ``lambda`` is ``Gamma(r + x, alpha + T)``, which gives every
prediction in closed form.
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.special import digamma, gammaln, polygamma

from clientela.value.models.base import BaseModel, FloatArray, SummaryArrays
from clientela.value.models.bg_nbd import (
    as_series,
    check_frequency_recency_t,
    require_repeat_purchases,
)
from clientela.value.models.rows import distinct_values, dot


class NBD(BaseModel):
    """NBD model: gamma-Poisson purchases, no dropout (``P(alive) = 1``).

    Fit on a summary with ``frequency``, ``recency`` and ``T`` (``recency`` is
    validated but does not enter the likelihood).  Parameters ``r, alpha``.

    Examples
    --------
    >>> from clientela.value.datasets import load_cdnow_summary
    >>> model = NBD().fit(load_cdnow_summary())
    >>> bool(model.p_alive(load_cdnow_summary()).eq(1.0).all())
    True
    """

    param_names: ClassVar[tuple[str, ...]] = ("r", "alpha")
    required_columns: ClassVar[tuple[str, ...]] = ("frequency", "recency", "T")
    dert_is_closed_form: ClassVar[bool] = True
    _shape_params: ClassVar[tuple[str, ...]] = ("r",)
    _limit_reasons: ClassVar[dict[tuple[str, str], str]] = {
        ("r", "high"): "purchase rates do not vary between customers more than chance: r -> "
        "infinity (a Poisson process with one rate for all)",
        ("r", "low"): "r -> 0",
    }

    def _check_summary(self, data: SummaryArrays) -> None:
        check_frequency_recency_t(data)

    def _prepare(self, data: SummaryArrays) -> SummaryArrays:
        require_repeat_purchases(data)
        x_unique, x_code = distinct_values(data["frequency"])
        w = data["weights"]
        return {
            **data,
            "x_unique": x_unique,
            "w_by_x": np.bincount(
                x_code.astype(np.intp), weights=w, minlength=len(x_unique)
            ).astype(np.float64),
        }

    def _initial_params(self, data: SummaryArrays) -> FloatArray:
        w = data["weights"]
        rate = dot(w, data["frequency"]) / max(dot(w, data["T"]), 1e-12)
        return np.array([1.0, 1.0 / max(rate, 1e-6)])

    def _log_likelihood(
        self, params: FloatArray, data: SummaryArrays
    ) -> tuple[FloatArray, FloatArray]:
        """Per row ``log L`` and its gradient in ``(r, alpha)`` (module docstring)."""
        r, alpha = params
        x, big_t = data["frequency"], data["T"]
        log_at = np.log(alpha + big_t)
        ll = gammaln(r + x) - gammaln(r) + r * math.log(alpha) - (r + x) * log_at
        grad = np.empty((len(x), 2))
        grad[:, 0] = digamma(r + x) - digamma(r) + math.log(alpha) - log_at
        grad[:, 1] = r / alpha - (r + x) / (alpha + big_t)
        return np.asarray(ll, dtype=np.float64), grad

    def _weighted_log_likelihood_hessian(
        self, params: FloatArray, data: SummaryArrays
    ) -> tuple[float, FloatArray, FloatArray]:
        """Weighted total, gradient and analytic Hessian (natural parameters).

        ``d2/dr2 = psi'(r+x) - psi'(r)``, ``d2/dr dalpha = 1/alpha - 1/(alpha+T)``,
        ``d2/dalpha2 = -r/alpha^2 + (r+x)/(alpha+T)^2``; the terms in ``x`` only
        are summed once per distinct ``x``.
        """
        r, alpha = params
        x, big_t, w = data["frequency"], data["T"], data["weights"]
        xu, w_by_x = data["x_unique"], data["w_by_x"]
        total = float(w.sum())
        inv_at = 1.0 / (alpha + big_t)
        log_at = np.log(alpha + big_t)
        ll = (
            dot(w_by_x, gammaln(r + xu))
            - total * (float(gammaln(r)) - r * math.log(alpha))
            - dot(w, (r + x) * log_at)
        )
        g_r = dot(w_by_x, digamma(r + xu)) - total * (float(digamma(r)) - math.log(alpha))
        g_r -= dot(w, log_at)
        g_a = total * r / alpha - dot(w, (r + x) * inv_at)
        h_rr = dot(w_by_x, polygamma(1, r + xu)) - total * float(polygamma(1, r))
        h_ra = total / alpha - dot(w, inv_at)
        h_aa = -total * r / alpha**2 + dot(w, (r + x) * inv_at**2)
        hess = np.array([[h_rr, h_ra], [h_ra, h_aa]], dtype=np.float64)
        return float(ll), np.array([g_r, g_a], dtype=np.float64), hess

    # -- predictions -------------------------------------------------------------

    def p_alive(self, summary: pd.DataFrame) -> pd.Series:
        """1 for every customer: the NBD has no dropout."""
        self._check_fitted()
        data = self._summary_arrays(summary)
        return as_series(np.ones(len(data["T"])), summary, "p_alive")

    def expected_purchases(self, t: float, summary: pd.DataFrame) -> pd.Series:
        """Expected purchases in ``(T, T+t]``: ``(r + x) t / (alpha + T)``."""
        r, alpha = self._check_fitted()
        data = self._summary_arrays(summary)
        values = (r + data["frequency"]) * float(t) / (alpha + data["T"])
        return as_series(values, summary, "expected_purchases")

    def expected_purchases_curve(self, ts: ArrayLike, summary: pd.DataFrame) -> FloatArray:
        """:meth:`expected_purchases` for every horizon in ``ts`` (shape ``(n, len(ts))``)."""
        r, alpha = self._check_fitted()
        data = self._summary_arrays(summary)
        horizons = np.atleast_1d(np.asarray(ts, dtype=np.float64))
        rate = (r + data["frequency"]) / (alpha + data["T"])
        return np.asarray(rate[:, None] * horizons[None, :], dtype=np.float64)

    def expected_purchases_new(self, t: float | FloatArray) -> FloatArray:
        """Expected repeat purchases in ``(0, t]`` of a customer just acquired: ``r t / alpha``."""
        r, alpha = self._check_fitted()
        return np.asarray(r * np.atleast_1d(np.asarray(t, dtype=np.float64)) / alpha)

    def probability_of_purchases(self, n: int, t: float, summary: pd.DataFrame) -> pd.Series:
        """P(exactly ``n`` purchases in ``(T, T+t]``): the posterior NBD pmf, in log-space."""
        if n < 0 or n != int(n):
            raise ValueError("n must be a whole number >= 0")
        r, alpha = self._check_fitted()
        data = self._summary_arrays(summary)
        k = r + data["frequency"]
        big_a = alpha + data["T"]
        with np.errstate(divide="ignore"):  # t = 0: log t = -inf, P(n > 0) = 0
            n_term = n * (np.log(float(t)) - np.log(big_a + t)) if n > 0 else 0.0
            log_p = (
                gammaln(k + n) - gammaln(k) - math.lgamma(n + 1.0)
                + k * (np.log(big_a) - np.log(big_a + t))
                + n_term
            )
        return as_series(np.exp(log_p), summary, "probability")

    def expected_discounted_residual_transactions(
        self, discount_rate: float, summary: pd.DataFrame
    ) -> pd.Series:
        """Present value of all future purchases, continuous discounting at ``delta``.

        Alive forever at rate ``lambda``: ``int_0^inf lambda e^(-delta u) du = lambda / delta``,
        averaged over the posterior: ``(r + x) / ((alpha + T) delta)``.
        """
        if not (math.isfinite(discount_rate) and discount_rate > 0):
            raise ValueError("discount_rate must be a finite number > 0")
        r, alpha = self._check_fitted()
        data = self._summary_arrays(summary)
        values = (r + data["frequency"]) / ((alpha + data["T"]) * discount_rate)
        return as_series(values, summary, "dert")
