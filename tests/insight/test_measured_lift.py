"""The equity planner's retention curve from a measured lift (issue 15 item 4)."""

from __future__ import annotations

import pytest

from clientela.insight.allocation import AllocationInputs, with_measured_retention_lift

INPUTS = AllocationInputs(margin=120.0, discount=0.02, prospects=4000, customers=2500,
                          acquisition_budget=200_000, acquisition_rate=0.2, acquisition_ceiling=0.6,
                          retention_budget=100_000, retention_rate=0.55, retention_ceiling=0.775)


@pytest.mark.parametrize("lift", [0.005, 0.02, 0.08])
def test_the_curve_gives_the_measured_lift_at_the_measured_spend(lift: float) -> None:
    measured = with_measured_retention_lift(INPUTS, lift=lift, spend_per_customer=5.0)
    curve = measured.retention_curve()
    s0 = INPUTS.retention_budget / 4 / INPUTS.customers
    assert curve.rate(s0) == pytest.approx(INPUTS.retention_rate, abs=1e-9)  # still through today
    assert curve.rate(s0 + 5.0) - curve.rate(s0) == pytest.approx(lift, abs=1e-7)


def test_a_larger_lift_makes_retention_spending_worth_more() -> None:
    small = with_measured_retention_lift(INPUTS, lift=0.01, spend_per_customer=5.0).plan()
    large = with_measured_retention_lift(INPUTS, lift=0.10, spend_per_customer=5.0).plan()
    assert large.optimal.retention_spend > small.optimal.retention_spend
    assert large.optimal_equity > small.optimal_equity


def test_no_lift_and_an_impossible_lift_are_clipped() -> None:
    flat = with_measured_retention_lift(INPUTS, lift=-0.03, spend_per_customer=5.0)
    assert flat.retention_ceiling == pytest.approx(INPUTS.retention_rate, abs=1e-4)
    assert with_measured_retention_lift(INPUTS, lift=0.9, spend_per_customer=5.0).retention_ceiling == 1.0
    with pytest.raises(ValueError, match="positive spend"):
        with_measured_retention_lift(INPUTS, lift=0.02, spend_per_customer=0.0)


@pytest.mark.parametrize("lift", [0.01, 0.05, 0.1])
def test_the_acquisition_curve_gives_the_measured_conversion_lift(lift: float) -> None:
    from clientela.insight.allocation import with_measured_lift

    measured = with_measured_lift(INPUTS, curve="acquisition", lift=lift, extra_spend=40.0)
    curve = measured.acquisition_curve()
    s0 = INPUTS.acquisition_budget / INPUTS.prospects
    assert curve.rate(s0) == pytest.approx(INPUTS.acquisition_rate, abs=1e-9)
    assert curve.rate(s0 + 40.0) - curve.rate(s0) == pytest.approx(lift, abs=1e-7)
    assert measured.retention_ceiling == INPUTS.retention_ceiling  # the other curve untouched


def test_an_interval_covering_most_possible_lifts_is_uninformative() -> None:
    from clientela.insight.allocation import largest_lift, uninformative

    top = largest_lift(INPUTS, curve="acquisition", extra_spend=40.0)
    assert 0 < top < 1 - INPUTS.acquisition_rate
    # Covering 0 … 80 % of the possible lifts: the assumption rules out as much.
    assert uninformative(INPUTS, curve="acquisition", ci_low=-0.05, ci_high=0.8 * top,
                         extra_spend=40.0) == pytest.approx(0.8)
    # A narrow interval in the middle, or wholly beyond the range, pins the curve down.
    assert uninformative(INPUTS, curve="acquisition", ci_low=0.4 * top, ci_high=0.6 * top,
                         extra_spend=40.0) is None
    assert uninformative(INPUTS, curve="acquisition", ci_low=1.2 * top, ci_high=1.5 * top,
                         extra_spend=40.0) is None
