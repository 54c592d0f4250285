"""DERT of the BG/NBD and MBG/NBD: a high-precision check, a limit, properties.

The model computes ``P(alive) * k * int_0^inf exp(-delta A u) E_p[(1+pu)^-(k+1)] du``
with a Gauss-Jacobi rule over ``p`` and a log-space trapezoidal rule over ``u``
(``BetaGeo._discounted_alive_purchases``).  The reference here takes another
route to the same quantity ``P(alive) E[lambda / (delta + lambda p)]``: the
average over ``lambda ~ Gamma(k, A)`` in closed form through the exponential
integral, ``E[lambda / (delta + lambda p)] = (k/p) e^y E_{k+1}(y)`` with
``y = delta A / p``, then mpmath's tanh-sinh quadrature over the Beta density of
``p`` at 30 digits.
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


def _dert_mpmath(
    params: tuple[float, ...], x: int, t_x: float, big_t: float, delta: float, shift: int
) -> float:
    with mp.workdps(30):
        r, alpha, a, b = (mp.mpf(v) for v in params)
        k = r + x
        big_a = alpha + big_t
        beta = b + x + shift
        log_norm = -mp.log(mp.beta(a, beta))

        def integrand(p: mp.mpf) -> mp.mpf:
            y = delta * big_a / p
            given_p = k / p * mp.exp(y) * mp.expint(k + 1, y)
            return given_p * mp.exp(log_norm + (a - 1) * mp.log(p) + (beta - 1) * mp.log1p(-p))

        mean = mp.quad(integrand, [0, mp.mpf("1e-4"), mp.mpf("1e-2"), mp.mpf("0.2"), 1])
        if x + shift > 0:
            d = mp.log(a) - mp.log(b + x + shift - 1) + k * (mp.log(big_a) - mp.log(alpha + t_x))
            alive = 1 / (1 + mp.exp(d))
        else:
            alive = mp.mpf(1)
        return float(alive * mean)


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
    x, t_x, big_t = customer
    model = _fitted(cls, params)
    frame = pd.DataFrame({"frequency": [x], "recency": [t_x], "T": [big_t]})
    ours = float(model.expected_discounted_residual_transactions(delta, frame).iloc[0])
    expected = _dert_mpmath(params, x, t_x, big_t, delta, cls._shift)
    assert ours == pytest.approx(expected, rel=1e-8)


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
