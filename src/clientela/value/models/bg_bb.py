"""BG/BB: beta-geometric/beta-Bernoulli model for discrete transaction opportunities.

Fader, Hardie & Shang (2010), "Customer-base analysis in a discrete-time
noncontractual setting", Marketing Science 29(6), 1086-1108 (FHS below).

At each of ``n`` transaction opportunities after the first purchase, a living
customer buys with probability ``p ~ beta(alpha, beta)``; at the start of each
opportunity a living customer dies with probability ``theta ~ beta(gamma, delta)``.
A customer's history is summarised by ``frequency`` (x, number of
opportunities with a purchase), ``recency`` (t_x, the opportunity of the last
purchase, 0 if none) and ``n_periods`` (n).  All three are whole numbers with
``x <= t_x <= n`` and ``t_x = 0`` when ``x = 0``.

Every beta function in the model has arguments "parameter + whole number", so
the likelihood reads log-gamma and digamma values from small tables indexed by
that whole number (one table entry per distinct offset, not per customer).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.special import betaln, gammaln, logsumexp, psi

from clientela.value.models.base import BaseModel, FloatArray, SummaryArrays
from clientela.value.models.beta_geometric import survival_sum

FREQUENCY = "frequency"
RECENCY = "recency"
N_PERIODS = "n_periods"

# Rows x opportunities per block of the vectorised dropout sum (bounds memory).
_BLOCK_CELLS = 2_000_000


class _Tables:
    """``gammaln`` and ``psi`` of ``param + k`` for ``k = 0 .. size - 1``."""

    def __init__(self, params: FloatArray, size: int) -> None:
        alpha, beta, gamma, delta = params
        k = np.arange(size + 2, dtype=np.float64)
        bases = {
            "a": alpha,
            "b": beta,
            "ab": alpha + beta,
            "g": gamma,
            "d": delta,
            "gd": gamma + delta,
        }
        self.lg = {name: gammaln(base + k) for name, base in bases.items()}
        self.dg = {name: psi(base + k) for name, base in bases.items()}


def _as_index(values: FloatArray) -> NDArray[np.intp]:
    return values.astype(np.intp)


class BetaGeoBetaBinom(BaseModel):
    """BG/BB model (parameters ``alpha, beta, gamma, delta``; fit settings as in :class:`BaseModel`).

    Notes
    -----
    Predictions follow FHS: :meth:`p_alive` is eq. 11 (alive at opportunity
    ``n + 1``), :meth:`expected_purchases` eq. 13, :meth:`expected_purchases_new`
    eq. 9 and :meth:`probability_of_purchases` eq. 12 (re-derived in its
    docstring).  Horizons ``t`` are whole numbers of opportunities.
    """

    param_names: ClassVar[tuple[str, ...]] = ("alpha", "beta", "gamma", "delta")
    required_columns: ClassVar[tuple[str, ...]] = (FREQUENCY, RECENCY, N_PERIODS)

    # -- validation ---------------------------------------------------------

    def _check_summary(self, data: SummaryArrays) -> None:
        for name in self.required_columns:
            values = data[name]
            if np.any(values != np.floor(values)):
                raise ValueError(f"column {name!r} must hold whole numbers of opportunities")
        x, tx, n = data[FREQUENCY], data[RECENCY], data[N_PERIODS]
        if np.any(x > tx):
            raise ValueError(
                f"column {FREQUENCY!r} must be <= {RECENCY!r} (at most one purchase per opportunity)"
            )
        if np.any(tx > n):
            raise ValueError(f"column {RECENCY!r} must be <= {N_PERIODS!r}")
        if np.any((x == 0) & (tx != 0)):
            raise ValueError(f"column {RECENCY!r} must be 0 for customers with frequency 0")

    # -- likelihood -----------------------------------------------------------

    def _log_likelihood(
        self, params: FloatArray, data: SummaryArrays
    ) -> tuple[FloatArray, FloatArray]:
        """Per-customer log-likelihood (FHS eq. 5) and its gradient.

        ::

            L = B(a+x, b+n-x)/B(a,b) * B(g, d+n)/B(g,d)
              + sum_{i=0}^{n-t_x-1} B(a+x, b+t_x-x+i)/B(a,b) * B(g+1, d+t_x+i)/B(g,d)

        The first term is "alive throughout", term ``i`` "died at the start of
        opportunity ``t_x + i + 1``".  All terms are combined with
        ``logsumexp`` over a (customers x opportunities) array, and the
        gradient is the softmax-weighted average of the terms' gradients.
        """
        return self._log_likelihood_terms(params, data, want_grad=True)

    def _log_likelihood_terms(
        self, params: FloatArray, data: SummaryArrays, *, want_grad: bool
    ) -> tuple[FloatArray, FloatArray]:
        x = _as_index(data[FREQUENCY])
        tx = _as_index(data[RECENCY])
        n = _as_index(data[N_PERIODS])
        rows = len(x)
        size = int(n.max()) + 1 if rows else 1
        tab = _Tables(params, size)
        lg, dg = tab.lg, tab.dg
        c_ab = lg["a"][0] + lg["b"][0] - lg["ab"][0]  # ln B(alpha, beta)
        c_gd = lg["g"][0] + lg["d"][0] - lg["gd"][0]  # ln B(gamma, delta)

        # "alive after n opportunities" term.
        alive = lg["a"][x] + lg["b"][n - x] - lg["ab"][n] - c_ab
        alive += lg["g"][0] + lg["d"][n] - lg["gd"][n] - c_gd

        ll = np.empty(rows, dtype=np.float64)
        grad = np.zeros((rows, 4), dtype=np.float64)
        d_ab = (dg["a"][0] - dg["ab"][0], dg["b"][0] - dg["ab"][0])
        d_gd = (dg["g"][0] - dg["gd"][0], dg["d"][0] - dg["gd"][0])
        width = int((n - tx).max()) if rows else 0
        block = max(1, _BLOCK_CELLS // max(width, 1))
        offsets = np.arange(width, dtype=np.intp)
        for start in range(0, rows, block):
            s = slice(start, start + block)
            xs, ts, ns = x[s], tx[s], n[s]
            j = ts[:, None] + offsets[None, :]  # opportunity index alive through
            valid = offsets[None, :] < (ns - ts)[:, None]
            jc = np.where(valid, j, ts[:, None])  # keep table lookups in range
            xj = xs[:, None]
            died = (
                lg["a"][xj]
                + lg["b"][jc - xj]
                - lg["ab"][jc]
                - c_ab
                + lg["g"][1]
                + lg["d"][jc]
                - lg["gd"][jc + 1]
                - c_gd
            )
            died = np.where(valid, died, -np.inf)
            terms = np.concatenate([alive[s, None], died], axis=1)
            log_l = logsumexp(terms, axis=1)
            ll[s] = log_l
            if not want_grad:
                continue
            weight = np.exp(terms - log_l[:, None])
            w_alive, w_died = weight[:, 0], weight[:, 1:]
            # d/d alpha and d/d beta of ln B(a+x, b+j-x) - ln B(a, b)
            ga_alive = dg["a"][xs] - dg["ab"][ns] - d_ab[0]
            gb_alive = dg["b"][ns - xs] - dg["ab"][ns] - d_ab[1]
            ga_died = dg["a"][xj] - dg["ab"][jc] - d_ab[0]
            gb_died = dg["b"][jc - xj] - dg["ab"][jc] - d_ab[1]
            # d/d gamma and d/d delta of ln B(g, d+n) or ln B(g+1, d+j) - ln B(g, d)
            gg_alive = dg["g"][0] - dg["gd"][ns] - d_gd[0]
            gd_alive = dg["d"][ns] - dg["gd"][ns] - d_gd[1]
            gg_died = dg["g"][1] - dg["gd"][jc + 1] - d_gd[0]
            gd_died = dg["d"][jc] - dg["gd"][jc + 1] - d_gd[1]
            grad[s, 0] = w_alive * ga_alive + (w_died * ga_died).sum(axis=1)
            grad[s, 1] = w_alive * gb_alive + (w_died * gb_died).sum(axis=1)
            grad[s, 2] = w_alive * gg_alive + (w_died * gg_died).sum(axis=1)
            grad[s, 3] = w_alive * gd_alive + (w_died * gd_died).sum(axis=1)
        return ll, grad

    # -- predictions ----------------------------------------------------------

    def _prepared(self, summary: pd.DataFrame) -> tuple[FloatArray, SummaryArrays, FloatArray]:
        params = self._check_fitted()
        data = self._summary_arrays(summary)
        log_l, _ = self._log_likelihood_terms(params, data, want_grad=False)
        return params, data, log_l

    def p_alive(self, summary: pd.DataFrame) -> pd.Series:
        """Probability that each customer is alive at opportunity ``n + 1`` (FHS eq. 11).

        ``B(a+x, b+n-x)/B(a,b) * B(g, d+n+1)/B(g,d) / L``.

        Returns
        -------
        pandas.Series
            Indexed like ``summary``, named ``p_alive``, in [0, 1].
        """
        (alpha, beta, gamma, delta), data, log_l = self._prepared(summary)
        x, n = data[FREQUENCY], data[N_PERIODS]
        log_p = (
            betaln(alpha + x, beta + n - x)
            - betaln(alpha, beta)
            + betaln(gamma, delta + n + 1)
            - betaln(gamma, delta)
            - log_l
        )
        p = np.clip(np.exp(np.minimum(log_p, 0.0)), 0.0, 1.0)
        return pd.Series(p, index=summary.index, name="p_alive", dtype=np.float64)

    def expected_purchases(self, t: ArrayLike, summary: pd.DataFrame) -> pd.Series:
        """Expected purchases in the next ``t`` opportunities, given each history (FHS eq. 13).

        ::

            E[X(n, n+t) | x, t_x, n] = B(a+x+1, b+n-x)/B(a,b) * B(g, d+n)/B(g,d) / L
                                       * sum_{k=1}^{t} B(g, d+n+k)/B(g, d+n)

        The last factor is the paper's ``d/(g-1) * [...]`` gamma-ratio
        difference, evaluated stably by
        :func:`~clientela.value.models.beta_geometric.survival_sum`.

        Parameters
        ----------
        t : int or array_like
            Whole number(s) of future opportunities, broadcast against the rows.
        summary : pandas.DataFrame
            Columns ``frequency``, ``recency``, ``n_periods``.
        """
        (alpha, beta, gamma, delta), data, log_l = self._prepared(summary)
        t_arr = _whole_periods(t, "t")
        x, n = data[FREQUENCY], data[N_PERIODS]
        log_prefix = (
            betaln(alpha + x + 1.0, beta + n - x)
            - betaln(alpha, beta)
            + betaln(gamma, delta + n)
            - betaln(gamma, delta)
            - log_l
        )
        value = np.exp(log_prefix) * survival_sum(gamma, delta + n, t_arr)
        return pd.Series(value, index=summary.index, name="expected_purchases", dtype=np.float64)

    def expected_purchases_new(self, t: ArrayLike) -> FloatArray:
        """Expected purchases in the first ``t`` opportunities of a new customer (FHS eq. 9).

        ``a/(a+b) * sum_{k=1}^{t} B(g, d+k)/B(g, d)`` -- the paper's
        ``a/(a+b) * d/(g-1) * [1 - G(g+d)G(1+d+t)/(G(g+d+t)G(1+d))]``.
        """
        alpha, beta, gamma, delta = self._check_fitted()
        t_arr = _whole_periods(t, "t")
        value = alpha / (alpha + beta) * survival_sum(gamma, delta, t_arr)
        return np.asarray(value, dtype=np.float64)

    def probability_of_purchases(
        self, n_purchases: int, t: int, summary: pd.DataFrame
    ) -> pd.Series:
        """P(exactly ``n_purchases`` purchases in the next ``t`` opportunities | history).

        FHS eq. 12, derived as follows.  Given ``(p, theta)``, let ``A`` be
        the "alive after ``n``" part of the individual likelihood.  A customer
        dead by ``n`` buys nothing; one alive after ``n`` lives ``k`` more
        opportunities (``k < t`` with probability ``theta (1-theta)^k``, all
        ``t`` with ``(1-theta)^t``) and buys Binomial(k, p).  Integrating::

            P = 1{m=0} * (1 - B(a+x, b+n-x) B(g, d+n) / (B(a,b) B(g,d) L))
              + C(t, m) B(a+x+m, b+n-x+t-m)/B(a,b) * B(g, d+n+t)/B(g,d) / L
              + sum_{k=m}^{t-1} C(k, m) B(a+x+m, b+n-x+k-m)/B(a,b)
                                * B(g+1, d+n+k)/B(g,d) / L

        with ``m = n_purchases``.  Vectorised over customers and ``k``.

        Parameters
        ----------
        n_purchases : int
            Number of purchases ``m`` (0 <= m <= t).
        t : int
            Number of future opportunities.
        summary : pandas.DataFrame
            Columns ``frequency``, ``recency``, ``n_periods``.
        """
        (alpha, beta, gamma, delta), data, log_l = self._prepared(summary)
        m = int(n_purchases)
        horizon = int(t)
        if horizon < 0 or m < 0 or m != n_purchases or horizon != t:
            raise ValueError("n_purchases and t must be whole numbers >= 0")
        x, n = data[FREQUENCY], data[N_PERIODS]
        if m > horizon:
            return pd.Series(0.0, index=summary.index, name="probability", dtype=np.float64)
        c_ab, c_gd = betaln(alpha, beta), betaln(gamma, delta)
        log_alive = betaln(alpha + x, beta + n - x) - c_ab + betaln(gamma, delta + n) - c_gd
        total = np.zeros(len(x), dtype=np.float64)
        if m == 0:
            total += -np.expm1(np.minimum(log_alive - log_l, 0.0))
        log_full = (
            _log_binom(horizon, m)
            + betaln(alpha + x + m, beta + n - x + horizon - m)
            - c_ab
            + betaln(gamma, delta + n + horizon)
            - c_gd
        )
        total += np.exp(log_full - log_l)
        if horizon > m:
            k = np.arange(m, horizon, dtype=np.float64)[None, :]
            log_died = (
                _log_binom(k, m)
                + betaln(alpha + x[:, None] + m, beta + (n - x)[:, None] + k - m)
                - c_ab
                + betaln(gamma + 1.0, delta + n[:, None] + k)
                - c_gd
            )
            total += np.exp(logsumexp(log_died, axis=1) - log_l)
        return pd.Series(
            np.clip(total, 0.0, 1.0), index=summary.index, name="probability", dtype=np.float64
        )


def _log_binom(n: ArrayLike, k: float) -> FloatArray:
    n_arr = np.asarray(n, dtype=np.float64)
    return np.asarray(
        gammaln(n_arr + 1.0) - gammaln(k + 1.0) - gammaln(n_arr - k + 1.0), dtype=np.float64
    )


def _whole_periods(t: ArrayLike, name: str) -> FloatArray:
    values = np.asarray(t, dtype=np.float64)
    if np.any(~np.isfinite(values)) or np.any(values < 0) or np.any(values != np.floor(values)):
        raise ValueError(f"{name} must be a whole number of opportunities >= 0")
    return values
