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
terms directly for short horizons (a running product of ``(b + j) / (a + b + j)``,
exact) and uses the closed form, written with ``exprel`` and a series in
``a - 1`` near ``a = 1``, only for long horizons where the ratios differ a lot.
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
    out = np.zeros(len(unique), dtype=np.float64)
    short = ut <= DIRECT_SUM_LIMIT
    if short.any():
        out[short] = _direct_sum(a, ub[short], ut[short])
    if (~short).any():
        out[~short] = _closed_form(a, ub[~short], ut[~short])
    return np.asarray(out[inverse.ravel()].reshape(shape), dtype=np.float64)


def _direct_sum(a: float, b: FloatArray, t: FloatArray) -> FloatArray:
    """Term-by-term sum: term_k = prod_{j<k} (b + j) / (a + b + j), in log space."""
    width = int(t.max()) if len(t) else 0
    if width == 0:
        return np.zeros(len(b), dtype=np.float64)
    j = np.arange(width, dtype=np.float64)
    log_ratio = np.log(b[:, None] + j) - np.log(a + b[:, None] + j)
    log_terms = np.cumsum(log_ratio, axis=1)
    mask = j[None, :] < t[:, None]
    return np.asarray(np.where(mask, np.exp(log_terms), 0.0).sum(axis=1), dtype=np.float64)


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
