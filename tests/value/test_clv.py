"""CLV and customer equity: hand-checkable cases and consistency with closed forms."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clientela.value.clv import customer_equity, customer_lifetime_value
from clientela.value.datasets import load_cdnow_summary, load_retention_cohorts
from clientela.value.models import BetaGeo
from clientela.value.models.gamma_gamma import GammaGamma
from clientela.value.models.sbg import ShiftedBetaGeo, summary_from_survivors


@pytest.fixture(scope="module")
def sbg() -> ShiftedBetaGeo:
    survivors = load_retention_cohorts()["regular"].to_numpy()[:8]
    return ShiftedBetaGeo().fit(summary_from_survivors(survivors))


def by_hand_survival(alpha: float, beta: float, d: int, k: int) -> float:
    """P(still a customer k renewals ahead | d renewals so far): product of retention rates."""
    value = 1.0
    for j in range(k):
        value *= (beta + d + j) / (alpha + beta + d + j)
    return value


def test_clv_equals_the_discounted_sum_by_hand(sbg: ShiftedBetaGeo) -> None:
    alpha, beta = sbg.params_["alpha"], sbg.params_["beta"]
    customers = pd.DataFrame({"duration": [3, 2], "churned": [False, True]})
    price, rate, margin = 30.0, 0.05, 0.6
    table = customer_lifetime_value(
        sbg, price, customers, horizon=3, discount_rate=rate, margin=margin
    )
    expected = (
        margin
        * price
        * sum(by_hand_survival(alpha, beta, 3, k) / (1 + rate) ** k for k in (1, 2, 3))
    )
    assert table["clv"].iloc[0] == pytest.approx(expected, rel=1e-12)
    assert table["clv"].iloc[1] == 0.0  # churned
    assert table["expected_purchases"].iloc[0] == pytest.approx(
        sum(by_hand_survival(alpha, beta, 3, k) for k in (1, 2, 3)), rel=1e-12
    )


def test_long_horizon_clv_converges_to_the_closed_form_residual(sbg: ShiftedBetaGeo) -> None:
    customers = pd.DataFrame({"duration": [0, 5, 12], "churned": [False, False, False]})
    table = customer_lifetime_value(sbg, 1.0, customers, horizon=600, discount_rate=0.1)
    np.testing.assert_allclose(
        table["clv"], table["discounted_residual_transactions"], rtol=1e-12, atol=1e-12
    )


def test_customer_equity_parts_add_up_and_match_the_formula(sbg: ShiftedBetaGeo) -> None:
    alpha, beta = sbg.params_["alpha"], sbg.params_["beta"]
    customers = pd.DataFrame({"duration": [1, 4, 7], "churned": [True, False, False]})
    price, rate, horizon = 10.0, 0.1, 4
    equity = customer_equity(
        sbg,
        price,
        customers,
        horizon=horizon,
        discount_rate=rate,
        new_customers=[100, 120],
        acquisition_cost=[15.0, 12.0],
    )
    new_value = price * (
        1 + sum(by_hand_survival(alpha, beta, 0, k) / (1 + rate) ** k for k in range(1, 5))
    )
    future = 100 * (new_value - 15.0) / 1.1 + 120 * (new_value - 12.0) / 1.1**2
    assert equity.future == pytest.approx(future, rel=1e-12)
    assert equity.current == pytest.approx(equity.customers["clv"].sum())
    assert equity.total == pytest.approx(equity.current + equity.future)
    assert equity.cohorts["net_value"].sum() == pytest.approx(equity.future)
    assert list(equity.cohorts["cohort"]) == [1, 2]


def test_clv_with_bg_nbd_and_gamma_gamma_on_cdnow() -> None:
    summary = load_cdnow_summary()
    purchases = BetaGeo().fit(summary)
    spend = GammaGamma().fit(summary)
    table = customer_lifetime_value(
        purchases, spend, summary, horizon=52, discount_rate=0.002, margin=0.3
    )
    assert np.isfinite(table.to_numpy()).all()
    np.testing.assert_allclose(
        table["clv"], 0.3 * table["expected_spend"] * table["discounted_expected_purchases"]
    )
    assert (table["discounted_expected_purchases"] <= table["expected_purchases"]).all()
    np.testing.assert_allclose(
        table["expected_purchases"], purchases.expected_purchases(52, summary), rtol=1e-12
    )


def test_bad_arguments_are_refused(sbg: ShiftedBetaGeo) -> None:
    customers = pd.DataFrame({"duration": [3], "churned": [False]})
    with pytest.raises(ValueError, match="horizon"):
        customer_lifetime_value(sbg, 1.0, customers, horizon=0, discount_rate=0.1)
    with pytest.raises(ValueError, match="discount_rate"):
        customer_lifetime_value(sbg, 1.0, customers, horizon=3, discount_rate=-0.1)
    with pytest.raises(ValueError, match="acquisition_cost"):
        customer_equity(
            sbg,
            1.0,
            customers,
            horizon=3,
            discount_rate=0.1,
            new_customers=[1, 2],
            acquisition_cost=[1.0],
        )
