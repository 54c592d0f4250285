"""Blattberg-Deighton customer-equity test: formula by hand, closed form against numeric."""

from __future__ import annotations

import math

import numpy as np
import pytest

from clientela.insight import (
    ResponseCurve,
    allocation_plan,
    customer_equity,
    equity_from_rates,
    fit_response_curve,
    optimal_spend,
    optimal_spend_numeric,
)


def test_equity_formula_by_hand() -> None:
    # m = 200, d = 0.1.  A = 20, a = 0.2, R = 30, r = 0.6:
    # CE = a*m - A + a*(m - R/r) * r'/(1-r'),  r' = 0.6/1.1
    #    = 40 - 20 + 0.2 * (200 - 50) * (0.6/1.1)/(0.5/1.1) = 20 + 0.2*150*1.2 = 56.
    assert equity_from_rates(
        acquisition_rate=0.2, retention_rate=0.6, acquisition_spend=20, retention_spend=30,
        margin=200, discount=0.1,
    ) == pytest.approx(56.0)
    # A = 30, a = 0.3, R = 20, r = 0.5: 60 - 30 + 0.3 * (200 - 40) * (0.5/0.6) = 30 + 40 = 70.
    assert equity_from_rates(
        acquisition_rate=0.3, retention_rate=0.5, acquisition_spend=30, retention_spend=20,
        margin=200, discount=0.1,
    ) == pytest.approx(70.0)


def test_calibration_from_two_judgements() -> None:
    # Ceiling 0.4, rate 0.2 at spend 20: k = -ln(1 - 0.5)/20 = ln 2 / 20.
    curve = ResponseCurve.from_judgement(ceiling=0.4, rate=0.2, spend=20)
    assert curve.k == pytest.approx(math.log(2) / 20)
    assert curve.rate(20) == pytest.approx(0.2)
    assert curve.rate(40) == pytest.approx(0.3)  # 0.4 * (1 - 1/4)
    with pytest.raises(ValueError):
        ResponseCurve.from_judgement(ceiling=0.4, rate=0.5, spend=20)


def test_fit_recovers_a_simulated_curve() -> None:
    rng = np.random.default_rng(20261123)
    spend = rng.uniform(1, 120, size=80)
    rate = 0.55 * (1 - np.exp(-0.025 * spend)) + rng.normal(0, 0.01, size=80)
    curve = fit_response_curve(spend, np.clip(rate, 0, 1))
    assert curve.ceiling == pytest.approx(0.55, abs=0.02)
    assert curve.k == pytest.approx(0.025, rel=0.1)
    assert curve.rmse is not None and curve.rmse < 0.02


CASES = [
    # (ca, ka, cr, kr, margin, discount)
    (0.4, math.log(2) / 20, 0.9, -math.log(1 - 0.6 / 0.9) / 30, 200.0, 0.1),
    (0.1, 0.05, 0.7, 0.01, 500.0, 0.15),
    (0.6, 0.02, 0.95, 0.2, 50.0, 0.05),
    (0.3, 1.5, 0.8, 3.0, 1000.0, 0.2),
]


@pytest.mark.parametrize(("ca", "ka", "cr", "kr", "m", "d"), CASES)
def test_closed_form_optimum_matches_numeric(ca: float, ka: float, cr: float, kr: float, m: float, d: float) -> None:
    acquisition, retention = ResponseCurve(ca, ka), ResponseCurve(cr, kr)
    closed = optimal_spend(acquisition, retention, margin=m, discount=d)
    numeric = optimal_spend_numeric(acquisition, retention, margin=m, discount=d)
    assert closed.acquisition_spend > 0  # else R is not identified (nobody to retain)
    assert closed.equity_per_prospect == pytest.approx(numeric.equity_per_prospect, rel=1e-7, abs=1e-9)
    assert closed.retention_spend == pytest.approx(numeric.retention_spend, rel=1e-3, abs=1e-3)
    assert closed.acquisition_spend == pytest.approx(numeric.acquisition_spend, rel=1e-3, abs=1e-3)
    # And no neighbour beats it (first-order conditions hold).
    for dA, dR in ((1e-3, 0), (-1e-3, 0), (0, 1e-3), (0, -1e-3)):
        A = max(0.0, closed.acquisition_spend + dA)
        R = max(0.0, closed.retention_spend + dR)
        other = customer_equity(A, R, acquisition=acquisition, retention=retention, margin=m, discount=d)
        assert other <= closed.equity_per_prospect + 1e-9


def test_no_acquisition_when_margin_cannot_pay_for_it() -> None:
    # ca*ka*V <= 1 -> A* = 0 and equity 0 (nobody acquired, nothing spent).
    best = optimal_spend(ResponseCurve(0.1, 0.01), ResponseCurve(0.5, 0.01), margin=1.0, discount=0.1)
    assert best.acquisition_spend == 0.0
    assert best.equity_per_prospect == pytest.approx(0.0)


def test_huge_exponent_uses_the_log_space_lambert_w() -> None:
    # kr*m*(1+d) ~ 1e4: exp(alpha) overflows a float; the optimum must still be finite.
    acquisition, retention = ResponseCurve(0.3, 0.01), ResponseCurve(0.9, 10.0)
    closed = optimal_spend(acquisition, retention, margin=1000.0, discount=0.1)
    numeric = optimal_spend_numeric(acquisition, retention, margin=1000.0, discount=0.1)
    assert math.isfinite(closed.retention_spend)
    assert closed.equity_per_prospect == pytest.approx(numeric.equity_per_prospect, rel=1e-7)


def test_plan_today_against_optimum_and_sensitivities() -> None:
    acquisition = ResponseCurve.from_judgement(ceiling=0.4, rate=0.2, spend=20)
    retention = ResponseCurve.from_judgement(ceiling=0.9, rate=0.6, spend=30)
    plan = allocation_plan(
        acquisition, retention, margin=200, discount=0.1,
        current_acquisition_spend=20, current_retention_spend=30, prospects=1000,
    )
    assert plan.current.equity_per_prospect == pytest.approx(56.0)
    assert plan.current_equity == pytest.approx(56_000.0)
    assert plan.optimal.equity_per_prospect > plan.current.equity_per_prospect
    assert plan.equity_uplift == pytest.approx(plan.optimal.equity_per_prospect / 56.0 - 1)
    # Retention +1 point at today's spend: r = 0.61 ->
    # CE = 20 + 0.2 * (200*0.61 - 30) / (1.1 - 0.61) = 20 + 18.4/0.49 = 57.5510...
    assert plan.retention_sensitivity[1] == pytest.approx((20 + 18.4 / 0.49) / 56 - 1)
    assert 0 < plan.retention_sensitivity[1] < plan.retention_sensitivity[2] < plan.retention_sensitivity[5]
