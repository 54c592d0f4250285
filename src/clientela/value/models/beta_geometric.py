"""Sums of beta-geometric survival probabilities, shared by BG/BB and sBG.

Both discrete-time models mix a geometric lifetime over a beta distribution of
the per-period dropout probability ``theta ~ beta(a, b)``.  The survival
function is ``S(k) = B(a, b + k) / B(a, b)`` and the quantity both need is its
partial sum

    ``sum_{k=1}^{t} B(a, b + k) / B(a, b)``

(expected future periods alive; FHS 2010 eq. 9 and 13; Fader & Hardie 2007).
By ``B(a, c) = B(a - 1, c) - B(a - 1, c + 1)`` the sum telescopes to

    ``b / (a - 1) * [1 - G(b + 1 + t) G(a + b) / (G(b + 1) G(a + b + t))]``,

the closed form in the papers, which is 0/0 at ``a = 1`` and loses digits when
the two gamma ratios nearly cancel.  :func:`survival_sum` therefore sums the
terms directly for the first ``DIRECT_SUM_LIMIT`` periods (a running product of
``(b + j) / (a + b + j)``, exact) and adds the rest of a long horizon with the
closed form, written with ``exprel`` and a series in ``a - 1`` near ``a = 1``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import exprel, gammaln, polygamma, psi

FloatArray = NDArray[np.float64]

#: Horizons up to this many periods are summed term by term.
DIRECT_SUM_LIMIT = 512


def survival_sum(a: float, b: ArrayLike, t: ArrayLike) -> FloatArray:
    """``sum_{k=1}^{t} B(a, b + k) / B(a, b)``, vectorised over ``b`` and ``t``.

    Parameters
    ----------
    a : float
        First beta parameter, > 0.
    b : array_like
        Second beta parameter(s), > 0 (e.g. ``delta + n`` for a customer seen
        for ``n`` periods).
    t : array_like
        Whole numbers of periods, >= 0; broadcast against ``b``.

    Returns
    -------
    numpy.ndarray
        The sums, finite and >= 0 for finite input; 0 where ``t == 0``.

    Notes
    -----
    Work is done once per distinct ``(b, t)`` pair, so a million customers
    sharing a few distinct histories cost a few evaluations.
    """
    b_arr, t_arr = np.broadcast_arrays(
        np.asarray(b, dtype=np.float64), np.asarray(t, dtype=np.float64)
    )
    shape = b_arr.shape
    pairs = np.column_stack([b_arr.ravel(), t_arr.ravel()])
    if pairs.shape[0] == 0:
        return np.zeros(shape, dtype=np.float64)
    unique, inverse = np.unique(pairs, axis=0, return_inverse=True)
    ub, ut = unique[:, 0], unique[:, 1]
    head_t = np.minimum(ut, DIRECT_SUM_LIMIT)
    out, log_last = _direct_sum(a, ub, head_t)
    long = ut > DIRECT_SUM_LIMIT
    if long.any():
        # sum_{k=L+1}^{t} S(k) = S(L) * sum_{k=1}^{t-L} B(a, b+L+k)/B(a, b+L): the
        # exact head plus a non-negative tail keeps the sum non-decreasing in t.
        tail = _closed_form(a, ub[long] + DIRECT_SUM_LIMIT, ut[long] - DIRECT_SUM_LIMIT)
        out[long] += np.exp(log_last[long]) * tail
    return np.asarray(out[inverse.ravel()].reshape(shape), dtype=np.float64)


def _direct_sum(a: float, b: FloatArray, t: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Term-by-term sums and ``ln S(t)``; term_k = prod_{j<k} (b + j) / (a + b + j).

    Summed with a running (sequential) sum so that the result never decreases
    as ``t`` grows, even when the terms are below rounding.
    """
    width = int(t.max()) if len(t) else 0
    if width == 0:
        return np.zeros(len(b), dtype=np.float64), np.zeros(len(b), dtype=np.float64)
    j = np.arange(width, dtype=np.float64)
    log_ratio = np.log(b[:, None] + j) - np.log(a + b[:, None] + j)
    log_terms = np.cumsum(log_ratio, axis=1)
    running = np.cumsum(np.exp(log_terms), axis=1)
    rows = np.arange(len(b))
    last = np.maximum(t.astype(np.intp) - 1, 0)
    sums = np.where(t > 0, running[rows, last], 0.0)
    log_last = np.where(t > 0, log_terms[rows, last], 0.0)
    return np.asarray(sums, dtype=np.float64), np.asarray(log_last, dtype=np.float64)


