"""BG/BB: published estimates, parameter recovery, properties and extreme customers."""

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

from clientela.value.datasets import load_donations
from clientela.value.models.bg_bb import BetaGeoBetaBinom

COLUMNS = ["frequency", "recency", "n_periods"]


@pytest.fixture(scope="module")
def donations_model() -> BetaGeoBetaBinom:
    return BetaGeoBetaBinom().fit(load_donations())


def test_donations_reproduces_fader_hardie_shang_2010(donations_model: BetaGeoBetaBinom) -> None:
    # Fader, Hardie & Shang (2010), Marketing Science 29(6), section 4 (11,104 donors,
    # 1996-2001): alpha = 1.204, beta = 0.750, gamma = 0.657, delta = 2.783, LL = -33,225.6.
    published = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}
    for name, value in published.items():
        assert round(donations_model.params_[name], 3) == value, name
    assert round(donations_model.log_likelihood_, 1) == -33225.6
    assert donations_model.n_customers_ == 11104


def test_predictive_distribution_sums_to_one_and_matches_expectation(
    donations_model: BetaGeoBetaBinom,
) -> None:
    data = load_donations()
    horizon = 5
    probabilities = [
        donations_model.probability_of_purchases(k, horizon, data) for k in range(horizon + 1)
    ]
    total = sum(probabilities)
    mean = sum(k * p for k, p in enumerate(probabilities))
    np.testing.assert_allclose(total, 1.0, rtol=1e-12)
    np.testing.assert_allclose(mean, donations_model.expected_purchases(horizon, data), rtol=1e-10)
    # P(alive at n+1) is below P(alive at n) = sum over futures with a purchase ... and in [0, 1]
    p_alive = donations_model.p_alive(data)
    assert ((p_alive >= 0) & (p_alive <= 1)).all()
    # A last donation in the last year (t_x = n) leaves only the "alive all along" term of
    # the likelihood, so P(alive at n + 1) = B(gamma, delta + n + 1) / B(gamma, delta + n)
    # = (delta + n) / (gamma + delta + n) whatever x is: those customers tie (exactly, so
    # which of them idxmax names is rounding) and nobody is likelier to be alive.
    params = donations_model.params_
    n = 6
    closed_form = (params["delta"] + n) / (params["gamma"] + params["delta"] + n)
    last_year = data.recency == data.n_periods
    np.testing.assert_allclose(p_alive[last_year], closed_form, rtol=1e-12)
    assert p_alive[~last_year].max() < closed_form


def test_new_customer_is_a_history_with_no_opportunities(donations_model: BetaGeoBetaBinom) -> None:
    empty = pd.DataFrame({"frequency": [0], "recency": [0], "n_periods": [0]})
    for t in (1, 5, 30, 700):
        conditional = donations_model.expected_purchases(t, empty).iloc[0]
        new = donations_model.expected_purchases_new(t)
        np.testing.assert_allclose(conditional, new, rtol=1e-9)


def test_expected_purchases_new_equals_the_term_by_term_sum(
    donations_model: BetaGeoBetaBinom,
) -> None:
    alpha, beta, gamma, delta = donations_model.params_.values()
    for t in (1, 6, 600, 5000):
        k = np.arange(1, t + 1)
        direct = alpha / (alpha + beta) * np.exp(betaln(gamma, delta + k) - betaln(gamma, delta))
        np.testing.assert_allclose(
            donations_model.expected_purchases_new(t), direct.sum(), rtol=1e-9
        )


def simulate_bgbb(
    n_customers: int, params: dict[str, float], n_periods: np.ndarray, seed: int
) -> pd.DataFrame:
    """Exact BG/BB draws: p ~ beta(alpha, beta), theta ~ beta(gamma, delta)."""
    rng = np.random.default_rng(seed)
    p = rng.beta(params["alpha"], params["beta"], n_customers)
    theta = rng.beta(params["gamma"], params["delta"], n_customers)
    # Opportunities survived: dies at the start of each opportunity with prob theta.
    alive_for = np.minimum(rng.geometric(theta) - 1, n_periods)
    width = int(n_periods.max())
    opportunity = np.arange(1, width + 1)[None, :]
    bought = (rng.random((n_customers, width)) < p[:, None]) & (opportunity <= alive_for[:, None])
    frequency = bought.sum(axis=1)
    recency = np.where(frequency > 0, width - np.argmax(bought[:, ::-1], axis=1), 0)
    return pd.DataFrame({"frequency": frequency, "recency": recency, "n_periods": n_periods})


