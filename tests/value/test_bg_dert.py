"""DERT of the BG/NBD and MBG/NBD: a high-precision check, a limit, properties.

The model computes ``P(alive) k E_p[g(p)]``, ``g(p) = int_0^inf exp(-delta A u)
(1+pu)^-(k+1) du``, with a composite rule over ``p`` and a log-space
trapezoidal rule over ``u`` (``BetaGeo._discounted_alive_purchases``).  The
reference here takes another route to the same quantity
``P(alive) E[lambda / (delta + lambda p)]``: the average over
``lambda ~ Gamma(k, A)`` in closed form through the exponential integral,
``E[lambda / (delta + lambda p)] = (k/p) e^y E_{k+1}(y)`` with ``y = delta A / p``
(:func:`_scaled_expint`), then mpmath's tanh-sinh quadrature over the Beta
density of ``p`` at 20 digits, split where the integrand bends and with the
endpoint singularities ``p^(a-1)`` and ``(1-p)^(b'-1)`` substituted away
(:func:`_dert_mpmath`).
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientela.value import BetaGeo, ModifiedBetaGeo, ParetoNBD, customer_lifetime_value
from clientela.value.datasets import load_cdnow_summary
from clientela.value.models.gamma_gamma import GammaGamma

CDNOW_BG = (0.243, 4.414, 0.793, 2.426)


def _fitted(cls: type[BetaGeo], params: tuple[float, ...]) -> BetaGeo:
    model = cls()
    model._set_fit(np.array(params), 0.0, 1.0)
    return model


def _scaled_expint(n: mp.mpf, y: mp.mpf) -> mp.mpf:
    """``e^y E_n(y) = int_0^inf exp(-y v) (1+v)^-n dv`` for ``n > 1``, ``y > 0``.

    ``mp.expint`` alone is not trusted here: at ``n = 1001.2, y = 300`` it
    returns ``-2.7e40`` for a value of ``7.7e-4``.  It serves for ``y < 1``
    (its convergent series); large ``y`` takes the asymptotic series
    ``(1/y) sum_j (-1)^j (n)_j / y^j`` (terms shrink at least fourfold); the
    rest the continued fraction ``1/(y+n- 1 n/(y+n+2- 2 (n+1)/(y+n+4- ...)))``
    (Abramowitz & Stegun 5.1.22, even part), by the modified Lentz method.
    """
    eps = mp.mpf(10) ** (-mp.mp.dps - 3)
    if y < 1:
        return mp.exp(y) * mp.expint(n, y)
    if y > 4 * (n + 2 * mp.mp.dps):
        term = total = 1 / y
        j = 0
        while abs(term) > eps * total:
            term *= -(n + j) / y
            total += term
            j += 1
        return total
    tiny = mp.mpf(10) ** (-3 * mp.mp.dps)
    den = y + n
    c, d = 1 / tiny, 1 / den
    value = d
    for i in range(1, 100_000):
        num = -i * (n + i - 1)
        den += 2
        d = 1 / (num * d + den)
        c = den + num / c
        value *= c * d
        if abs(c * d - 1) < eps:
            return value
    raise RuntimeError("continued fraction did not converge")  # pragma: no cover


def _dert_mpmath(
    params: tuple[float, ...],
    x: int,
    t_x: float,
    big_t: float,
    delta: float,
    shift: int,
    *,
    dps: int = 20,
    decades: tuple[int, ...] = (-1, 1),
) -> float:
    """``P(alive) E[lambda / (delta + lambda p)]`` to ``dps`` digits.

    Split points: ``m 10^j`` for ``j`` in ``decades`` around ``m = delta A /
    (k+1)``, where ``(k/p) e^y E_{k+1}(y)`` bends; ``1/b'`` and ``8/b'``, where
    ``(1-p)^(b'-1)`` does; the Beta mean.  For ``a < 1`` the first piece is
    taken in ``t = p^a`` (``p^(a-1) dp = dt / a``), and for ``b' < 1`` the last
    one in ``v = (1-p)^b'``: tanh-sinh alone would miss the mass within its
    smallest step of an endpoint (``1e-30^0.05``, some 3 %).
    """
    with mp.workdps(dps):
        r, alpha, a, b = (mp.mpf(v) for v in params)
        k = r + x
        big_a = alpha + big_t
        beta = b + x + shift
        scale = mp.mpf(delta) * big_a
        log_norm = -mp.log(mp.beta(a, beta))

        def rest(p: mp.mpf, log_q: mp.mpf) -> mp.mpf:  # all but p^(a-1); log_q = log(1-p)
            given_p = k / p * _scaled_expint(k + 1, scale / p)
            return given_p * mp.exp(log_norm + (beta - 1) * log_q)

        def body(p: mp.mpf) -> mp.mpf:
            return p ** (a - 1) * rest(p, mp.log1p(-p))

        def head(t: mp.mpf) -> mp.mpf:
            p = t ** (1 / a)
            return rest(p, mp.log1p(-p)) / a

        def tail(v: mp.mpf) -> mp.mpf:
            q = v ** (1 / beta)
            return (1 - q) ** (a - 1) * rest(1 - q, mp.mpf(0)) / beta

        m = scale / (k + 1)
        candidates = [m * mp.mpf(10) ** j for j in decades]
        candidates += [1 / beta, 8 / beta, a / (a + beta), mp.mpf("0.5")]
        points = sorted(v for v in set(candidates) if 0 < v < mp.mpf("0.999"))
        low, high = points[0], points[-1]
        total = mp.quad(head, [0, low**a]) if a < 1 else mp.quad(body, [0, low])
        total += mp.quad(body, points)
        total += mp.quad(tail, [0, (1 - high) ** beta]) if beta < 1 else mp.quad(body, [high, 1])
        if x + shift > 0:
            d = mp.log(a) - mp.log(b + x + shift - 1) + k * (mp.log(big_a) - mp.log(alpha + t_x))
            alive = 1 / (1 + mp.exp(d))
        else:
            alive = mp.mpf(1)
        return float(alive * total)


def _ours(
    cls: type[BetaGeo], params: tuple[float, ...], customer: tuple[int, float, float], delta: float
) -> float:
    x, t_x, big_t = customer
    model = _fitted(cls, params)
    frame = pd.DataFrame({"frequency": [x], "recency": [t_x], "T": [big_t]})
    return float(model.expected_discounted_residual_transactions(delta, frame).iloc[0])


@pytest.mark.parametrize(
    ("cls", "params", "customer", "delta"),
    [
        (BetaGeo, CDNOW_BG, (2, 30.43, 38.86), 0.01),
        (BetaGeo, CDNOW_BG, (0, 0.0, 38.86), 0.002),
        (BetaGeo, CDNOW_BG, (50, 38.0, 38.86), 0.05),
        (BetaGeo, (2.0, 8.0, 0.8, 4.0), (10, 90.0, 100.0), 0.0019),
        (BetaGeo, (0.5, 70.0, 4.0, 0.3), (3, 1.0, 500.0), 0.1),
        (ModifiedBetaGeo, (0.5, 7.0, 1.5, 0.3), (0, 0.0, 20.0), 0.005),
        (ModifiedBetaGeo, (0.5, 7.0, 1.5, 0.3), (7, 15.0, 20.0), 0.005),
    ],
)
def test_dert_matches_mpmath(
    cls: type[BetaGeo],
    params: tuple[float, ...],
    customer: tuple[int, float, float],
    delta: float,
) -> None:
    expected = _dert_mpmath(params, *customer, delta, cls._shift)
    assert _ours(cls, params, customer, delta) == pytest.approx(expected, rel=1e-8)


# Dropout mass far below delta A / (k+1): a in {0.05, 0.01}, b in {0.3, 5, 200},
# delta in {1e-4, 1e-5, 1e-3} per week, x in {0, 1, 30, 1000}, T in {1, 52, 500},
# each level 6 to 12 times over 24 cases (a balanced subset of the full product),
# half BG/NBD and half MBG/NBD.  The 48-node Gauss-Jacobi rule used before was
# off by more than 1e-8 in 19 of them and by up to 93 % (a = 0.05, b = 5,
# x = 1000, T = 1, delta = 1e-5).  (a, b, x, T, delta, shift); recency = T.
EXTREME = [
    (0.05, 0.3, 0, 1, 1e-4, 0),
    (0.01, 0.3, 1, 52, 1e-5, 0),
    (0.05, 5, 30, 500, 1e-3, 0),
    (0.01, 5, 1000, 52, 1e-4, 0),
    (0.05, 200, 0, 500, 1e-5, 1),
    (0.01, 200, 1, 1, 1e-3, 1),
    (0.05, 0.3, 30, 500, 1e-5, 1),
    (0.01, 0.3, 1000, 1, 1e-3, 1),
    (0.05, 5, 1, 52, 1e-4, 0),
    (0.01, 5, 30, 1, 1e-5, 0),
    (0.05, 200, 1000, 52, 1e-3, 0),
    (0.01, 200, 0, 500, 1e-4, 0),
    (0.05, 0.3, 1, 52, 1e-3, 1),
    (0.01, 0.3, 30, 500, 1e-4, 1),
    (0.05, 5, 1000, 1, 1e-5, 1),
    (0.01, 5, 0, 500, 1e-3, 1),
    (0.05, 200, 0, 1, 1e-4, 0),
    (0.01, 200, 1, 52, 1e-5, 0),
    (0.05, 0.3, 30, 1, 1e-4, 0),
    (0.01, 0.3, 1000, 52, 1e-5, 0),
    (0.05, 5, 0, 500, 1e-3, 1),
    (0.01, 5, 1, 52, 1e-4, 1),
    (0.05, 200, 30, 500, 1e-5, 1),
    (0.01, 200, 1000, 1, 1e-3, 1),
]
# Beyond that grid: a = 0.002 with b' = 2e4, a > 1 (log-p panels), a >= 10 (one
# Gauss-Jacobi rule), a large discount rate.  (r, alpha, a, b), x, T, delta, shift.
WIDER = [
    ((0.5, 0.2, 0.002, 1e4), 10_000, 5000.0, 1e-6, 0),
    ((2.0, 8.0, 3.0, 0.8), 5, 10.0, 1e-6, 1),
    ((0.1, 50.0, 20.0, 3.0), 2, 100.0, 2e-5, 0),
    ((19.4, 0.08, 0.16, 9800.0), 10_000, 500.0, 0.65, 1),
]


@pytest.mark.parametrize(("a", "b", "x", "big_t", "delta", "shift"), EXTREME)
def test_dert_matches_mpmath_for_extreme_dropout(
    a: float, b: float, x: int, big_t: float, delta: float, shift: int
) -> None:
    cls = ModifiedBetaGeo if shift else BetaGeo
    params = (0.243, 4.414, a, b)
    customer = (x, float(big_t) if x else 0.0, float(big_t))
    expected = _dert_mpmath(params, *customer, delta, shift)
    assert _ours(cls, params, customer, delta) == pytest.approx(expected, rel=1e-8)


@pytest.mark.parametrize(("params", "x", "big_t", "delta", "shift"), WIDER)
def test_dert_matches_mpmath_beyond_the_grid(
    params: tuple[float, ...], x: int, big_t: float, delta: float, shift: int
) -> None:
    cls = ModifiedBetaGeo if shift else BetaGeo
    customer = (x, big_t, big_t)
    expected = _dert_mpmath(params, *customer, delta, shift)
    assert _ours(cls, params, customer, delta) == pytest.approx(expected, rel=1e-8)


@pytest.mark.parametrize(
    ("params", "x", "big_t", "delta", "shift"),
    [
        ((0.243, 4.414, 0.05, 5), 1000, 1.0, 1e-5, 1),
        ((0.243, 4.414, 0.01, 0.3), 0, 500.0, 1e-4, 0),
        WIDER[0],
    ],
)
def test_mpmath_reference_is_converged(
    params: tuple[float, ...], x: int, big_t: float, delta: float, shift: int
) -> None:
    # The reference at 20 digits with 2 split points around m against 30 digits
    # with 7: far closer than the 1e-8 the model is held to.
    customer = (x, big_t, big_t)
    coarse = _dert_mpmath(params, *customer, delta, shift)
    fine = _dert_mpmath(params, *customer, delta, shift, dps=30, decades=(-3, -2, -1, 0, 1, 2, 3))
    assert coarse == pytest.approx(fine, rel=1e-13)


def _log_uniform(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(math.log(low), math.log(high)).map(math.exp)


@pytest.mark.parametrize("cls", [BetaGeo, ModifiedBetaGeo])
@settings(max_examples=60, deadline=None)
@given(
    r=_log_uniform(0.02, 20.0),
    alpha=_log_uniform(0.05, 500.0),
    a=_log_uniform(0.002, 50.0),
    b=_log_uniform(0.05, 1e4),
    x=st.integers(0, 10_000),
    big_t=st.floats(0.0, 5000.0),
    delta=_log_uniform(1e-7, 1.0),
    factor=st.floats(1.0, 100.0),
)
def test_dert_given_alive_is_bounded_and_decreasing_for_any_parameters(
    cls: type[BetaGeo],
    r: float,
    alpha: float,
    a: float,
    b: float,
    x: int,
    big_t: float,
    delta: float,
    factor: float,
) -> None:
    # Given alive, DERT = k E_p[g(p)] with 1/(c + (k+1) p) < g(p) <= 1/c
    # (c = delta A, k = r + x): by Jensen's inequality on the convex lower bound,
    # k / (c + (k+1) E[p]) <= DERT / P(alive) <= k / c, E[p] = a / (a + b').
    model = _fitted(cls, (r, alpha, a, b))
    frame = pd.DataFrame({"frequency": [x], "recency": [big_t if x else 0.0], "T": [big_t]})
    alive = float(model.p_alive(frame).iloc[0])
    at_low = float(model.expected_discounted_residual_transactions(delta, frame).iloc[0])
    at_high = float(model.expected_discounted_residual_transactions(delta * factor, frame).iloc[0])
    k, c, mean_p = r + x, delta * (alpha + big_t), a / (a + b + x + cls._shift)
    assert math.isfinite(at_low) and math.isfinite(at_high)
    assert k / (c + (k + 1) * mean_p) * (1 - 1e-9) <= at_low / alive <= k / c * (1 + 1e-9)
    assert 0.0 < at_high <= at_low * (1 + 1e-9)


def test_no_dropout_limit_equals_pareto_nbd_and_the_closed_form() -> None:
    # With dropout vanishing (p ~ Beta(1, 1e13); mu ~ Gamma(1, 1e13)) both models
    # describe a Poisson buyer who never leaves: DERT = (r+x) / ((alpha+T) delta).
    r, alpha, delta = 0.7, 6.0, 0.01
    bg = _fitted(BetaGeo, (r, alpha, 1.0, 1e13))
    pareto = ParetoNBD()
    pareto._set_fit(np.array([r, alpha, 1.0, 1e13]), 0.0, 1.0)
    frame = pd.DataFrame({"frequency": [0, 3, 12], "recency": [0.0, 20.0, 5.0], "T": [30.0] * 3})
    ours = bg.expected_discounted_residual_transactions(delta, frame).to_numpy()
    theirs = pareto.expected_discounted_residual_transactions(delta, frame).to_numpy()
    closed = (r + frame["frequency"].to_numpy()) / ((alpha + 30.0) * delta)
    np.testing.assert_allclose(ours, closed, rtol=1e-6)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)


def test_dert_is_between_a_long_horizon_and_no_discounting() -> None:
    # Continuous discounting at delta over (0, inf) is at most the undiscounted
    # expectation over any horizon H plus what lies beyond it, and at least the
    # expectation over H discounted at its end.
    model = BetaGeo().fit(load_cdnow_summary())
    frame = load_cdnow_summary().iloc[:50]
    delta, horizon = 0.01, 400.0
    dert = model.expected_discounted_residual_transactions(delta, frame).to_numpy()
    within = model.expected_purchases(horizon, frame).to_numpy()
    assert np.all(dert >= within * math.exp(-delta * horizon) - 1e-12)
    assert np.all(dert <= model.expected_purchases(1e7, frame).to_numpy() * (1 + 1e-9))


def test_bad_discount_rates_are_refused() -> None:
    model = _fitted(BetaGeo, CDNOW_BG)
    frame = pd.DataFrame({"frequency": [1], "recency": [2.0], "T": [3.0]})
    for rate in (0.0, -0.1, math.inf, math.nan):
        with pytest.raises(ValueError, match="discount_rate"):
            model.expected_discounted_residual_transactions(rate, frame)


def test_clv_table_adds_bg_nbd_dert_only_when_asked() -> None:
    summary = load_cdnow_summary()
    bg = BetaGeo().fit(summary)
    gg = GammaGamma().fit(summary)
    plain = customer_lifetime_value(bg, gg, summary, horizon=52, discount_rate=0.002)
    assert "discounted_residual_transactions" not in plain
    table = customer_lifetime_value(bg, gg, summary, horizon=52, discount_rate=0.002, residual=True)
    np.testing.assert_allclose(
        table["discounted_residual_transactions"],
        bg.expected_discounted_residual_transactions(0.002, summary),
        rtol=1e-13,
    )
    np.testing.assert_allclose(table["clv"], plain["clv"], rtol=0)


@st.composite
def customers_and_rates(draw: st.DrawFn) -> tuple[pd.DataFrame, float, float]:
    n = draw(st.integers(1, 6))
    rows = []
    for _ in range(n):
        big_t = draw(st.floats(0.0, 1e4, allow_nan=False, allow_infinity=False))
        x = draw(st.integers(0, 10**4))
        recency = 0.0 if x == 0 else draw(st.floats(0.0, 1.0)) * big_t
        rows.append((x, recency, big_t))
    frame = pd.DataFrame(rows, columns=["frequency", "recency", "T"])
    low = draw(st.floats(1e-5, 1.0))
    high = low * draw(st.floats(1.0, 100.0))
    return frame, low, high


@pytest.mark.parametrize("cls", [BetaGeo, ModifiedBetaGeo])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=customers_and_rates())
def test_dert_finite_non_negative_and_decreasing_in_the_rate(
    cls: type[BetaGeo], case: tuple[pd.DataFrame, float, float]
) -> None:
    frame, low, high = case
    model = _fitted(cls, CDNOW_BG)
    at_low = model.expected_discounted_residual_transactions(low, frame).to_numpy()
    at_high = model.expected_discounted_residual_transactions(high, frame).to_numpy()
    assert np.all(np.isfinite(at_low)) and np.all(np.isfinite(at_high))
    assert np.all(at_low >= 0.0) and np.all(at_high >= 0.0)
    assert np.all(at_high <= at_low * (1 + 1e-9))


@pytest.mark.parametrize("cls", [BetaGeo, ModifiedBetaGeo])
@settings(max_examples=60, deadline=None)
@given(
    big_t=st.floats(0.1, 1e3),
    x=st.integers(0, 2000),
    step=st.integers(1, 50),
    rate=st.floats(1e-4, 0.5),
)
def test_dert_increases_with_frequency_at_full_recency(
    cls: type[BetaGeo], big_t: float, x: int, step: int, rate: float
) -> None:
    # recency = T: the last purchase was just now, so more purchases mean a
    # higher purchase rate, a lower dropout probability and more chance of
    # being alive.
    model = _fitted(cls, CDNOW_BG)
    frame = pd.DataFrame(
        {"frequency": [x, x + step], "recency": [big_t if x else 0.0, big_t], "T": [big_t] * 2}
    )
    lower, higher = model.expected_discounted_residual_transactions(rate, frame).to_numpy()
    assert np.isfinite(lower) and np.isfinite(higher)
    assert higher > lower
