"""Property tests: any finite, valid summary gives finite, coherent predictions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientela.value import BetaGeo, ModifiedBetaGeo, ParetoNBD
from clientela.value.datasets import load_cdnow_summary
from clientela.value.models.base import BaseModel

MODELS: dict[str, BaseModel] = {}


def _model(name: str) -> BaseModel:
    if name not in MODELS:
        cls = {"bg": BetaGeo, "mbg": ModifiedBetaGeo, "pareto": ParetoNBD}[name]
        MODELS[name] = cls().fit(load_cdnow_summary())
    return MODELS[name]


@st.composite
def customers(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 8))
    rows = []
    for _ in range(n):
        big_t = draw(st.floats(0.0, 1e5, allow_nan=False, allow_infinity=False))
        x = draw(st.integers(0, 10**5))
        recency = 0.0 if x == 0 else draw(st.floats(0.0, 1.0)) * big_t
        rows.append((x, recency, big_t))
    return pd.DataFrame(rows, columns=["frequency", "recency", "T"])


@pytest.mark.parametrize("name", ["bg", "mbg", "pareto"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(summary=customers(), t1=st.floats(0.0, 1e4), dt=st.floats(0.0, 1e4))
def test_predictions_finite_and_coherent(
    name: str, summary: pd.DataFrame, t1: float, dt: float
) -> None:
    model = _model(name)
    alive = model.p_alive(summary).to_numpy()  # type: ignore[attr-defined]
    assert np.all(np.isfinite(alive))
    assert np.all((alive >= 0.0) & (alive <= 1.0))
    e1 = model.expected_purchases(t1, summary).to_numpy()  # type: ignore[attr-defined]
    e2 = model.expected_purchases(t1 + dt, summary).to_numpy()  # type: ignore[attr-defined]
    assert np.all(np.isfinite(e1)) and np.all(np.isfinite(e2))
    assert np.all(e1 >= 0.0)
    assert np.all(e2 >= e1 * (1 - 1e-9) - 1e-12)
    for n in (0, 1, 2):
        p = model.probability_of_purchases(n, t1, summary).to_numpy()  # type: ignore[attr-defined]
        assert np.all(np.isfinite(p)) and np.all((p >= 0.0) & (p <= 1.0 + 1e-9))
    new = model.expected_purchases_new(np.array([t1, t1 + dt]))  # type: ignore[attr-defined]
    assert np.all(np.isfinite(new)) and new[1] >= new[0] * (1 - 1e-12)


@pytest.mark.parametrize("name", ["bg", "mbg", "pareto"])
def test_purchase_distribution_sums_to_one_and_matches_mean(name: str) -> None:
    model = _model(name)
    summary = pd.DataFrame(
        {"frequency": [0, 2, 7], "recency": [0.0, 30.43, 20.0], "T": [38.86, 38.86, 30.0]}
    )
    probs = np.array(
        [model.probability_of_purchases(n, 39.0, summary).to_numpy() for n in range(300)]
    )  # type: ignore[attr-defined]
    np.testing.assert_allclose(probs.sum(axis=0), 1.0, rtol=1e-8)
    mean = (np.arange(300)[:, None] * probs).sum(axis=0)
    np.testing.assert_allclose(mean, model.expected_purchases(39.0, summary).to_numpy(), rtol=1e-6)  # type: ignore[attr-defined]
