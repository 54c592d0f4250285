"""Gamma-Gamma spend model: published CDNOW estimates, recovery, properties, extremes."""

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
from scipy import stats

from clientela.value.datasets import load_cdnow_summary
from clientela.value.models.gamma_gamma import GammaGamma


@pytest.fixture(scope="module")
def cdnow_model() -> GammaGamma:
    return GammaGamma().fit(load_cdnow_summary())


def test_cdnow_repeat_buyers_reproduce_fader_hardie_lee_2005_jmr(cdnow_model: GammaGamma) -> None:
    # Fader, Hardie & Lee (2005), "RFM and CLV", JMR 42(4): on the 946 CDNOW customers with a
    # repeat purchase in weeks 1-39, p = 6.25, q = 3.74, gamma (our v) = 15.44.  The shipped
    # averages are rounded to the cent, which moves v by < 0.01 (we get 15.448).
    assert cdnow_model.n_customers_ == 946
    assert round(cdnow_model.params_["p"], 2) == 6.25
    assert round(cdnow_model.params_["q"], 2) == 3.74
    assert abs(cdnow_model.params_["v"] - 15.44) < 0.01


def test_log_likelihood_is_the_beta_prime_density_of_the_average(cdnow_model: GammaGamma) -> None:
    # Independent check: x * zbar / v ~ beta-prime(p x, q), so zbar has density
    # betaprime(px, q, scale=v/x).
    data = load_cdnow_summary()
    repeat = data[data.frequency > 0]
    p, q, v = (cdnow_model.params_[k] for k in ("p", "q", "v"))
    x = repeat.frequency.to_numpy()
    expected = stats.betaprime(p * x, q, scale=v / x).logpdf(repeat.monetary_value).sum()
    assert cdnow_model.log_likelihood_ == pytest.approx(expected, rel=1e-10)


def test_expected_spend_shrinks_towards_the_population_mean(cdnow_model: GammaGamma) -> None:
    data = load_cdnow_summary()
    spend = cdnow_model.expected_spend(data)
    p, q, v = (cdnow_model.params_[k] for k in ("p", "q", "v"))
    mean = p * v / (q - 1)
    assert cdnow_model.mean_spend() == pytest.approx(mean)
    np.testing.assert_allclose(spend[data.frequency == 0], mean, rtol=1e-12)
    repeat = data.frequency > 0
    weight = (q - 1) / (p * data.frequency[repeat] + q - 1)
    np.testing.assert_allclose(
        spend[repeat], weight * mean + (1 - weight) * data.monetary_value[repeat], rtol=1e-12
    )


def simulate_spend(n: int, p: float, q: float, v: float, seed: int) -> pd.DataFrame:
    """Exact draws: nu ~ gamma(q, rate v); the sum of x values ~ gamma(p x, rate nu)."""
    rng = np.random.default_rng(seed)
    nu = rng.gamma(q, 1.0 / v, n)
    x = 1 + rng.poisson(2.0, n)
    total = rng.gamma(p * x, 1.0 / nu)
    return pd.DataFrame({"frequency": x, "monetary_value": total / x})


def test_parameter_recovery_on_100k_simulated_customers() -> None:
    truth = {"p": 6.0, "q": 3.5, "v": 15.0}
    model = GammaGamma().fit(simulate_spend(100_000, **truth, seed=5))
    for name, value in truth.items():
        assert abs(model.params_[name] - value) < 4 * model.standard_errors_[name], model.params_


def test_customers_without_repeat_purchases_are_skipped_or_refused() -> None:
    data = simulate_spend(2000, 6.0, 3.5, 15.0, seed=1)
    with_zeros = pd.concat([data, pd.DataFrame({"frequency": [0] * 50, "monetary_value": 0.0})])
    a = GammaGamma().fit(data)
    b = GammaGamma().fit(with_zeros)
    assert a.params_ == pytest.approx(b.params_, rel=1e-8)
    with pytest.raises(ValueError, match="no row has frequency > 0"):
        GammaGamma().fit(pd.DataFrame({"frequency": [0, 0], "monetary_value": [0.0, 0.0]}))
    with pytest.raises(ValueError, match="'monetary_value' must be > 0 for repeat buyers"):
        GammaGamma().fit(pd.DataFrame({"frequency": [2, 1], "monetary_value": [0.0, 3.0]}))


def test_heavy_tailed_spend_has_no_population_mean() -> None:
    model = GammaGamma().fit(simulate_spend(20_000, 4.0, 0.7, 10.0, seed=2))
    assert model.params_["q"] < 1
    with pytest.raises(ValueError, match="population mean spend is infinite"):
        model.expected_spend(pd.DataFrame({"frequency": [0], "monetary_value": [0.0]}))
    # Repeat buyers still get a finite conditional expectation.
    repeat = model.expected_spend(pd.DataFrame({"frequency": [3], "monetary_value": [20.0]}))
    assert np.isfinite(repeat).all()


def test_extreme_customers(cdnow_model: GammaGamma) -> None:
    extreme = pd.DataFrame(
        {"frequency": [1, 10**7, 1, 10**7, 0], "monetary_value": [1e-9, 1e-9, 1e12, 1e12, 0.0]}
    )
    spend = cdnow_model.expected_spend(extreme)
    assert np.isfinite(spend).all() and (spend > 0).all()
    # Ten million purchases: the customer's own average dominates.
    assert spend.iloc[3] == pytest.approx(1e12, rel=1e-5)


@functools.cache
def saved_model() -> str:
    """JSON of a fitted model, the template for models with arbitrary parameters."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.json"
        GammaGamma().fit(simulate_spend(500, 6.0, 3.5, 15.0, seed=9)).save(path)
        return path.read_text()


def with_params(p: float, q: float, v: float) -> GammaGamma:
    """A model holding arbitrary parameters, through the public JSON save/load."""
    document = json.loads(saved_model())
    document["params"] = {"p": p, "q": q, "v": v}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.json"
        path.write_text(json.dumps(document))
        return GammaGamma.load(path)


@settings(max_examples=60, deadline=None)
@given(
    p=st.floats(0.01, 100.0),
    q=st.floats(1.01, 100.0),
    v=st.floats(1e-3, 1e4),
    x=st.integers(0, 10**6),
    m=st.floats(1e-6, 1e9),
)
def test_expected_spend_lies_between_the_mean_and_the_own_average(
    p: float, q: float, v: float, x: int, m: float
) -> None:
    model = with_params(p, q, v)
    value = model.expected_spend(pd.DataFrame({"frequency": [x], "monetary_value": [m]})).iloc[0]
    mean = model.mean_spend()
    assert np.isfinite(value)
    low, high = (min(mean, m), max(mean, m)) if x > 0 else (mean, mean)
    assert low * (1 - 1e-9) <= value <= high * (1 + 1e-9)
