"""Gamma-Gamma model of the average value of a customer's transactions.

Colombo & Jiang (1999), "A stochastic RFM model", Journal of Interactive
Marketing 13(3), in the form of Fader, Hardie & Lee (2005), "RFM and CLV: using
iso-value curves for customer base analysis", Journal of Marketing Research
42(4), 415-430 (FHL-JMR below), and Fader & Hardie (2013), "The gamma-gamma
model of monetary value" (note 025).

Each transaction value of a customer is ``gamma(p, nu)`` (shape ``p``, rate
``nu``); ``nu`` varies across customers as ``gamma(q, v)`` (shape ``q``, rate
``v``; FHL-JMR call it ``gamma``).  The model is fitted on the mean value
``monetary_value`` of each repeat buyer's ``frequency`` repeat transactions, and
assumes spend is independent of the transaction process.
"""

from __future__ import annotations

import math
from typing import ClassVar, Self

import numpy as np
import pandas as pd
from scipy.special import gammaln, polygamma, psi

from clientela.value.models.base import (
    BaseModel,
    FloatArray,
    JointDerivatives,
    ModelFitError,
    SummaryArrays,
    validate_summary,
)
from clientela.value.models.rows import distinct_values, dot

FREQUENCY = "frequency"
MONETARY_VALUE = "monetary_value"


