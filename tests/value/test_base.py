"""The shared estimator contract: validation, weights, save/load, errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clientela.value import BaseModel, BetaGeo, ModelFitError, NotFittedError, ParetoNBD
from clientela.value.datasets import load_cdnow_summary


def test_init_only_stores_settings_and_repr() -> None:
    model = BetaGeo(max_iter=50)
    assert model.get_params() == {"max_iter": 50, "tol": 1e-10, "penalizer": 0.0, "time_grid": None}
    assert not hasattr(model, "params_")
    assert repr(model) == "BetaGeo(max_iter=50, tol=1e-10, penalizer=0.0, time_grid=None)"
    with pytest.raises(NotFittedError):
        model.p_alive(load_cdnow_summary())


def test_weights_equal_repeated_rows() -> None:
    cdnow = load_cdnow_summary()[["frequency", "recency", "T"]]
    counted = cdnow.value_counts().rename("weights").reset_index()
    a = BetaGeo().fit(cdnow)
    b = BetaGeo().fit(counted)
    for k in a.params_:
        assert a.params_[k] == pytest.approx(b.params_[k], rel=1e-8)
    assert a.log_likelihood_ == pytest.approx(b.log_likelihood_, rel=1e-12)
    assert a.n_customers_ == b.n_customers_ == 2357


def test_save_load_round_trip(tmp_path: Path) -> None:
    cdnow = load_cdnow_summary()
    model = ParetoNBD().fit(cdnow)
    path = tmp_path / "model.json"
    model.save(path)
    text = path.read_text()
    assert "ParetoNBD" in text and "frequency" not in text  # no training data
    loaded = BaseModel.load(path)
    assert isinstance(loaded, ParetoNBD)
    assert loaded.params_ == model.params_ and loaded.aic_ == model.aic_
    np.testing.assert_allclose(loaded.p_alive(cdnow), model.p_alive(cdnow))
    with pytest.raises(ValueError, match="ParetoNBD"):
        BetaGeo.load(path)


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"frequency": [1], "recency": [1.0]}), "'T'"),
        (pd.DataFrame({"frequency": [1], "recency": [np.nan], "T": [2.0]}), "'recency'"),
        (pd.DataFrame({"frequency": [-1], "recency": [0.0], "T": [2.0]}), "'frequency'"),
        (
            pd.DataFrame({"frequency": [1], "recency": [3.0], "T": [2.0]}),
            "'recency' must be <= 'T'",
        ),
        (pd.DataFrame({"frequency": [0], "recency": [1.0], "T": [2.0]}), "'recency' must be 0"),
        (pd.DataFrame({"frequency": [1.5], "recency": [1.0], "T": [2.0]}), "whole"),
        (
            pd.DataFrame({"frequency": [1], "recency": [1.0], "T": [2.0], "weights": [0]}),
            "'weights'",
        ),
    ],
)
def test_validation_names_the_column(frame: pd.DataFrame, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BetaGeo().fit(frame)


def test_unidentified_model_raises_clear_error() -> None:
    # Nobody ever buys again: the purchase rate goes to zero; no NaN parameters.
    data = pd.DataFrame({"frequency": [0] * 50, "recency": [0.0] * 50, "T": np.linspace(1, 50, 50)})
    for cls in (BetaGeo, ParetoNBD):
        with pytest.raises(ModelFitError):
            cls().fit(data)
