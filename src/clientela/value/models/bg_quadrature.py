"""The BG/NBD's integrals over the dropout probability: Gauss rules and DERT.

:func:`beta_quadrature` gives the Gauss-Jacobi rules under ``Beta(a, b)``
used for expected purchases; :func:`discounted_alive_purchases` is the
discounted expected residual transactions of a customer alive at ``T``
(:meth:`~clientela.value.models.bg_nbd.BetaGeo.expected_discounted_residual_transactions`),
with its composite rule over ``p`` and trapezoidal rule in log time.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.linalg import eigh_tridiagonal
from scipy.special import betaln

from clientela.value.models.base import FloatArray

QUADRATURE_NODES = 48
# DERT (discounted_alive_purchases).  Trapezoidal step and left end
# of the log-space grid over u.
_DERT_STEP = 0.25
_DERT_T_LOW = -3.8
# The rule over the dropout probability p (_dropout_rule): Gauss-Jacobi nodes
# on [0, p0] and on [p1, 1], Gauss-Legendre nodes on panels in log p between,
# whose widths from p1 down are _DERT_PANEL_WIDTHS (the last one repeated).
_DERT_HEAD_NODES = 12
_DERT_PANEL_NODES = 10
_DERT_TAIL_NODES = 16
_DERT_PANEL_WIDTHS = (1.0, 2.0, 4.0)
_DERT_HEAD = 0.5  # p0 = _DERT_HEAD * min(delta A / (k+1), 1/b', 1/4)
_DERT_TAIL = 4.0  # p1 = min(1/4, _DERT_TAIL / b')
# From this a on the Beta(a, b') density is small near 0 and one
# QUADRATURE_NODES-node Gauss-Jacobi rule over [0, 1] is used instead.
_DERT_LARGE_A = 10.0
_DERT_RULE_ROWS = 4096  # rows whose p-rules are built at once
CHUNK = 131_072  # cells of a quadrature block (1 MB)



@functools.lru_cache(maxsize=4096)
def beta_quadrature(n: int, a: float, b: float) -> tuple[FloatArray, FloatArray]:
    """Gauss rule for expectations under ``Beta(a, b)``: nodes in (0, 1), weights summing to 1.

    Golub-Welsch on the Jacobi matrix of the Jacobi polynomials with weight
    ``(1-y)^(b-1) (1+y)^(a-1)`` on ``[-1, 1]``, mapped by ``p = (1+y)/2``.
    Normalised weights are the squared first components of the eigenvectors,
    so no normalising constant (which overflows for ``b`` in the thousands, as
    in ``scipy.special.roots_jacobi``) is ever formed.  Cached: predictions over
    a horizon ask for the same rules once per period.  Do not modify the
    returned arrays.
    """
    al, be = b - 1.0, a - 1.0
    k = np.arange(n, dtype=np.float64)
    s = 2.0 * k + al + be
    with np.errstate(divide="ignore", invalid="ignore"):
        diag = np.where(s == 0, (be - al) / (al + be + 2.0), (be**2 - al**2) / (s * (s + 2.0)))
    diag[0] = (be - al) / (al + be + 2.0)
    kk = k[1:]
    ss = s[1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        off = np.sqrt(
            4.0 * kk * (kk + al) * (kk + be) * (kk + al + be) / (ss**2 * (ss + 1.0) * (ss - 1.0))
        )
    # k = 1 with the removable 0/0 at a + b = 1 cancelled.
    off[0] = np.sqrt(4.0 * (1.0 + al) * (1.0 + be) / ((2.0 + al + be) ** 2 * (3.0 + al + be)))
    y, vectors = eigh_tridiagonal(diag, off)
    w = vectors[0] ** 2
    return np.clip((1.0 + y) / 2.0, 1e-300, 1.0), w / w.sum()


def distinct_pairs(
    x: FloatArray, big_t: FloatArray
) -> tuple[NDArray[np.intp], FloatArray, FloatArray]:
    """Per row the code of its ``(x, T)`` pair, and the pairs' ``x`` and ``T``."""
    x_codes, x_values = pd.factorize(x)
    t_codes, t_values = pd.factorize(big_t)
    pair_codes, pairs = pd.factorize(x_codes.astype(np.int64) * len(t_values) + t_codes)
    x_pair = np.asarray(x_values, dtype=np.float64)[pairs // len(t_values)]
    t_pair = np.asarray(t_values, dtype=np.float64)[pairs % len(t_values)]
    return pair_codes.astype(np.intp, copy=False), x_pair, t_pair


@functools.lru_cache(maxsize=8)
def _legendre(n: int) -> tuple[FloatArray, FloatArray]:
    """Gauss-Legendre nodes and weights on ``[-1, 1]`` (cached; do not modify)."""
    nodes, weights = np.polynomial.legendre.leggauss(n)
    return np.asarray(nodes, dtype=np.float64), np.asarray(weights, dtype=np.float64)


def _panel_widths(panels: int) -> FloatArray:
    """Widths in ``log p`` of the first ``panels`` panels below ``p1``."""
    first = np.array(_DERT_PANEL_WIDTHS)
    more = np.full(max(panels - len(first), 0), first[-1])
    return np.concatenate([first, more])[:panels]


def _panel_counts(span: FloatArray) -> NDArray[np.int64]:
    """How many panels of :func:`_panel_widths` cover ``span`` (in ``log p``) per row."""
    first = np.array(_DERT_PANEL_WIDTHS)
    ends = np.cumsum(first)
    within = np.searchsorted(ends, span, side="left") + 1
    beyond = len(first) + np.ceil((span - ends[-1]) / first[-1])
    return np.where(span > ends[-1], beyond, within).astype(np.int64)


def _dropout_rule(
    a: float,
    b_post: FloatArray,
    log_p0: FloatArray,
    log_p1: FloatArray,
    panels: int,
    tail: tuple[FloatArray, FloatArray],
) -> tuple[FloatArray, FloatArray]:
    """Nodes and weights, shape ``(rows, nodes)``, for ``E[f(p)]``, ``p ~ Beta(a, b_post)``.

    Made for an ``f`` that is smooth in ``p`` below ``p0`` and in ``log p``
    above it (``BetaGeo._discounted_alive_purchases`` gives the reason), with
    ``0 < p0 < p1 <= 1/4`` per row.  The three parts (weights divided by
    ``B(a, b_post)``):

    * ``[0, p0]``: ``p = p0 t`` turns ``p^(a-1) dp`` into ``p0^a / a`` times
      the ``Beta(a, 1)`` density of ``t``, so a Gauss-Jacobi rule for
      ``Beta(a, 1)`` takes the singular factor exactly and ``(1-p)^(b_post-1)
      f(p)`` is left, smooth on ``[0, p0]``;
    * ``[p0, p1]``: ``s = log p``, ``p^(a-1) dp = e^(a s) ds``, and
      ``panels`` Gauss-Legendre panels, the narrowest at the top where
      ``(1-p)^(b_post-1)`` bends fastest;
    * ``[p1, 1]``: ``p = p1 + (1-p1) t`` turns ``(1-p)^(b_post-1) dp`` into
      ``(1-p1)^b_post / b_post`` times the ``Beta(1, b_post)`` density of
      ``t``, whose Gauss-Jacobi rule is ``tail`` (per row), and
      ``p^(a-1) f(p)`` is left, smooth on ``[p1, 1]``.

    Weights are formed in log space and are all >= 0.
    """
    rows = len(b_post)
    head_t, head_w = beta_quadrature(_DERT_HEAD_NODES, a, 1.0)
    head = np.exp(log_p0)[:, None] * head_t
    log_head = (
        (a * log_p0 - math.log(a))[:, None]
        + np.log(head_w)
        + (b_post - 1.0)[:, None] * np.log1p(-head)
    )
    widths = _panel_widths(panels)
    offsets = np.concatenate(([0.0], np.cumsum(widths)))
    edges = np.maximum(log_p1[:, None] - offsets, log_p0[:, None])  # decreasing in log p
    half = ((edges[:, :-1] - edges[:, 1:]) / 2.0)[:, :, None]
    leg_y, leg_w = _legendre(_DERT_PANEL_NODES)
    s = ((edges[:, :-1] + edges[:, 1:]) / 2.0)[:, :, None] + half * leg_y
    mid = np.exp(s)
    tail_t, tail_w = tail
    p1 = np.exp(log_p1)
    far = p1[:, None] + (1.0 - p1)[:, None] * tail_t
    with np.errstate(divide="ignore"):  # an empty panel or an underflowed weight: log 0
        log_mid = np.log(half * leg_w) + a * s + (b_post - 1.0)[:, None, None] * np.log1p(-mid)
        log_far = (
            (b_post * np.log1p(-p1) - np.log(b_post))[:, None]
            + np.log(tail_w)
            + (a - 1.0) * np.log(far)
        )
    nodes = np.concatenate([head, mid.reshape(rows, -1), far], axis=1)
    log_weights = np.concatenate([log_head, log_mid.reshape(rows, -1), log_far], axis=1)
    return nodes, np.exp(log_weights - betaln(a, b_post)[:, None])


def _discounted_sum(
    nodes: FloatArray,
    weights: FloatArray,
    k: FloatArray,
    scale: FloatArray,
    centre: FloatArray,
    steps: int,
) -> FloatArray:
    """``k sum_j w_j int_0^inf exp(-scale u) (1 + p_j u)^-(k+1) du`` per row.

    Trapezoidal rule with step ``_DERT_STEP`` in ``t``, ``u = exp(centre + t -
    exp(-t))``, ``t`` from ``_DERT_T_LOW`` over ``steps`` steps (see
    ``BetaGeo._discounted_alive_purchases``); the powers are taken as
    ``exp(-(k+1) log1p(p u))`` in one ``(rows, grid, nodes)`` block.
    """
    t = _DERT_T_LOW + _DERT_STEP * np.arange(steps + 1)
    e_t = np.exp(-t)
    u = np.exp(centre[:, None] + (t - e_t)[None, :])  # (rows, grid)
    block = nodes[:, None, :] * u[:, :, None]  # p u
    np.log1p(block, out=block)
    block *= -(k + 1.0)[:, None, None]
    np.exp(block, out=block)  # (1 + p u)^-(k+1)
    mix = np.einsum("rgm,rm->rg", block, weights)
    integrand = mix * u * (1.0 + e_t)[None, :] * np.exp(-scale[:, None] * u)
    out: FloatArray = k * _DERT_STEP * integrand.sum(axis=1)
    return out


def discounted_alive_purchases(
    delta: float, params: FloatArray, x: FloatArray, big_t: FloatArray, shift: float
) -> FloatArray:
    """DERT given alive, ``k int_0^inf exp(-c u) E_p[(1+pu)^-(k+1)] du`` per row.

    Here ``c = delta A``, ``p ~ Beta(a, b')``, ``b' = b + x + shift`` (``shift`` 1 for
    the MBG/NBD, else 0).  All terms
    are positive, so the order can be swapped: the result is ``k E_p[g(p)]``
    with ``g(p) = int_0^inf exp(-c u) (1 + p u)^-(k+1) du`` (``g(p) = U(1,
    1-k, c/p) / p``, Tricomi's function).  ``g(0) = 1/c`` and ``1/(c +
    (k+1) p) <= g(p) <= 1/(c + k p)`` (the bounds on ``e^y E_n(y)`` of
    Abramowitz & Stegun 5.1.19, whose proof holds for real ``n > 1``), so
    ``g`` falls from ``1/c`` to ``1/(k p)`` around
    ``m = c/(k+1)``, with its singularities on ``p <= 0``.  When
    ``Beta(a, b')`` spreads its mass over many decades below and above
    ``m`` (small ``a``, small ``delta``) a polynomial (Gauss) rule in
    ``p`` cannot follow that bend: one 48-node Gauss-Jacobi rule, used here
    before, was up to 93 % off at ``a = 0.05``, ``delta = 1e-5``.

    The expectation over ``p`` is therefore a composite rule
    (:func:`_dropout_rule`), split at ``p0 = 0.5 min(m, 1/b', 1/4)`` and
    ``p1 = min(1/4, 4/b')``:

    * on ``[0, p0]`` ``g`` and ``(1-p)^(b'-1)`` change little, and a
      12-node Gauss-Jacobi rule takes ``p^(a-1)`` exactly;
    * on ``[p0, p1]``, in ``s = log p``, ``g(e^s)`` is analytic in the
      strip ``|Im s| < pi`` and its logarithmic slope lies in ``[-1, 0]``,
      like ``e^(a s)``'s for ``a < 1``: 10-node Gauss-Legendre panels of
      width 4 converge geometrically (``~1e-12``); the panels are 1 and 2
      wide just below ``p1``, where ``(1-p)^(b'-1) ~ exp(-b' p)`` bends
      fast in ``log p``;
    * on ``[p1, 1]`` a 16-node Gauss-Jacobi rule takes ``(1-p)^(b'-1)``
      exactly (with its singularity at 1 when ``b' < 1``), and ``p^(a-1)
      g(p)``, whose singularities are ``p1`` or more away, is left.

    That is ``28 + 10 * panels`` nodes, ``panels ~ log(p1/p0)/4`` (2 to 4
    for typical data, 7 at ``m = 1e-10``).  From ``a = _DERT_LARGE_A`` on,
    the density vanishes like ``p^(a-1)`` at 0, so the bend of ``g`` at
    ``m`` weighs nothing, while ``e^(a s)`` would need panels ``~1/a``
    wide: one 48-node Gauss-Jacobi rule for ``Beta(a, b')`` is used.

    ``g`` at every node of a row comes from one trapezoidal rule in log
    space (:func:`_discounted_sum`): ``u = exp(s)``, ``s = centre + t -
    exp(-t)``, step ``_DERT_STEP`` in ``t``.  In ``s`` the integrand is
    analytic in a strip around the real axis and decays like ``e^s`` to the
    left and double-exponentially (``exp(-c e^s)``) to the right, where the
    trapezoidal rule converges geometrically in ``1/step``; the extra
    ``-exp(-t)`` makes the left tail decay double-exponentially as well, so
    a few units of ``t`` cover it.  ``centre = -log(c + (k+1) p_max)``
    (``p_max`` the row's largest node) puts ``t = 0`` where the integrand
    starts to bend; the grid runs from ``t = _DERT_T_LOW`` (``u`` below
    ``1e-19`` of that scale) to where ``exp(-c u) < e^-45``.  Powers are
    ``exp(-(k+1) log1p(p u))`` and weights are formed in log space: every
    term is positive and finite however large ``k``, ``b'`` or ``u``.
    Against a 25-digit mpmath reference the relative error stayed below
    ``1e-10`` in 1,152 cases spanning ``a`` from 0.002 to 50, ``b`` from
    0.05 to 1e4, ``delta`` from 1e-7 to 1, ``x`` up to 1e4 (docs/value.md;
    tests/value/test_bg_dert.py checks a grid of them).  Rows are worked on
    in blocks of similar size.
    """
    r, alpha, a, b = params
    a = float(a)
    k = r + x
    b_post = b + x + shift
    scale = delta * (alpha + big_t)
    xu, xi = np.unique(x, return_inverse=True)
    plain = a >= _DERT_LARGE_A
    n = QUADRATURE_NODES if plain else _DERT_TAIL_NODES
    rule_t = np.empty((len(xu), n))
    rule_w = np.empty_like(rule_t)
    for j, xv in enumerate(xu):  # one Gauss-Jacobi rule per distinct frequency
        bv = float(b + xv + shift)
        rule_t[j], rule_w[j] = beta_quadrature(n, a if plain else 1.0, bv)
    if plain:
        log_p0 = log_p1 = np.zeros(len(x))
        panels = np.zeros(len(x), dtype=np.int64)
        p_max = rule_t.max(axis=1)[xi]
    else:
        log_p0 = np.log(_DERT_HEAD) + np.log(
            np.minimum(np.minimum(scale / (k + 1.0), 1.0 / b_post), 0.25)
        )
        p1 = np.minimum(0.25, _DERT_TAIL / b_post)
        log_p1 = np.log(p1)
        panels = _panel_counts(log_p1 - log_p0)
        p_max = p1 + (1.0 - p1) * rule_t.max(axis=1)[xi]
    centre = -np.log(scale + (k + 1.0) * p_max)
    steps = np.ceil((np.log(45.0 / scale) - centre - _DERT_T_LOW) / _DERT_STEP).astype(np.int64)
    steps = np.maximum(steps, 8)
    out = np.empty(len(x))
    for count in np.unique(panels):
        group = np.flatnonzero(panels == count)
        group = group[np.argsort(steps[group], kind="stable")]  # similar grids share a block
        n_nodes = n if plain else _DERT_HEAD_NODES + _DERT_PANEL_NODES * int(count) + n
        cells = max(1, CHUNK // (n_nodes * int(steps[group].max() + 1)))
        batch_rows = max(1, _DERT_RULE_ROWS // cells) * cells
        for first in range(0, len(group), batch_rows):  # rules for many blocks at once
            batch = group[first : first + batch_rows]
            codes = xi[batch]
            if plain:
                nodes, weights = rule_t[codes], rule_w[codes]
            else:
                nodes, weights = _dropout_rule(
                    a,
                    b_post[batch],
                    log_p0[batch],
                    log_p1[batch],
                    int(count),
                    (rule_t[codes], rule_w[codes]),
                )
            for start in range(0, len(batch), cells):
                block = slice(start, start + cells)
                rows = batch[block]
                out[rows] = _discounted_sum(
                    nodes[block],
                    weights[block],
                    k[rows],
                    scale[rows],
                    centre[rows],
                    int(steps[rows].max()),
                )
    return out
