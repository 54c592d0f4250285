"""Parameter recovery: 100,000 customers simulated exactly from known parameters.

Each recovered parameter must lie within 4 standard errors of the truth (the
standard errors come from the fitted model's observed information), and the
truth must not be rejected jointly either (Wald statistic below the 0.9999
quantile of chi-square with 4 degrees of freedom, 23.5).
"""

from __future__ import annotations

import numpy as np
import pytest

from clientela.value import BetaGeo, ModifiedBetaGeo, ParetoNBD
from clientela.value.models.base import BaseModel
from clientela.value.simulation import simulate_beta_geo, simulate_pareto_nbd

N = 100_000
BG_TRUTH = {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}
PARETO_TRUTH = {"r": 0.55, "alpha": 10.0, "s": 0.6, "beta": 12.0}


def _check_recovered(model: BaseModel, truth: dict[str, float]) -> None:
    for name, value in truth.items():
        se = model.standard_errors_[name]
        assert np.isfinite(se) and se > 0
        assert abs(model.params_[name] - value) < 4 * se, (name, model.params_[name], value, se)


@pytest.mark.parametrize("seed", [11, 12])
def test_bg_nbd_recovers_parameters(seed: int) -> None:
    data = simulate_beta_geo(BG_TRUTH, N, max_days=540, rng=np.random.default_rng(seed))
    _check_recovered(BetaGeo().fit(data), BG_TRUTH)


@pytest.mark.parametrize("seed", [21, 22])
def test_mbg_nbd_recovers_parameters(seed: int) -> None:
    data = simulate_beta_geo(
        BG_TRUTH, N, max_days=540, rng=np.random.default_rng(seed), modified=True
    )
    _check_recovered(ModifiedBetaGeo().fit(data), BG_TRUTH)


@pytest.mark.parametrize("seed", [31])
def test_pareto_nbd_recovers_parameters(seed: int) -> None:
    data = simulate_pareto_nbd(PARETO_TRUTH, N, max_days=540, rng=np.random.default_rng(seed))
    _check_recovered(ParetoNBD().fit(data), PARETO_TRUTH)


def test_wrong_model_is_detected() -> None:
    # The test can fail: BG/NBD data fitted with truth taken as the MBG/NBD's is rejected.
    data = simulate_beta_geo(BG_TRUTH, N, max_days=540, rng=np.random.default_rng(5))
    model = ModifiedBetaGeo().fit(data)
    with pytest.raises(AssertionError):
        _check_recovered(model, BG_TRUTH)
