"""BG/NBD: the beta-geometric / negative binomial distribution model.

Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers"
the easy way: an alternative to the Pareto/NBD model. *Marketing Science*
24(2), 275-284.  Notation and equation numbers below are the paper's.

While alive, a customer buys at rate ``lambda ~ Gamma(r, alpha)``; after each
repeat purchase she drops out with probability ``p ~ Beta(a, b)``.

The module also hosts what the MBG/NBD variant shares (see
:mod:`clientela.value.models.mbg_nbd`): the two models differ only in whether
a customer can drop out right after the first purchase, which shows up as a
shift of ``b + x`` by one in every formula (``_shift`` below).
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.special import betainc, betaln, digamma, expit, gammaln, polygamma

from clientela.value.models.base import (
    BaseModel,
    FloatArray,
    JointDerivatives,
    ModelFitError,
    SummaryArrays,
)
from clientela.value.models.bg_quadrature import (
    CHUNK,
    QUADRATURE_NODES,
    beta_quadrature,
    discounted_alive_purchases,
    distinct_pairs,
)
from clientela.value.models.rows import distinct_values, dot


def check_frequency_recency_t(data: SummaryArrays) -> None:
    """Validate ``frequency, recency, T`` columns (already finite and >= 0).

    Raises
    ------
    ValueError
        If ``frequency`` is not whole, ``recency > T``, or a customer with no
        repeat purchase has a positive ``recency``.
    """
    x, t_x, big_t = data["frequency"], data["recency"], data["T"]
    if np.any(x != np.floor(x)):
        raise ValueError("column 'frequency' must hold whole numbers of repeat purchases")
    bad = t_x > big_t * (1 + 1e-12)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"column 'recency' must be <= 'T' (row {i}: {t_x[i]} > {big_t[i]})")
    bad = (x == 0) & (t_x > 0)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"column 'recency' must be 0 when 'frequency' is 0 (row {i})")


def require_repeat_purchases(data: SummaryArrays) -> None:
    """Refuse data in which nobody buys again: only ``r/alpha -> 0`` fits them."""
    if not np.any((data["frequency"] > 0) & (data["weights"] > 0)):
        raise ModelFitError(
            "no customer made a repeat purchase, so the purchase-rate parameters are "
            "not identified; use a longer observation period"
        )


def as_series(values: FloatArray, summary: pd.DataFrame, name: str) -> pd.Series:
    """Per-customer results indexed like the summary they came from."""
    return pd.Series(values, index=summary.index, name=name)


class BetaGeo(JointDerivatives, BaseModel):
    """BG/NBD model (Fader, Hardie & Lee 2005).

    Fit on a summary with columns ``frequency`` (repeat purchases ``x``),
    ``recency`` (``t_x``) and ``T``, all in the same time unit, optionally
    ``weights``.  Parameters: ``r, alpha`` (purchase rate) and ``a, b``
    (dropout probability).

    Examples
    --------
    >>> from clientela.value.datasets import load_cdnow_summary
    >>> model = BetaGeo().fit(load_cdnow_summary())
    >>> round(model.params_["r"], 3)
    0.243
    """

    param_names: ClassVar[tuple[str, ...]] = ("r", "alpha", "a", "b")
    required_columns: ClassVar[tuple[str, ...]] = ("frequency", "recency", "T")
    _shape_params: ClassVar[tuple[str, ...]] = ("r", "a", "b")
    _limit_reasons: ClassVar[dict[tuple[str, str], str]] = {
        ("r", "high"): "purchase rates do not vary between customers more than chance: r -> infinity",
        ("a", "low"): "no dropout is visible: a -> 0, nobody seems to have left",
        ("b", "high"): "no dropout is visible: b -> infinity, nobody seems to have left",
        ("r", "low"): "r -> 0",
        ("a", "high"): "a -> infinity",
        ("b", "low"): "b -> 0",
    }
    # DERT is a numerical double integral here (expected_discounted_residual_
    # transactions): customer_lifetime_value adds it only when asked.
    dert_is_closed_form: ClassVar[bool] = False
    # 0: dropout only after repeat purchases (BG/NBD); 1: also right after the
    # first purchase (MBG/NBD).  Posterior of p given alive is Beta(a, b + x + shift).
    _shift: ClassVar[int] = 0

    def _check_summary(self, data: SummaryArrays) -> None:
        check_frequency_recency_t(data)

    def _prepare(self, data: SummaryArrays) -> SummaryArrays:
        require_repeat_purchases(data)
        x_unique, x_code = distinct_values(data["frequency"])
        t_unique, t_code = distinct_values(data["T"])
        tx_unique, tx_code = distinct_values(data["recency"])
        w = data["weights"]
        xi, ti = x_code.astype(np.intp), t_code.astype(np.intp)
        # Rows whose likelihood has the dropout term (x' > 0); the others have
        # d = -inf and contribute through per-distinct-value sums only.
        active = (data["frequency"] + self._shift) > 0
        return {
            **data,
            "x_unique": x_unique,
            "x_code": x_code,
            "T_unique": t_unique,
            "T_code": t_code,
            "tx_unique": tx_unique,
            # Weight sums per distinct x and per distinct T (weighted by 1 and by x).
            "w_by_x": np.bincount(xi, weights=w, minlength=len(x_unique)).astype(np.float64),
            "w_by_T": np.bincount(ti, weights=w, minlength=len(t_unique)).astype(np.float64),
            "wx_by_T": np.bincount(
                ti, weights=w * data["frequency"], minlength=len(t_unique)
            ).astype(np.float64),
            "act_x": data["frequency"][active],
            "act_w": w[active],
            "act_x_code": x_code[active],
            "act_T_code": t_code[active],
            "act_tx_code": tx_code[active],
        }

    def _initial_params(self, data: SummaryArrays) -> FloatArray:
        w = data["weights"]
        mean_t = dot(w, data["T"]) / float(w.sum())
        return np.array([1.0, max(mean_t, 1e-3), 1.0, 1.0])

    def _log_likelihood(
        self, params: FloatArray, data: SummaryArrays
    ) -> tuple[FloatArray, FloatArray]:
        """Log of the individual likelihood, paper eq. (6), and its gradient.

        ``L = B(a, b+x')/B(a, b) * G(x) / (alpha+T)^(r+x)
        + [x' > 1] B(a+1, b+x'-1)/B(a, b) * G(x) / (alpha+t_x)^(r+x)``

        with ``G(x) = Gamma(r+x) alpha^r / Gamma(r)`` and ``x' = x + shift``.
        The second term over the first is ``exp(d)``,
        ``d = log a - log(b+x'-1) + (r+x) log((alpha+T)/(alpha+t_x))``, so
        ``log L = log first + softplus(d)``: no overflow however large ``x`` or
        ``T`` get, and the mixing weight ``sigmoid(d)`` gives the gradient.
        Special functions are evaluated once per distinct ``x``; logarithms of
        ``alpha + T`` once per distinct ``T``.
        """
        r, alpha, a, b = params
        x = data["frequency"]
        t_x = data["recency"]
        xu = data["x_unique"]
        xi = data["x_code"].astype(np.intp)
        ti = data["T_code"].astype(np.intp)
        bx = b + xu + self._shift  # b + x' per distinct x
        has_dropout_term = (xu + self._shift) > 0

        # Terms depending on x only.
        log_g = gammaln(r + xu) - gammaln(r) + r * np.log(alpha)
        log_beta_ratio = betaln(a, bx) - betaln(a, b)
        log_odds_x = np.where(
            has_dropout_term, np.log(a) - np.log(np.where(has_dropout_term, bx - 1, 1.0)), 0.0
        )
        d_r_x = digamma(r + xu) - digamma(r) + np.log(alpha)
        d_a_x = digamma(a + b) - digamma(a + bx)
        d_b_x = digamma(bx) - digamma(a + bx) - digamma(b) + digamma(a + b)
        inv_bx1 = np.where(has_dropout_term, 1.0 / np.where(has_dropout_term, bx - 1, 1.0), 0.0)

        log_at = np.log(alpha + data["T_unique"])[ti]
        log_atx = np.log(alpha + t_x)
        rx = r + x
        d = log_odds_x[xi] + rx * (log_at - log_atx)
        active = has_dropout_term[xi]
        d = np.where(active, d, -np.inf)
        ll = log_g[xi] + log_beta_ratio[xi] - rx * log_at + np.logaddexp(0.0, d)
        w2 = np.where(active, expit(d), 0.0)
        w1 = 1.0 - w2

        grad = np.empty((4, len(x))).T  # column-contiguous: fast weights @ grad
        grad[:, 0] = d_r_x[xi] - w1 * log_at - w2 * log_atx
        grad[:, 1] = r / alpha - rx * (w1 / (alpha + data["T_unique"])[ti] + w2 / (alpha + t_x))
        grad[:, 2] = d_a_x[xi] + w2 / a
        grad[:, 3] = d_b_x[xi] - w2 * inv_bx1[xi]
        return ll, grad

    def _weighted_derivatives(
        self, params: FloatArray, data: SummaryArrays, *, hessian: bool
    ) -> tuple[float, FloatArray, FloatArray | None]:
        """``sum_i w_i log L_i``, its gradient and (optionally) its Hessian.

        Same formula as :meth:`_log_likelihood`, regrouped so that only the
        terms that depend on all of ``(x, t_x, T)`` -- the softplus of ``d``
        and the mixing weight ``sigmoid(d)`` -- are evaluated per row, and only
        for rows with a dropout term.  Everything else is a dot product of
        per-distinct-value terms with weight sums precomputed in
        :meth:`_prepare`:
        ``sum_i w_i (r+x_i) log(alpha+T_i) = sum_T (r W_T + (Wx)_T) log(alpha+T)``.
        The gradient uses ``w1 f(T) + w2 f(t_x) = f(T) - w2 (f(T) - f(t_x))``.

        Hessian: the part outside the softplus is separable (trigamma terms
        per distinct ``x``, powers of ``1/(alpha+T)`` per distinct ``T``); the
        softplus adds ``sum_i w_i [s(1-s) grad d grad d' + s hess d]`` with
        ``s = sigmoid(d)``, ``grad d = (log((alpha+T)/(alpha+t_x)),
        -(r+x) (1/(alpha+t_x) - 1/(alpha+T)), 1/a, -1/(b+x'-1))``, whose
        nonzero second derivatives are ``d2/dr dalpha = -(1/(alpha+t_x) -
        1/(alpha+T))``, ``d2/dalpha2 = (r+x) (1/(alpha+t_x)^2 - 1/(alpha+T)^2)``,
        ``d2/da2 = -1/a^2`` and ``d2/db2 = 1/(b+x'-1)^2``.  Terms in ``a`` and
        ``b`` depend on the row through ``x`` only and are summed per distinct
        ``x``.  The Hessian costs about as much as the gradient, and lets
        :func:`~clientela.value.models.base.newton_maximize` converge in a
        handful of evaluations.
        """
        r, alpha, a, b = params
        xu = data["x_unique"]
        bx = b + xu + self._shift
        has_dropout_term = (xu + self._shift) > 0
        safe_bx1 = np.where(has_dropout_term, bx - 1, 1.0)
        log_odds_x = np.where(has_dropout_term, np.log(a) - np.log(safe_bx1), 0.0)
        inv_bx1 = np.where(has_dropout_term, 1.0 / safe_bx1, 0.0)
        w_x, w_t, wx_t = data["w_by_x"], data["w_by_T"], data["wx_by_T"]
        total_w = float(w_x.sum())

        alpha_t = alpha + data["T_unique"]
        log_at = np.log(alpha_t)
        inv_at = 1.0 / alpha_t
        alpha_tx = alpha + data["tx_unique"]
        log_atx = np.log(alpha_tx)
        inv_atx = 1.0 / alpha_tx

        # Per-row part, rows with a dropout term only.
        xi = data["act_x_code"].astype(np.intp)
        ti = data["act_T_code"].astype(np.intp)
        txi = data["act_tx_code"].astype(np.intp)
        w = data["act_w"]
        rx = r + data["act_x"]
        diff = log_at[ti] - log_atx[txi]
        d = log_odds_x[xi] + rx * diff
        # softplus(d) = log(1 + e^d) and sigmoid(d) = e^d / (1 + e^d) from one
        # exp and one log (vectorised ufuncs, several times faster than
        # logaddexp/expit); d is capped at 700 so e^d stays finite, and the cap
        # is added back (log(1 + e^d) = d to double precision beyond d = 37).
        capped = np.minimum(d, 700.0)
        e = np.exp(capped)
        one_e = 1.0 + e
        softplus = np.log(one_e) + (d - capped)
        ww2 = w * e / one_e  # w * sigmoid(d)
        dinv = inv_atx[txi] - inv_at[ti]  # >= 0: t_x <= T
        k_dinv = rx * dinv  # -d(d)/d(alpha)
        ww2_by_x = np.bincount(xi, weights=ww2, minlength=len(xu)).astype(np.float64)

        sum_log_at = dot(w_t, log_at)
        sum_inv_at = dot(w_t, inv_at)
        ll = (
            dot(w_x, gammaln(r + xu) + betaln(a, bx))
            - total_w * (gammaln(r) - r * math.log(alpha) + float(betaln(a, b)))
            - (r * sum_log_at + dot(wx_t, log_at))
            + dot(w, softplus)
        )
        grad = np.empty(4)
        grad[0] = (
            dot(w_x, digamma(r + xu))
            - total_w * (float(digamma(r)) - math.log(alpha))
            - sum_log_at
            + dot(ww2, diff)
        )
        grad[1] = total_w * r / alpha - (r * sum_inv_at + dot(wx_t, inv_at)) - dot(ww2, k_dinv)
        sum_ww2 = float(ww2_by_x.sum())
        grad[2] = dot(w_x, -digamma(a + bx)) + total_w * float(digamma(a + b)) + sum_ww2 / a
        grad[3] = (
            dot(w_x, digamma(bx) - digamma(a + bx))
            + total_w * float(digamma(a + b) - digamma(b))
            - dot(ww2_by_x, inv_bx1)
        )
        if not hessian:
            return ll, grad, None

        # s (1 - s) per row, times the weight: w e / (1 + e)^2.
        wss = ww2 / one_e
        wss_diff = wss * diff
        wss_k = wss * k_dinv
        wss_by_x = np.bincount(xi, weights=wss, minlength=len(xu)).astype(np.float64)
        wss_diff_by_x = np.bincount(xi, weights=wss_diff, minlength=len(xu)).astype(np.float64)
        wss_k_by_x = np.bincount(xi, weights=wss_k, minlength=len(xu)).astype(np.float64)
        sum_wss = float(wss_by_x.sum())
        tri_ab = polygamma(1, a + bx)
        tri_ab0 = float(polygamma(1, a + b))
        inv_at2 = inv_at * inv_at
        hess = np.empty((4, 4))
        hess[0, 0] = (
            dot(w_x, polygamma(1, r + xu)) - total_w * float(polygamma(1, r)) + dot(wss_diff, diff)
        )
        hess[0, 1] = total_w / alpha - sum_inv_at - dot(wss_diff, k_dinv) - dot(ww2, dinv)
        hess[1, 1] = (
            -total_w * r / alpha**2
            + r * dot(w_t, inv_at2)
            + dot(wx_t, inv_at2)
            + dot(wss_k, k_dinv)
            + dot(ww2, k_dinv * (inv_atx[txi] + inv_at[ti]))
        )
        hess[0, 2] = float(wss_diff_by_x.sum()) / a
        hess[0, 3] = -dot(wss_diff_by_x, inv_bx1)
        hess[1, 2] = -float(wss_k_by_x.sum()) / a
        hess[1, 3] = dot(wss_k_by_x, inv_bx1)
        hess[2, 2] = -dot(w_x, tri_ab) + total_w * tri_ab0 + sum_wss / a**2 - sum_ww2 / a**2
        hess[2, 3] = -dot(w_x, tri_ab) + total_w * tri_ab0 - dot(wss_by_x, inv_bx1) / a
        hess[3, 3] = (
            dot(w_x, polygamma(1, bx) - tri_ab)
            - total_w * (float(polygamma(1, b)) - tri_ab0)
            + dot(wss_by_x, inv_bx1 * inv_bx1)
            + dot(ww2_by_x, inv_bx1 * inv_bx1)
        )
        for i in range(4):
            for j in range(i):
                hess[i, j] = hess[j, i]
        return ll, grad, hess

    # -- predictions ----------------------------------------------------------

    def _log_odds_dead(self, params: FloatArray, data: SummaryArrays) -> FloatArray:
        """``d`` of :meth:`_log_likelihood`: log odds of "dropped out" vs alive."""
        r, alpha, a, b = params
        x, t_x, big_t = data["frequency"], data["recency"], data["T"]
        xs = x + self._shift
        active = xs > 0
        denom = np.where(active, b + xs - 1, 1.0)
        d = np.log(a) - np.log(denom) + (r + x) * (np.log(alpha + big_t) - np.log(alpha + t_x))
        return np.where(active, d, -np.inf)

    def p_alive(self, summary: pd.DataFrame) -> pd.Series:
        """Probability each customer is still alive at ``T``, paper eq. (11).

        ``P(alive) = 1 / (1 + exp(d))``, evaluated as ``expit(-d)``.
        """
        params = self._check_fitted()
        data = self._summary_arrays(summary)
        return as_series(expit(-self._log_odds_dead(params, data)), summary, "p_alive")

    def _alive_expectation(
        self, t: float, params: FloatArray, x: FloatArray, big_t: FloatArray
    ) -> FloatArray:
        """E[purchases in (T, T+t] | alive at T, x], by Gauss-Jacobi quadrature.

        Given alive, ``lambda ~ Gamma(r+x, alpha+T)`` and
        ``p ~ Beta(a, b+x')``; a customer with ``(lambda, p)`` buys
        ``(1 - exp(-lambda p t)) / p`` times in expectation before dropping out
        (each purchase ends her life with probability ``p``).  Averaging over
        ``lambda`` in closed form gives ``g(p) = (1 - (1 + p u)^-(r+x)) / p``
        with ``u = t/(alpha+T)``; the average over ``p`` is a Gauss-Jacobi rule
        for the Beta weight, one per distinct ``x``.  This equals paper eq. (10)
        but, unlike its ``2F1`` form, never subtracts two nearly equal numbers
        and needs no ``a > 1``.
        """
        return self._alive_expectation_curve(np.array([float(t)]), params, x, big_t)[:, 0]

    def _alive_expectation_curve(
        self, ts: FloatArray, params: FloatArray, x: FloatArray, big_t: FloatArray
    ) -> FloatArray:
        """:meth:`_alive_expectation` for every horizon in ``ts``: shape ``(n, len(ts))``.

        The result depends on ``(x, T)`` only, so it is evaluated once per
        distinct pair, with the quadrature rules shared by all horizons.
        """
        out = np.zeros((len(x), len(ts)))
        positive = ts > 0
        if not positive.any() or len(x) == 0:
            return out
        pair_codes, x_pair, t_pair = distinct_pairs(x, big_t)
        per_pair = self._alive_expectation_rows(ts[positive], params, x_pair, t_pair)
        out[:, positive] = per_pair[pair_codes]
        return out

    def _alive_expectation_rows(
        self, ts: FloatArray, params: FloatArray, x: FloatArray, big_t: FloatArray
    ) -> FloatArray:
        """Quadrature per row and horizon (``ts > 0``), shape ``(n, len(ts))``."""
        r, alpha, a, b = params
        out = np.zeros((len(x), len(ts)))
        xu, xi = np.unique(x, return_inverse=True)
        nodes = np.empty((len(xu), QUADRATURE_NODES))
        weights = np.empty_like(nodes)
        for j, xv in enumerate(xu):  # one rule per distinct frequency, not per customer
            nodes[j], weights[j] = beta_quadrature(
                QUADRATURE_NODES, float(a), float(b + xv + self._shift)
            )
        # sum_j w_j g(p_j) = sum_j -expm1(-k log1p(p_j u)) * (w_j / p_j): one
        # (rows, horizons, nodes) block, worked on in place, then contracted
        # with w/p.  Blocks of ~CHUNK cells stay in cache (large temporaries
        # cost more in page faults and memory traffic than in arithmetic).
        weight_over_node = weights / nodes
        chunk = max(1, CHUNK // (len(ts) * QUADRATURE_NODES))
        for start in range(0, len(x), chunk):
            sl = slice(start, start + chunk)
            codes = xi[sl]
            block = (
                nodes[codes][:, None, :] * (ts[None, :] / (alpha + big_t[sl])[:, None])[:, :, None]
            )
            np.log1p(block, out=block)
            block *= -(r + x[sl])[:, None, None]
            np.expm1(block, out=block)
            out[sl] = np.einsum("chm,cm->ch", block, -weight_over_node[codes])
        return out

    def expected_purchases(self, t: float, summary: pd.DataFrame) -> pd.Series:
        """Expected purchases in ``(T, T+t]`` given each customer's history, eq. (10)."""
        params = self._check_fitted()
        data = self._summary_arrays(summary)
        alive = expit(-self._log_odds_dead(params, data))
        cond = self._alive_expectation(float(t), params, data["frequency"], data["T"])
        return as_series(alive * cond, summary, "expected_purchases")

    def expected_purchases_curve(self, ts: ArrayLike, summary: pd.DataFrame) -> FloatArray:
        """:meth:`expected_purchases` for every horizon in ``ts`` at once.

        Returns an array of shape ``(len(summary), len(ts))`` whose column ``j``
        equals ``expected_purchases(ts[j], summary)``; P(alive) and the
        quadrature rules are computed once for all horizons (used by
        :func:`~clientela.value.clv.customer_lifetime_value`).
        """
        params = self._check_fitted()
        data = self._summary_arrays(summary)
        horizons = np.atleast_1d(np.asarray(ts, dtype=np.float64))
        alive = expit(-self._log_odds_dead(params, data))
        cond = self._alive_expectation_curve(horizons, params, data["frequency"], data["T"])
        return np.asarray(alive[:, None] * cond, dtype=np.float64)

    def expected_purchases_discounted(
        self, factors: ArrayLike, summary: pd.DataFrame
    ) -> tuple[FloatArray, FloatArray]:
        """Expected purchases over ``len(factors)`` periods, undiscounted and discounted.

        Returns ``E(h)`` (:meth:`expected_purchases` at ``h = len(factors)``)
        and ``sum_{k=1}^{h} factors[k-1] * max(E(k) - E(k-1), 0)`` per
        customer -- what :func:`~clientela.value.clv.customer_lifetime_value`
        needs.  ``E(k) = P(alive) * C(k)`` with ``C`` depending on ``(x, T)``
        only and ``P(alive) >= 0``, so the discounted increments are summed
        once per distinct ``(x, T)`` and scaled by P(alive): no
        ``(customers, periods)`` array is formed.
        """
        params = self._check_fitted()
        data = self._summary_arrays(summary)
        weights = np.atleast_1d(np.asarray(factors, dtype=np.float64))
        horizons = np.arange(1, len(weights) + 1, dtype=np.float64)
        alive = expit(-self._log_odds_dead(params, data))
        if len(alive) == 0:
            return np.zeros(0), np.zeros(0)
        pair_codes, x_pair, t_pair = distinct_pairs(data["frequency"], data["T"])
        cond = self._alive_expectation_rows(horizons, params, x_pair, t_pair)
        increments = np.maximum(np.diff(cond, axis=1, prepend=0.0), 0.0)
        discounted = np.einsum("ph,h->p", increments, weights)  # no BLAS threads
        return (
            np.asarray(alive * cond[:, -1][pair_codes], dtype=np.float64),
            np.asarray(alive * discounted[pair_codes], dtype=np.float64),
        )

    def expected_purchases_new(self, t: float | FloatArray) -> FloatArray:
        """Expected repeat purchases in ``(0, t]`` of a customer just acquired, eq. (7)."""
        params = self._check_fitted()
        ts = np.atleast_1d(np.asarray(t, dtype=np.float64))
        zero = np.zeros(1)
        new = {"frequency": zero, "recency": zero, "T": zero}
        alive = float(expit(-self._log_odds_dead(params, new))[0])
        return np.asarray(alive * self._alive_expectation_curve(ts, params, zero, zero)[0])

    def probability_of_purchases(self, n: int, t: float, summary: pd.DataFrame) -> pd.Series:
        """P(exactly ``n`` purchases in ``(T, T+t]``) given each customer's history.

        Given alive with ``(lambda, p)``: ``P(0) = exp(-lambda t)``, and for
        ``n >= 1`` the first ``n-1`` purchases are survived and either the
        ``n``-th ends her life (then ``Poisson(lambda t) >= n``) or she survives
        it and makes no more by ``t`` (``Poisson(lambda t) = n``).  Averaging
        over ``lambda ~ Gamma(r+x, alpha+T)`` turns the Poisson terms into the
        NBD pmf and tail (a regularised incomplete beta), and over
        ``p ~ Beta(a, b+x')`` into beta-function ratios, all in log-space.
        Customers already dead contribute to ``n = 0``.
        """
        if n < 0 or n != int(n):
            raise ValueError("n must be a whole number >= 0")
        params = self._check_fitted()
        r, alpha, a, b = params
        data = self._summary_arrays(summary)
        x, big_t = data["frequency"], data["T"]
        alive = expit(-self._log_odds_dead(params, data))
        k = r + x
        log_theta = np.log(alpha + big_t) - np.log(alpha + big_t + t)  # P(no purchase) base
        log_one_minus_theta = np.log(t) - np.log(alpha + big_t + t) if t > 0 else -np.inf
        if n == 0:
            cond = np.exp(k * log_theta)
            return as_series((1.0 - alive) + alive * cond, summary, "probability")
        bx = b + x + self._shift
        log_nbd = (
            gammaln(k + n) - gammaln(k) - gammaln(n + 1.0) + k * log_theta + n * log_one_minus_theta
        )
        tail = betainc(float(n), k, np.exp(log_one_minus_theta)) if t > 0 else np.zeros_like(k)
        die_at_n = np.exp(betaln(a + 1, bx + n - 1) - betaln(a, bx))
        survive_n = np.exp(betaln(a, bx + n) - betaln(a, bx) + log_nbd)
        return as_series(alive * (die_at_n * tail + survive_n), summary, "probability")

    def expected_discounted_residual_transactions(
        self, discount_rate: float, summary: pd.DataFrame
    ) -> pd.Series:
        """Discounted expected residual transactions (DERT) of each customer.

        The present value at ``T`` of all future purchases, discounted
        continuously at ``discount_rate`` per time unit of the summary (an
        annual rate ``d`` on weekly data is ``log(1+d)/52``), as Fader, Hardie
        & Lee (2005, JMR 42(4)) define DERT for the Pareto/NBD (their eq. 2).

        Derivation (ours): given alive at ``T`` with purchase rate ``lambda``
        and dropout probability ``p``, each purchase ends the customer's life
        with probability ``p``, so she is alive at ``T + t`` with probability
        ``exp(-lambda p t)`` and buys at rate ``lambda exp(-lambda p t)``;
        discounted, ``int_0^inf exp(-delta t) lambda exp(-lambda p t) dt =
        lambda / (delta + lambda p)``.  With ``lambda ~ Gamma(r+x, alpha+T)``
        and ``p ~ Beta(a, b+x')`` given alive (paper notation, ``k = r+x``,
        ``A = alpha+T``), writing ``1/(delta + lambda p)`` as an integral and
        averaging over ``lambda`` in closed form::

            DERT = P(alive) * k * int_0^inf exp(-delta A u) E_p[(1 + p u)^-(k+1)] du

        (for ``p -> 0`` this is ``P(alive) k / (delta A)``, the discounted
        purchases of a customer who never leaves).  See
        :meth:`_discounted_alive_purchases` for the numerics.  The result
        depends on ``(x, T)`` through the integral and on ``t_x`` through
        P(alive) only, so the integral is computed once per distinct ``(x, T)``.

        Raises
        ------
        ValueError
            If ``discount_rate`` is not a finite number > 0 (without
            discounting the sum of all future purchases is infinite).
        """
        if not (math.isfinite(discount_rate) and discount_rate > 0):
            raise ValueError("discount_rate must be a finite number > 0")
        params = self._check_fitted()
        data = self._summary_arrays(summary)
        alive = expit(-self._log_odds_dead(params, data))
        if len(alive) == 0:
            return as_series(np.zeros(0), summary, "dert")
        pair_codes, x_pair, t_pair = distinct_pairs(data["frequency"], data["T"])
        per_pair = self._discounted_alive_purchases(float(discount_rate), params, x_pair, t_pair)
        return as_series(alive * per_pair[pair_codes], summary, "dert")

    def _discounted_alive_purchases(
        self, delta: float, params: FloatArray, x: FloatArray, big_t: FloatArray
    ) -> FloatArray:
        """DERT given alive per row: :func:`~clientela.value.models.bg_quadrature.discounted_alive_purchases`."""
        return discounted_alive_purchases(delta, params, x, big_t, self._shift)