def test_parameter_recovery_on_100k_simulated_customers() -> None:
    truth = {"alpha": 1.2, "beta": 0.8, "gamma": 0.6, "delta": 2.5}
    rng = np.random.default_rng(7)
    n_periods = rng.integers(4, 15, size=100_000)
    data = simulate_bgbb(100_000, truth, n_periods, seed=11)
    model = BetaGeoBetaBinom().fit(data)
    for name, value in truth.items():
        error = abs(model.params_[name] - value)
        assert error < 4 * model.standard_errors_[name], (
            name,
            model.params_,
            model.standard_errors_,
        )


def test_invalid_histories_are_refused_naming_the_column() -> None:
    model = BetaGeoBetaBinom()
    with pytest.raises(ValueError, match="'frequency' must be <= 'recency'"):
        model.fit(pd.DataFrame({"frequency": [3], "recency": [2], "n_periods": [6]}))
    with pytest.raises(ValueError, match="'recency' must be <= 'n_periods'"):
        model.fit(pd.DataFrame({"frequency": [1], "recency": [7], "n_periods": [6]}))
    with pytest.raises(ValueError, match="whole numbers"):
        model.fit(pd.DataFrame({"frequency": [1], "recency": [1.5], "n_periods": [6]}))


def test_extreme_customers_give_finite_predictions(donations_model: BetaGeoBetaBinom) -> None:
    extreme = pd.DataFrame(
        {
            "frequency": [0, 5000, 1, 5000, 0],
            "recency": [0, 5000, 1, 5000, 0],
            "n_periods": [5000, 5000, 5000, 5001, 0],
        }
    )
    for values in (
        donations_model.p_alive(extreme),
        donations_model.expected_purchases(10_000, extreme),
        donations_model.probability_of_purchases(0, 50, extreme),
    ):
        assert np.isfinite(values).all()
        assert (values >= 0).all()
    # Someone who bought at every one of 5000 opportunities is almost surely alive and buying.
    assert donations_model.p_alive(extreme).iloc[1] > 0.99
    assert donations_model.expected_purchases(10, extreme).iloc[1] > 9.0


@functools.cache
def saved_model() -> str:
    """JSON of a fitted model, the template for models with arbitrary parameters."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.json"
        BetaGeoBetaBinom().fit(load_donations()).save(path)
        return path.read_text()


def with_params(params: dict[str, float]) -> BetaGeoBetaBinom:
    """A model holding arbitrary parameters, through the public JSON save/load."""
    document = json.loads(saved_model())
    document["params"] = params
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.json"
        path.write_text(json.dumps(document))
        return BetaGeoBetaBinom.load(path)


@st.composite
def histories(draw: st.DrawFn) -> tuple[int, int, int]:
    n = draw(st.integers(0, 400))
    tx = draw(st.integers(0, n))
    x = 0 if tx == 0 else draw(st.integers(1, tx))
    return x, tx, n


@settings(max_examples=60, deadline=None)
@given(
    history=histories(),
    params=st.tuples(*[st.floats(0.01, 50.0) for _ in range(4)]),
    t=st.integers(0, 600),
)
def test_properties_for_any_valid_history(
    history: tuple[int, int, int], params: tuple[float, float, float, float], t: int
) -> None:
    model = with_params(dict(zip(("alpha", "beta", "gamma", "delta"), params, strict=True)))
    summary = pd.DataFrame([history], columns=COLUMNS)
    p_alive = model.p_alive(summary).iloc[0]
    assert 0.0 <= p_alive <= 1.0
    now = model.expected_purchases(t, summary).iloc[0]
    later = model.expected_purchases(t + 1, summary).iloc[0]
    assert np.isfinite(now) and np.isfinite(later)
    assert 0.0 <= now <= later <= t + 1
    new = model.expected_purchases_new(t)
    assert np.isfinite(new) and new <= model.expected_purchases_new(t + 1)
    assert model.expected_purchases_new(t + 700) >= new
    probability = model.probability_of_purchases(0, min(t, 40), summary).iloc[0]
    assert 0.0 <= probability <= 1.0
