"""sBG: Fader & Hardie (2007) cohorts, recovery, curves, DEL/DERL, properties."""

from __future__ import annotations

import functools
import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import betaln

from clientela.value.datasets import load_retention_cohorts
from clientela.value.models.sbg import ShiftedBetaGeo, summary_from_survivors

FIT_YEARS = 7  # Fader & Hardie (2007) calibrate on years 1-7 and project years 8-12.


def fit_cohort(column: str) -> ShiftedBetaGeo:
    survivors = load_retention_cohorts()[column].to_numpy()[: FIT_YEARS + 1]
    return ShiftedBetaGeo().fit(summary_from_survivors(survivors))


@pytest.mark.parametrize(
    ("column", "alpha", "beta"),
    [
        # Fader & Hardie (2007), J. Interactive Marketing 21(1), section 3 / Appendix B:
        # regular alpha = 0.704, beta = 1.182; high end alpha = 0.668, beta = 3.806.
        ("regular", 0.704, 1.182),
        ("high_end", 0.668, 3.806),
    ],
)
def test_cohorts_reproduce_fader_hardie_2007(column: str, alpha: float, beta: float) -> None:
    model = fit_cohort(column)
    assert round(model.params_["alpha"], 3) == alpha
    assert round(model.params_["beta"], 3) == beta
    assert model.n_customers_ == 1000


def test_high_end_log_likelihood_matches_appendix_b() -> None:
    # Appendix B of Fader & Hardie (2007) reports the maximised LL of the high-end cohort
    # as -1,611 (to the unit shown there).
    assert round(fit_cohort("high_end").log_likelihood_) == -1611


@pytest.mark.parametrize(("column", "error"), [("regular", 0.02), ("high_end", 0.04)])
def test_year_12_projection_is_as_close_as_the_paper_says(column: str, error: float) -> None:
    # The paper: projecting from 7 years, year-12 survival is off by "only 4% and 2%"
    # (high end and regular).  Allow rounding to the next half per cent.
    model = fit_cohort(column)
    actual = load_retention_cohorts()[column].to_numpy() / 1000.0
    projected = model.survival(12)
    assert abs(projected / actual[12] - 1.0) <= error + 0.005
    assert np.all(np.diff(model.survival(np.arange(13))) < 0)


def test_curves_are_consistent() -> None:
    model = fit_cohort("regular")
    t = np.arange(1, 40)
    np.testing.assert_allclose(
        model.retention_rate(t), model.survival(t) / model.survival(t - 1), rtol=1e-12
    )
    np.testing.assert_allclose(
        model.expected_purchases_new(20), model.survival(np.arange(1, 21)).sum(), rtol=1e-12
    )
    assert np.all(np.diff(model.retention_rate(t)) > 0)  # sorting effect: retention rises


def test_customer_predictions_against_direct_sums() -> None:
    model = fit_cohort("high_end")
    alpha, beta = model.params_["alpha"], model.params_["beta"]
    customers = pd.DataFrame({"duration": [0, 3, 7, 4], "churned": [False, False, False, True]})
    d = customers["duration"].to_numpy()
    b = beta + d
    k = np.arange(1, 20_001)[None, :]
    survive = np.exp(betaln(alpha, b[:, None] + k) - betaln(alpha, b[:, None]))
    active = ~customers["churned"].to_numpy()
    rate = 0.10
    # DERL (Fader & Hardie 2010): next renewal undiscounted, then (1+r)^-1 per period.
    derl = active * (survive / (1 + rate) ** (k - 1)).sum(axis=1)
    np.testing.assert_allclose(
        model.discounted_expected_residual_lifetime(customers, discount_rate=rate), derl, rtol=1e-8
    )
    np.testing.assert_allclose(
        model.expected_discounted_residual_transactions(rate, customers), derl / 1.1, rtol=1e-8
    )
    np.testing.assert_allclose(model.p_alive(customers), active * (b / (alpha + b)), rtol=1e-12)
    np.testing.assert_allclose(
        model.expected_purchases(5, customers), active * survive[:, :5].sum(axis=1), rtol=1e-10
    )
    new = np.exp(betaln(alpha, beta + np.arange(0, 20_001)) - betaln(alpha, beta))
    np.testing.assert_allclose(
        model.discounted_expected_lifetime(rate),
        (new / (1 + rate) ** np.arange(0, 20_001)).sum(),
        rtol=1e-8,
    )
    probabilities = [model.probability_of_purchases(m, 6, customers) for m in range(7)]
    np.testing.assert_allclose(sum(probabilities), 1.0, rtol=1e-12)
    mean = sum(m * p for m, p in enumerate(probabilities))
    np.testing.assert_allclose(mean, model.expected_purchases(6, customers), rtol=1e-10)


