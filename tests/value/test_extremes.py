"""Numerically extreme customers: finite, sensible results where naive formulas break."""

from __future__ import annotations

import mpmath
import numpy as np
import pandas as pd
import pytest

from clientela.value import BetaGeo, ModifiedBetaGeo, ParetoNBD
from clientela.value.datasets import load_cdnow_summary
from clientela.value.models.base import BaseModel, compress_rows

EXTREME = pd.DataFrame(
    {
        "frequency": [221, 221, 0, 5000, 100000, 1, 0],
        "recency": [103.43, 1.0, 0.0, 9999.0, 1e6, 1e-9, 0.0],
        "T": [103.57, 103.57, 1e6, 1e4, 1e6, 1e6, 0.0],
    }
)


@pytest.fixture(scope="module", params=[BetaGeo, ModifiedBetaGeo, ParetoNBD])
def fitted(request: pytest.FixtureRequest) -> BaseModel:
    model: BaseModel = request.param().fit(load_cdnow_summary())
    return model


def test_predictions_finite_for_extreme_customers(fitted: BaseModel) -> None:
    alive = fitted.p_alive(EXTREME).to_numpy()  # type: ignore[attr-defined]
    assert np.all(np.isfinite(alive)) and np.all((alive >= 0) & (alive <= 1))
    for t in (0.0, 1.0, 52.0, 1e4):
        e = fitted.expected_purchases(t, EXTREME).to_numpy()  # type: ignore[attr-defined]
        assert np.all(np.isfinite(e)) and np.all(e >= 0)
    for n in (0, 1, 3):
        p = fitted.probability_of_purchases(n, 52.0, EXTREME).to_numpy()  # type: ignore[attr-defined]
        assert np.all(np.isfinite(p)) and np.all((p >= 0) & (p <= 1 + 1e-12))


def _pareto_loglik_mpmath(
    r: float, alpha: float, s: float, beta: float, x: int, tx: float, t: float
) -> float:
    """Fader & Hardie (2005 note) eq. (6) with its 2F1 difference, in 60-digit arithmetic."""
    mpmath.mp.dps = 60
    r, alpha, s, beta, tx, t = map(mpmath.mpf, (r, alpha, s, beta, tx, t))
    rsx = r + s + x
    if alpha >= beta:
        big, a2 = alpha, s + 1
    else:
        big, a2 = beta, r + x
    z = lambda u: (big - min(alpha, beta)) / (big + u)  # noqa: E731
    a0 = (
        mpmath.hyp2f1(rsx, a2, rsx + 1, z(tx)) / (big + tx) ** rsx
        - mpmath.hyp2f1(rsx, a2, rsx + 1, z(t)) / (big + t) ** rsx
    )
    c = mpmath.gamma(r + x) * alpha**r * beta**s / mpmath.gamma(r)
    like = c * (1 / ((alpha + t) ** (r + x) * (beta + t) ** s) + s / rsx * a0)
    return float(mpmath.log(like))


@pytest.mark.parametrize(
    "params",
    [(0.553, 10.578, 0.606, 11.669), (0.5, 3.0, 2.0, 300.0), (2.0, 200.0, 0.3, 1.0)],
)
@pytest.mark.parametrize(
    "customer", [(221, 103.43, 103.57), (0, 0.0, 38.86), (2, 30.43, 38.86), (50, 3.0, 500.0)]
)
def test_pareto_loglik_matches_high_precision(
    params: tuple[float, ...], customer: tuple[float, ...]
) -> None:
    # CLVTools issue 100's customer among them; our log-space sum of positive
    # series against mpmath's 60-digit evaluation of the textbook 2F1 form.
    model = ParetoNBD()
    x, tx, t = customer
    frame = pd.DataFrame({"frequency": [x], "recency": [tx], "T": [t]})
    data = model._index(compress_rows(model._summary_arrays(frame), model.required_columns))
    ours = float(model._log_likelihood(np.array(params), data)[0][0])
    assert ours == pytest.approx(
        _pareto_loglik_mpmath(*params, int(x), tx, t), rel=1e-10, abs=1e-10
    )


def test_pareto_gradient_matches_finite_differences() -> None:
    model = ParetoNBD()
    data = model._prepare(
        compress_rows(
            model._summary_arrays(pd.concat([EXTREME.iloc[:4], load_cdnow_summary()])),
            model.required_columns,
        )
    )
    for params in (np.array([0.55, 10.6, 0.6, 11.7]), np.array([1.3, 2.0, 1.7, 40.0])):
        _, grad = model._log_likelihood(params, data)
        total = data["weights"] @ grad
        for i in range(4):
            h = 1e-6 * params[i]
            up, down = params.copy(), params.copy()
            up[i] += h
            down[i] -= h
            numeric = (
                data["weights"] @ model._log_likelihood(up, data)[0]
                - data["weights"] @ model._log_likelihood(down, data)[0]
            ) / (2 * h)
            assert total[i] == pytest.approx(numeric, rel=1e-5)


def test_bg_gradient_matches_finite_differences() -> None:
    for cls in (BetaGeo, ModifiedBetaGeo):
        model = cls()
        data = model._prepare(
            compress_rows(
                model._summary_arrays(pd.concat([EXTREME.iloc[:4], load_cdnow_summary()])),
                model.required_columns,
            )
        )
        params = np.array([0.3, 5.0, 0.9, 2.0])
        _, grad = model._log_likelihood(params, data)
        total = data["weights"] @ grad
        for i in range(4):
            h = 1e-6 * params[i]
            up, down = params.copy(), params.copy()
            up[i] += h
            down[i] -= h
            numeric = (
                data["weights"] @ model._log_likelihood(up, data)[0]
                - data["weights"] @ model._log_likelihood(down, data)[0]
            ) / (2 * h)
            assert total[i] == pytest.approx(numeric, rel=1e-6)


def test_extreme_summary_fits_without_nan() -> None:
    data = pd.concat([load_cdnow_summary()[["frequency", "recency", "T"]], EXTREME.iloc[:2]])
    for cls in (BetaGeo, ModifiedBetaGeo, ParetoNBD):
        model = cls().fit(data)
        assert all(np.isfinite(v) and v > 0 for v in model.params_.values())
        assert np.isfinite(model.log_likelihood_)