class GammaGamma(JointDerivatives, BaseModel):
    """Gamma-Gamma spend model (parameters ``p, q, v``; fit settings as in :class:`BaseModel`).

    Notes
    -----
    ``fit`` uses the repeat buyers only (rows with ``frequency > 0``): a
    customer without repeat transactions has no observed average.  Rows with
    ``frequency == 0`` are skipped, so the same summary goes to ``fit`` and to
    :meth:`expected_spend`; a summary without repeat buyers is an error.
    ``monetary_value`` must be > 0 for repeat buyers.
    """

    param_names: ClassVar[tuple[str, ...]] = ("p", "q", "v")
    required_columns: ClassVar[tuple[str, ...]] = (FREQUENCY, MONETARY_VALUE)
    _shape_params: ClassVar[tuple[str, ...]] = ("p", "q")
    _limit_reasons: ClassVar[dict[tuple[str, str], str]] = {
        ("p", "high"): "a customer's spend does not vary from purchase to purchase: p -> infinity",
        ("q", "high"): "average spend does not vary between customers: q -> infinity",
        ("v", "high"): "average spend does not vary between customers: v -> infinity",
    }
    # Per row the likelihood is one log and one division, and Newton's method
    # needs about five evaluations: grouping rows by hashing their float
    # averages pays only when they repeat a lot (see compress_rows).
    _compress_max_sample_distinct: ClassVar[float] = 0.5

    excluded_: int

    def __init__(
        self,
        *,
        min_spend: float | None = None,
        max_iter: int = 1000,
        tol: float = 1e-10,
        penalizer: float = 0.0,
        time_grid: float | None = None,
    ) -> None:
        super().__init__(max_iter=max_iter, tol=tol, penalizer=penalizer, time_grid=time_grid)
        self.min_spend = min_spend

    def _check_identifiable(self, compressed: SummaryArrays) -> None:
        """Refuse repeat buyers who all have the same average spend.

        With one average the spread of spend, within a customer's purchases
        and between customers, is not observed: the likelihood grows without
        bound as ``p`` or ``q`` go to infinity.
        """
        super()._check_identifiable(compressed)
        spend = compressed[MONETARY_VALUE][compressed["weights"] > 0]
        if len(spend) and float(spend.min()) == float(spend.max()):
            raise ModelFitError(
                f"the data do not identify the model: every repeat buyer has the same average "
                f"spend ({float(spend[0]):g}), so the spread of spend is not observed; use that "
                "amount as a fixed spend per purchase"
            )

    def fit(self, summary: pd.DataFrame) -> Self:
        """Maximum-likelihood fit on the repeat buyers of ``summary``.

        Parameters
        ----------
        summary : pandas.DataFrame
            Columns ``frequency``, ``monetary_value`` and optionally ``weights``.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            If no row has ``frequency > 0``, or a repeat buyer has
            ``monetary_value <= 0``.
        """
        data = validate_summary(summary, self.required_columns)
        repeat = data[FREQUENCY] > 0
        self.excluded_ = 0
        if self.min_spend is not None:
            if not (math.isfinite(float(self.min_spend)) and float(self.min_spend) >= 0):
                raise ValueError(f"min_spend must be a number >= 0; got {self.min_spend!r}")
            low = repeat & (
                (data[MONETARY_VALUE] < float(self.min_spend)) | (data[MONETARY_VALUE] <= 0)
            )
            self.excluded_ = int(data["weights"][low].sum())
            repeat &= ~low
        self._check_summary({k: v[repeat] for k, v in data.items()})
        if not repeat.any():
            raise ValueError(
                "GammaGamma is fitted on repeat buyers, but no row has frequency > 0; "
                "the average spend of customers without repeat purchases is not observed"
            )
        return super().fit(summary.loc[repeat])

    def _check_summary(self, data: SummaryArrays) -> None:
        bad = (data[FREQUENCY] > 0) & (data[MONETARY_VALUE] <= 0)
        if bad.any():
            raise ValueError(
                f"column {MONETARY_VALUE!r} must be > 0 for repeat buyers (frequency > 0); "
                f"{int(bad.sum())} row(s) have 0 or less (exclude them with min_spend=0, "
                "--min-spend 0 on the command line)"
            )

    def _initial_params(self, data: SummaryArrays) -> FloatArray:
        # Method of moments on the averages keeps the start near the optimum:
        # E(zbar) = p v / (q - 1).  Start with p = q = 2 and match the mean.
        weights = data["weights"]
        mean = dot(weights, data[MONETARY_VALUE]) / float(weights.sum())
        return np.array([2.0, 2.0, max(mean / 2.0, 1e-3)], dtype=np.float64)

    def _log_likelihood(
        self, params: FloatArray, data: SummaryArrays
    ) -> tuple[FloatArray, FloatArray]:
        """Log density of the observed average ``m`` given ``x`` transactions.

        FHL-JMR eq. 3 (and note 025 eq. 6)::

            f(m | p, q, v; x) = G(px + q) / (G(px) G(q))
                                * v^q m^(px - 1) x^(px) / (v + x m)^(px + q)

        i.e. ``x m / v`` is beta-prime(px, q).  Gradient by the digamma function.
        """
        p, q, v = params
        x = data[FREQUENCY]
        m = data[MONETARY_VALUE]
        px = p * x
        log_total = np.log(v + x * m)
        log_m, log_x = np.log(m), np.log(x)
        ll = (
            gammaln(px + q)
            - gammaln(px)
            - gammaln(q)
            + q * math.log(v)
            + (px - 1.0) * log_m
            + px * log_x
            - (px + q) * log_total
        )
        digamma_sum = psi(px + q)
        grad = np.empty((len(x), 3), dtype=np.float64)
        grad[:, 0] = x * (digamma_sum - psi(px) + log_m + log_x - log_total)
        grad[:, 1] = digamma_sum - psi(q) + math.log(v) - log_total
        grad[:, 2] = q / v - (px + q) / (v + x * m)
        return np.asarray(ll, dtype=np.float64), grad

    def _prepare(self, data: SummaryArrays) -> SummaryArrays:
        """Data-only sums and per-row products, computed once per fit.

        ``x`` enters the special functions only through ``p x``, so the
        gammas and digammas are evaluated once per distinct ``x``; the log terms
        of the data are summed once.  See :meth:`_weighted_log_likelihood`.
        """
        x, m, w = data[FREQUENCY], data[MONETARY_VALUE], data["weights"]
        x_unique, x_code = distinct_values(x)
        xi = x_code.astype(np.intp)
        log_m = np.log(m)
        w_by_x = np.bincount(xi, weights=w, minlength=len(x_unique)).astype(np.float64)
        wx = w * x
        return {
            **data,
            "x_unique": x_unique,
            "w_by_x": w_by_x,
            "xm": x * m,
            "wx": wx,
            # [sum w log m, sum w x log m, sum w x log x]; log x per distinct x.
            "data_sums": np.array(
                [dot(w, log_m), dot(wx, log_m), dot(w_by_x * x_unique, np.log(x_unique))]
            ),
        }

    def _weighted_derivatives(
        self, params: FloatArray, data: SummaryArrays, *, hessian: bool
    ) -> tuple[float, FloatArray, FloatArray | None]:
        """Weighted log-likelihood, gradient and (optionally) Hessian.

        Per row only ``log(v + x m)`` and ``1 / (v + x m)`` remain; the gamma
        and digamma terms are evaluated per distinct ``x`` and weighted by the
        weight totals per ``x``; ``sum w (p x - 1) log m`` and ``sum w p x log x``
        come from data sums made once in :meth:`_prepare`.  The Hessian
        differentiates the gradient of :meth:`_log_likelihood` once more:
        trigamma terms per distinct ``x`` and, per row, ``1 / (v + x m)^2``:
        ``d2/dp2 = sum x^2 (psi1(px+q) - psi1(px))``, ``d2/dp dq = sum x
        psi1(px+q)``, ``d2/dp dv = -sum x / (v+xm)``, ``d2/dq2 = sum psi1(px+q)
        - psi1(q)``, ``d2/dq dv = sum 1/v - 1/(v+xm)``, ``d2/dv2 = sum -q/v^2 +
        (px+q) / (v+xm)^2``.
        """
        p, q, v = params
        xu, w_x = data["x_unique"], data["w_by_x"]
        w, wx = data["weights"], data["wx"]
        total_w = float(w_x.sum())
        sum_log_m, sum_x_log_m, sum_x_log_x = data["data_sums"]
        pxu = p * xu
        vt = v + data["xm"]
        log_total = np.log(vt)
        inv_total = 1.0 / vt
        sum_log_total = dot(w, log_total)
        sum_x_log_total = dot(wx, log_total)
        digamma_sum = psi(pxu + q)
        ll = (
            dot(w_x, gammaln(pxu + q) - gammaln(pxu))
            - total_w * (float(gammaln(q)) - q * math.log(v))
            + p * sum_x_log_m
            - sum_log_m
            + p * sum_x_log_x
            - p * sum_x_log_total
            - q * sum_log_total
        )
        grad = np.empty(3)
        grad[0] = (
            dot(w_x * xu, digamma_sum - psi(pxu)) + sum_x_log_m + sum_x_log_x - sum_x_log_total
        )
        sum_x_inv = dot(wx, inv_total)
        sum_inv = dot(w, inv_total)
        grad[1] = dot(w_x, digamma_sum) - total_w * (float(psi(q)) - math.log(v)) - sum_log_total
        grad[2] = total_w * q / v - p * sum_x_inv - q * sum_inv
        if not hessian:
            return ll, grad, None
        tri_sum = polygamma(1, pxu + q)
        inv_total *= inv_total
        hess = np.empty((3, 3))
        hess[0, 0] = dot(w_x * xu * xu, tri_sum - polygamma(1, pxu))
        hess[0, 1] = dot(w_x * xu, tri_sum)
        hess[0, 2] = -sum_x_inv
        hess[1, 1] = dot(w_x, tri_sum) - total_w * float(polygamma(1, q))
        hess[1, 2] = total_w / v - sum_inv
        hess[2, 2] = -total_w * q / v**2 + p * dot(wx, inv_total) + q * dot(w, inv_total)
        hess[1, 0], hess[2, 0], hess[2, 1] = hess[0, 1], hess[0, 2], hess[1, 2]
        return ll, grad, hess

    def mean_spend(self) -> float:
        """Population mean of a customer's average transaction value, ``p v / (q - 1)``.

        Raises
        ------
        ValueError
            If ``q <= 1``: the fitted distribution of average spend then has no
            finite mean (FHL-JMR: the mean of ``p / nu`` needs ``q > 1``).
        """
        p, q, v = self._check_fitted()
        if q <= 1.0:
            raise ValueError(
                f"GammaGamma fitted q = {q:.4g} <= 1: the population mean spend is infinite; "
                "the spend data are too heavy-tailed for this model"
            )
        return float(p * v / (q - 1.0))

    def expected_spend(self, summary: pd.DataFrame) -> pd.Series:
        """Expected average transaction value of each customer, given their history.

        FHL-JMR eq. 5::

            E(M | p, q, v, m, x) = (v + x m) p / (p x + q - 1)
                                 = w * p v / (q - 1) + (1 - w) * m,
            w = (q - 1) / (p x + q - 1),

        a weighted average of the population mean and the customer's own
        average.  Customers with ``frequency == 0`` get the population mean.

        Parameters
        ----------
        summary : pandas.DataFrame
            Columns ``frequency`` and ``monetary_value``.

        Returns
        -------
        pandas.Series
            Indexed like ``summary``, named ``expected_spend``.

        Raises
        ------
        ValueError
            If ``q <= 1`` and a customer would need the (infinite) population mean.
        """
        p, q, v = self._check_fitted()
        if self.min_spend is None:
            data = self._summary_arrays(summary)
        else:  # repeat buyers excluded from the fit are predicted from their own average too
            data = validate_summary(summary, self.required_columns)
        x = data[FREQUENCY]
        m = np.where(x > 0, data[MONETARY_VALUE], 0.0)
        denominator = p * x + q - 1.0
        if np.any(denominator <= 0):
            self.mean_spend()  # raises the explanatory error
        with np.errstate(divide="ignore", invalid="ignore"):
            spend = (v + x * m) * p / denominator
        return pd.Series(spend, index=summary.index, name="expected_spend", dtype=np.float64)