def simulate_sbg(n: int, alpha: float, beta: float, seed: int) -> pd.DataFrame:
    """Exact sBG draws with staggered observation windows (cohorts of 1-12 periods)."""
    rng = np.random.default_rng(seed)
    theta = rng.beta(alpha, beta, n)
    lifetime = rng.geometric(theta)  # the renewal opportunity at which the customer leaves
    observed = rng.integers(1, 13, n)
    churned = lifetime <= observed
    return pd.DataFrame({"duration": np.where(churned, lifetime, observed), "churned": churned})


def test_parameter_recovery_on_100k_simulated_customers() -> None:
    truth = {"alpha": 0.7, "beta": 2.5}
    model = ShiftedBetaGeo().fit(simulate_sbg(100_000, truth["alpha"], truth["beta"], seed=3))
    for name, value in truth.items():
        assert abs(model.params_[name] - value) < 4 * model.standard_errors_[name], model.params_


def test_unidentified_data_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="no customer in the summary has churned"):
        ShiftedBetaGeo().fit(pd.DataFrame({"duration": [3, 5], "churned": [False, False]}))
    with pytest.raises(ValueError, match="'duration' must be >= 1"):
        ShiftedBetaGeo().fit(pd.DataFrame({"duration": [0, 5], "churned": [True, False]}))
    with pytest.raises(ValueError, match="'churned' must be boolean"):
        ShiftedBetaGeo().fit(pd.DataFrame({"duration": [1, 5], "churned": [2, 0]}))


@functools.cache
def saved_model() -> str:
    """JSON of a fitted model, the template for models with arbitrary parameters."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.json"
        fit_cohort("regular").save(path)
        return path.read_text()


def with_params(alpha: float, beta: float) -> ShiftedBetaGeo:
    """A model holding arbitrary parameters, through the public JSON save/load."""
    document = json.loads(saved_model())
    document["params"] = {"alpha": alpha, "beta": beta}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.json"
        path.write_text(json.dumps(document))
        return ShiftedBetaGeo.load(path)


@settings(max_examples=60, deadline=None)
@given(
    alpha=st.floats(0.01, 100.0),
    beta=st.floats(0.01, 100.0),
    duration=st.integers(0, 100_000),
    churned=st.booleans(),
    t=st.integers(0, 2000),
    rate=st.floats(1e-3, 1.0),
)
def test_properties_for_any_valid_customer(
    alpha: float, beta: float, duration: int, churned: bool, t: int, rate: float
) -> None:
    model = with_params(alpha, beta)
    customer = pd.DataFrame({"duration": [max(duration, int(churned))], "churned": [churned]})
    p = model.p_alive(customer).iloc[0]
    assert 0.0 <= p <= 1.0
    now = model.expected_purchases(t, customer).iloc[0]
    later = model.expected_purchases(t + 1, customer).iloc[0]
    assert 0.0 <= now <= later <= t + 1
    derl = model.discounted_expected_residual_lifetime(customer, discount_rate=rate).iloc[0]
    assert np.isfinite(derl) and 0.0 <= derl <= (1 + rate) / rate + 1e-9
    assert 0.0 <= model.survival(t) <= 1.0
