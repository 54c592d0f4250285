"""The diagnostic tables (value.diagnostics): against simulation from known parameters,
CDNOW, and the shape of the frequency/recency matrices."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from clientela.value.datasets import load_cdnow_summary, load_cdnow_transactions
from clientela.value.diagnostics import (
    frequency_recency_matrix,
    holdout_by_frequency,
    period_transactions,
    tracking,
)
from clientela.value.models import BetaGeo, ModifiedBetaGeo, ParetoNBD
from clientela.value.models.base import BaseModel
from clientela.value.simulation import simulate_beta_geo, simulate_pareto_nbd
from clientela.value.summary import summarize
from clientela.value.validation import cumulative_repeat_transactions


def with_params(cls: type[BaseModel], params: dict[str, float]) -> BaseModel:
    model = cls()
    model.params_ = dict(params)
    return model


@pytest.mark.parametrize(("cls", "params", "simulate"), [
    (BetaGeo, {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5},
     lambda p, rng: simulate_beta_geo(p, 60_000, max_days=365, rng=rng)),
    (ModifiedBetaGeo, {"r": 0.4, "alpha": 6.0, "a": 0.5, "b": 3.0},
     lambda p, rng: simulate_beta_geo(p, 60_000, max_days=365, rng=rng, modified=True)),
    (ParetoNBD, {"r": 0.55, "alpha": 10.5, "s": 0.6, "beta": 11.7},
     lambda p, rng: simulate_pareto_nbd(p, 60_000, max_days=365, rng=rng)),
])
def test_expected_counts_match_customers_simulated_from_the_same_parameters(
    cls: type[BaseModel], params: dict[str, float], simulate: object
) -> None:
    """60,000 customers simulated from known parameters: the expected number with each
    count of repeat transactions (from the true parameters and each customer's own T) is
    within four binomial standard deviations of the simulated count, and they add up."""
    summary = simulate(params, np.random.default_rng(11))  # type: ignore[operator]
    table = period_transactions(with_params(cls, params), summary)
    assert table["expected"].sum() == pytest.approx(len(summary), rel=1e-9)
    assert table["actual"].sum() == len(summary)
    for row in table.itertuples():
        share = row.expected / len(summary)
        sd = math.sqrt(len(summary) * share * (1 - share))
        assert abs(row.actual - row.expected) < 4 * sd + 1, row


def test_cdnow_period_transactions_fit_as_in_the_paper() -> None:
    """FHL 2005 Figure 3: the BG/NBD reproduces CDNOW's calibration histogram closely
    (1,411 customers without a repeat purchase, 64 with seven or more)."""
    summary = load_cdnow_summary()
    model = BetaGeo().fit(summary[["frequency", "recency", "T"]])
    table = period_transactions(model, summary)
    assert table["actual"].tolist() == [1411, 439, 214, 100, 62, 38, 29, 64]
    assert table.loc[0, "expected"] == pytest.approx(1411, rel=0.01)
    assert (abs(table["expected"] - table["actual"]) / table["actual"]).max() < 0.15


def test_holdout_by_frequency_groups_every_calibration_customer() -> None:
    transactions = load_cdnow_transactions()
    summary = summarize(transactions, customer="customer_id", date="date", period="W",
                        calibration_end="1997-09-30", observation_end="1998-06-30")
    model = BetaGeo().fit(summary[["frequency", "recency", "T"]])
    table = holdout_by_frequency(model, summary, max_frequency=5)
    assert table["frequency"].tolist() == [0, 1, 2, 3, 4, 5]
    assert table["customers"].sum() == len(summary)
    # The group means weight back to the totals of the holdout.
    assert (table["customers"] * table["actual"]).sum() == pytest.approx(summary["frequency_holdout"].sum())
    # More calibration purchases, more holdout purchases expected; and close to what happened.
    assert table["expected"].is_monotonic_increasing
    assert (abs(table["expected"] - table["actual"]) < 0.6).all()


def test_the_matrices_have_the_expected_shape_and_order() -> None:
    model = BetaGeo().fit(load_cdnow_summary()[["frequency", "recency", "T"]])
    matrix = frequency_recency_matrix(model, max_frequency=20, max_recency=39, t=13, points=6)
    alive = pd.DataFrame(matrix["p_alive"], index=matrix["frequency"], columns=matrix["recency"])
    purchases = pd.DataFrame(matrix["expected_purchases"], index=matrix["frequency"], columns=matrix["recency"])
    assert matrix["frequency"][0] == 0 and matrix["recency"][0] == 0 and matrix["T"] == 39
    # No repeat purchase: recency 0 only; a repeat purchase: recency above 0.
    assert alive.iloc[0, 0] == 1.0 and alive.iloc[0, 1:].isna().all()
    assert alive.iloc[1:, 0].isna().all()
    inner = alive.iloc[1:, 1:].astype(float)
    assert ((inner >= 0) & (inner <= 1)).all().all()
    # A more recent last purchase means likelier alive and more purchases expected; the
    # same recency with more purchases (a longer silence for a frequent buyer) less alive.
    assert (inner.diff(axis=1).iloc[:, 1:] >= -1e-12).all().all()
    assert (purchases.iloc[1:, 1:].astype(float).diff(axis=1).iloc[:, 1:] >= -1e-12).all().all()
    assert (inner.iloc[:, 0].diff().iloc[1:] <= 1e-12).all()


def test_tracking_adds_the_increments_of_the_cumulative_curve() -> None:
    transactions = load_cdnow_transactions()
    summary = summarize(transactions, customer="customer_id", date="date", period="W",
                        calibration_end="1997-09-30", observation_end="1998-06-30")
    model = BetaGeo().fit(summary[["frequency", "recency", "T"]])
    curve = cumulative_repeat_transactions(model, transactions, customer="customer_id", date="date",
                                           calibration_end="1997-09-30", observation_end="1998-06-30")
    table = tracking(curve)
    np.testing.assert_allclose(table["actual_incremental"].cumsum(), curve["actual"])
    np.testing.assert_allclose(table["expected_incremental"].cumsum(), curve["expected"])