def _closed_form(a: float, b: FloatArray, t: FloatArray) -> FloatArray:
    """Telescoped closed form ``b * (y / (a - 1)) * exprel(-y)``.

    ``y = [lnG(a+b+t) - lnG(b+1+t)] - [lnG(a+b) - lnG(b+1)]``, so that
    ``1 - exp(-y) = y * exprel(-y)`` and the division by ``a - 1`` is exact.
    Near ``a = 1`` the ratio ``y / (a - 1)`` comes from its Taylor series in
    ``e = a - 1`` (polygamma terms), which has no cancellation.
    """
    e = a - 1.0
    lo, hi = b + 1.0, b + 1.0 + t
    if abs(e) < 1e-4:
        slope = (
            (psi(hi) - psi(lo))
            + e / 2.0 * (polygamma(1, hi) - polygamma(1, lo))
            + e * e / 6.0 * (polygamma(2, hi) - polygamma(2, lo))
        )
        y = e * slope
    else:
        y = (gammaln(a + b + t) - gammaln(hi)) - (gammaln(a + b) - gammaln(lo))
        slope = y / e
    return np.asarray(b * slope * exprel(-y), dtype=np.float64)


def discounted_survival_sum(a: float, b: ArrayLike, discount_rate: float) -> FloatArray:
    """``sum_{k>=1} B(a, b + k) / B(a, b) * z^(k-1)`` with ``z = 1 / (1 + discount_rate)``.

    This is ``b / (a + b) * 2F1(1, b + 1; a + b + 1; z)``, the discounted expected
    residual lifetime of Fader & Hardie (2010).  SciPy's ``hyp2f1`` returns NaN
    for a good share of realistic arguments (large ``b``, ``z`` near 1), so the
    series is summed directly in log space, once per distinct ``b``, in blocks
    until the remaining tail (bounded by a geometric series of ratio ``z``) is
    below 1e-16 of the sum.  The cost grows like ``1 / discount_rate`` terms.
    """
    if not (np.isfinite(discount_rate) and discount_rate > 0):
        raise ValueError("discount_rate must be a finite number > 0 (per period)")
    b_arr = np.asarray(b, dtype=np.float64)
    unique, inverse = np.unique(b_arr.ravel(), return_inverse=True)
    log_z = -np.log1p(discount_rate)
    tail_factor = (1.0 + discount_rate) / discount_rate  # 1 / (1 - z)
    total = np.zeros(len(unique), dtype=np.float64)
    log_term = np.log(unique) - np.log(a + unique)  # ln term_1
    k = 1.0
    active = np.arange(len(unique))
    block = 4096
    while active.size:
        bb = unique[active]
        steps = k + np.arange(block, dtype=np.float64)  # term_{k+1}/term_k uses k
        log_ratio = np.log(bb[:, None] + steps) - np.log(a + bb[:, None] + steps) + log_z
        log_terms = log_term[active, None] + np.concatenate(
            [np.zeros((len(active), 1)), np.cumsum(log_ratio[:, :-1], axis=1)], axis=1
        )
        total[active] += np.exp(log_terms).sum(axis=1)
        log_term[active] = log_terms[:, -1] + log_ratio[:, -1]
        k += block
        remaining = np.exp(log_term[active]) * tail_factor
        active = active[remaining > 1e-16 * total[active]]
    return np.asarray(total[inverse].reshape(b_arr.shape), dtype=np.float64)
