"""Gini, Lorenz points and top shares, by hand and by property."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientela.insight import concentration_summary, gini, lorenz_curve, pareto_curve, top_shares


def test_gini_one_holder_of_four() -> None:
    # Sorted [0,0,0,1]: sum (2i-n-1) x_i = (2*4-4-1)*1 = 3; / (n * total) = 3/4.
    assert gini([0, 0, 0, 1]) == pytest.approx(0.75)


def test_gini_all_equal_is_zero_and_all_zero_is_zero() -> None:
    assert gini([5, 5, 5, 5]) == pytest.approx(0.0)
    assert gini([0, 0, 0]) == 0.0
    assert gini([]) == 0.0


def test_gini_one_two_three() -> None:
    # [1,2,3]: weights 2i-n-1 = -2, 0, 2 -> -2 + 0 + 6 = 4; / (3 * 6) = 2/9.
    assert gini([3, 1, 2]) == pytest.approx(2 / 9)


def test_gini_clips_negatives_or_refuses_them() -> None:
    # [-5, 0, 0, 1] clipped -> [0, 0, 0, 1] -> 0.75.
    assert gini([-5, 0, 0, 1]) == pytest.approx(0.75)
    with pytest.raises(ValueError, match="negative"):
        gini([-5, 0, 0, 1], negatives="raise")


def test_lorenz_points_by_hand() -> None:
    # [1,2,3], total 6: cumulative 0,1,3,6 -> shares 0, 1/6, 1/2, 1.
    curve = lorenz_curve([3, 1, 2])
    assert curve["population_share"].tolist() == pytest.approx([0, 1 / 3, 2 / 3, 1])
    assert curve["value_share"].tolist() == pytest.approx([0, 1 / 6, 1 / 2, 1])
    # Pareto mirror: top 1/3 (the 3) bring 1/2, top 2/3 bring 5/6.
    pareto = pareto_curve([3, 1, 2])
    assert pareto["value_share"].tolist() == pytest.approx([0, 1 / 2, 5 / 6, 1])


def test_lorenz_downsamples_to_exact_points() -> None:
    values = np.arange(1, 1001, dtype=float)
    curve = lorenz_curve(values, max_points=11)
    assert len(curve) == 11
    # At population share 0.5 (k = 500): sum 1..500 / sum 1..1000 = 125250 / 500500.
    assert curve["value_share"].iloc[5] == pytest.approx(125250 / 500500)


def test_top_shares_by_hand() -> None:
    # 10 customers: one 50, one 20, eight 3.75 -> total 100.
    values = [50, 20] + [3.75] * 8
    shares = top_shares(values)
    # Top 1 % and 5 % and 10 %: ceil(0.1, 0.5, 1.0) = 1 customer -> 0.5.
    assert shares[0.01] == pytest.approx(0.5)
    assert shares[0.10] == pytest.approx(0.5)
    # Top 20 %: 2 customers -> 0.7.  Top 50 %: 5 -> 70 + 3*3.75 = 81.25 %.
    assert shares[0.20] == pytest.approx(0.7)
    assert shares[0.50] == pytest.approx(0.8125)


def test_margin_share_can_exceed_one_when_others_lose_money() -> None:
    # Margins [120, -10, -10]: total 100; top 1 (ceil(0.2*3)=1) brings 120 %.
    assert top_shares([120, -10, -10], (0.2,))[0.2] == pytest.approx(1.2)
    assert math.isnan(top_shares([-1, -2], (0.2,))[0.2])


def test_concentration_summary_keys() -> None:
    frame = pd.DataFrame({"revenue": [50, 20] + [3.75] * 8, "gross_margin": [30, -5] + [1.0] * 8})
    summary = concentration_summary(frame)
    assert set(summary) == {"revenue", "gross_margin"}
    assert summary["revenue"]["top_shares"]["top_20pct"] == pytest.approx(0.7)
    assert list(summary["revenue"]["top_shares"]) == [
        "top_1pct", "top_5pct", "top_10pct", "top_20pct", "top_50pct",
    ]
    assert summary["gross_margin"]["negative_customers"] == 1


non_negative = st.lists(st.floats(0, 1e6, allow_nan=False, allow_infinity=False), min_size=1, max_size=60)


@settings(max_examples=60, deadline=None)
@given(non_negative)
def test_gini_in_unit_interval(values: list[float]) -> None:
    g = gini(values)
    assert 0.0 <= g < 1.0 + 1e-12
    assert g <= (len(values) - 1) / len(values) + 1e-9


@settings(max_examples=60, deadline=None)
@given(non_negative)
def test_top_shares_monotone_and_bounded(values: list[float]) -> None:
    if sum(values) <= 0:
        return
    shares = list(top_shares(values, (0.01, 0.05, 0.1, 0.2, 0.5, 1.0)).values())
    assert all(a <= b + 1e-12 for a, b in zip(shares, shares[1:], strict=False))
    assert shares[-1] == pytest.approx(1.0)
    # The top p % hold at least p % of a non-negative total.
    assert shares[3] >= 0.2 - 1e-12


@settings(max_examples=40, deadline=None)
@given(non_negative)
def test_lorenz_is_convex_below_the_diagonal(values: list[float]) -> None:
    curve = lorenz_curve(values)
    gap = curve["population_share"] - curve["value_share"]
    assert (gap >= -1e-9).all()
    assert curve["value_share"].is_monotonic_increasing
