"""The speed paths give the same numbers as the straightforward ones.

Each shortcut of the value engine is checked against the computation it
replaces: weighted likelihoods regrouped per distinct value against the
per-row likelihood, the cumulative-expectation curve against one call per
horizon, CLV on distinct histories against CLV customer by customer, the
sort-based Parquet summary against the DuckDB query, and the warm-started
fit of many distinct rows against the plain fit.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import clientela.value.summary as summary_module
import clientela.value.summary_parquet as summary_parquet
from clientela.value import BetaGeo, ModifiedBetaGeo, ParetoNBD, customer_lifetime_value, summarize
from clientela.value import clv as clv_module
from clientela.value.datasets import load_cdnow_summary
from clientela.value.models import base, rows
from clientela.value.models.base import BaseModel, SummaryArrays, compress_rows, row_groups
from clientela.value.models.gamma_gamma import GammaGamma
from clientela.value.simulation import simulate_beta_geo, transactions_from_summary


def _prepared(model: BaseModel, summary: pd.DataFrame) -> SummaryArrays:
    arrays = compress_rows(model._summary_arrays(summary), model.required_columns)
    prepared: SummaryArrays = model._prepare(arrays)
    return prepared


@pytest.mark.parametrize(
    ("model", "params"),
    [
        (BetaGeo(), [0.24, 4.4, 0.79, 2.4]),
        (BetaGeo(), [3.0, 0.2, 0.05, 40.0]),
        (ModifiedBetaGeo(), [0.5, 7.0, 1.5, 0.3]),
        (ParetoNBD(), [0.55, 10.5, 0.6, 11.7]),
        (ParetoNBD(), [2.0, 0.3, 5.0, 90.0]),
    ],
)
def test_weighted_likelihood_equals_the_sum_over_rows(
    model: BaseModel, params: list[float]
) -> None:
    data = _prepared(model, load_cdnow_summary())
    theta = np.array(params)
    ll, grad = model._log_likelihood(theta, data)
    total, gradient = model._weighted_log_likelihood(theta, data)
    np.testing.assert_allclose(total, data["weights"] @ ll, rtol=1e-12)
    np.testing.assert_allclose(gradient, data["weights"] @ grad, rtol=1e-9, atol=1e-9)


def test_gamma_gamma_weighted_likelihood_equals_the_sum_over_rows() -> None:
    summary = load_cdnow_summary()
    repeat = summary[summary["frequency"] > 0]
    model = GammaGamma()
    data = _prepared(model, repeat)
    theta = np.array([6.25, 3.74, 15.44])
    ll, grad = model._log_likelihood(theta, data)
    total, gradient = model._weighted_log_likelihood(theta, data)
    np.testing.assert_allclose(total, data["weights"] @ ll, rtol=1e-12)
    np.testing.assert_allclose(gradient, data["weights"] @ grad, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("model_cls", [BetaGeo, ModifiedBetaGeo, ParetoNBD])
def test_curve_equals_one_call_per_horizon(model_cls: type[BetaGeo] | type[ParetoNBD]) -> None:
    summary = load_cdnow_summary()
    model = model_cls().fit(summary)
    horizons = np.array([0.0, 0.5, 1.0, 13.0, 52.0, 520.0])
    curve = model.expected_purchases_curve(horizons, summary)
    assert curve.shape == (len(summary), len(horizons))
    for j, t in enumerate(horizons):
        expected = model.expected_purchases(float(t), summary).to_numpy()
        np.testing.assert_allclose(curve[:, j], expected, rtol=1e-13, atol=0)


def test_clv_on_distinct_histories_equals_clv_per_customer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    summary = load_cdnow_summary()
    summary = pd.concat([summary] * 3, ignore_index=True)  # many repeated histories
    bg = BetaGeo().fit(summary)
    gg = GammaGamma().fit(summary)
    fast = customer_lifetime_value(bg, gg, summary, horizon=52, discount_rate=0.002)
    monkeypatch.setattr(clv_module, "_distinct_customers", lambda model, frame: None)
    monkeypatch.delattr(BetaGeo, "expected_purchases_curve")
    monkeypatch.delattr(BetaGeo, "expected_purchases_discounted")
    slow = customer_lifetime_value(bg, gg, summary, horizon=52, discount_rate=0.002)
    assert list(fast.columns) == list(slow.columns)
    for column in slow.columns:
        np.testing.assert_allclose(fast[column], slow[column], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(
    ("n", "whole"), [(1000, False), (300_000, False), (300_000, True)]
)  # hash numbering; presence-table numbering (whole numbers in a small range)
def test_row_groups_maps_every_row_to_its_distinct_row(n: int, whole: bool) -> None:
    rng = np.random.default_rng(3)
    arrays = {
        "a": rng.integers(0, 5, n).astype(float),
        "b": rng.integers(0, 3, n) * (1.0 if whole else 1 / 7.0),
        "c": rng.choice([0.0, 2.0, 7.0] if whole else [0.5, 1e12, 3.25], n),
    }
    groups, first = row_groups(arrays, ["a", "b", "c"])
    for column, values in arrays.items():
        np.testing.assert_array_equal(values[first][groups], values, err_msg=column)
    keys = set(zip(*(arrays[c] for c in arrays), strict=True))
    assert len(first) == len(keys)


@pytest.mark.parametrize("date_type", [pa.timestamp("ms"), pa.date32()])
@pytest.mark.parametrize("presence_bytes", [0, 10_000])  # always sort; always a presence table
@pytest.mark.parametrize(
    ("period", "end", "cal"),
    [("W", None, None), ("M", "2025-06-30", None), ("D", "2025-03-01", None),
     ("W", None, "2024-09-30")],
)
def test_parquet_sort_path_equals_the_duckdb_query(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    period: str,
    end: str | None,
    cal: str | None,
    presence_bytes: int,
    date_type: pa.DataType,
) -> None:
    monkeypatch.setattr(summary_module, "_PRESENCE_BYTES_PER_ROW", presence_bytes)
    rng = np.random.default_rng(11)
    truth = {"r": 2.0, "alpha": 8.0, "a": 0.8, "b": 4.0}
    log = transactions_from_summary(simulate_beta_geo(truth, 3000, max_days=400, rng=rng), rng=rng)
    log["customer_id"] = log["customer_id"] * 3 + 1000  # sparse ids, not starting at 0
    path = tmp_path / "log.parquet"
    table = pa.Table.from_pandas(log, preserve_index=False)
    table = table.set_column(
        table.schema.get_field_index("date"), "date", table.column("date").cast(date_type)
    )
    pq.write_table(table, path, row_group_size=5000)
    kwargs = {"customer": "customer_id", "date": "date", "amount": "amount", "period": period}
    fast = summarize(path, observation_end=end, calibration_end=cal, **kwargs)
    monkeypatch.setattr(summary_parquet, "summarize_parquet", lambda *args: None)
    slow = summarize(path, observation_end=end, calibration_end=cal, **kwargs)
    pd.testing.assert_index_equal(fast.index, slow.index, exact="equiv")
    pd.testing.assert_frame_equal(fast, slow, check_exact=False, rtol=1e-12)


def test_warm_started_fit_reaches_the_same_maximum(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(5)
    summary = simulate_beta_geo({"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}, 20_000, rng=rng)
    plain = BetaGeo().fit(summary)
    monkeypatch.setattr(base, "_WARM_START_ROWS", 1_000)
    monkeypatch.setattr(base, "_WARM_START_SAMPLE", 2_000)
    warm = BetaGeo().fit(summary)
    # Both stop where the gradient is at rounding level; the flat likelihood
    # leaves the estimates equal to ~1e-7 (standard errors are ~1e-1 relative).
    for name, value in plain.params_.items():
        assert warm.params_[name] == pytest.approx(value, rel=1e-6)
    assert warm.log_likelihood_ == pytest.approx(plain.log_likelihood_, rel=1e-12)


@pytest.mark.parametrize(
    ("model", "params"),
    [
        (BetaGeo(), [0.24, 4.4, 0.79, 2.4]),
        (BetaGeo(), [3.0, 0.2, 0.05, 40.0]),
        (BetaGeo(), [0.5, 70.0, 4.0, 0.3]),
        (ModifiedBetaGeo(), [0.24, 4.4, 0.79, 2.4]),
        (ModifiedBetaGeo(), [3.0, 0.2, 0.05, 40.0]),
        (GammaGamma(), [6.25, 3.74, 15.44]),
        (GammaGamma(), [0.5, 20.0, 3.0]),
    ],
)
def test_analytic_hessian_equals_differences_of_the_gradient(
    model: BaseModel, params: list[float]
) -> None:
    summary = load_cdnow_summary()
    if isinstance(model, GammaGamma):
        summary = summary[summary["frequency"] > 0]
    data = _prepared(model, summary)
    theta = np.array(params)
    ll, grad, hess = model._weighted_log_likelihood_hessian(theta, data)
    expected_ll, expected_grad = model._weighted_log_likelihood(theta, data)
    assert ll == expected_ll
    np.testing.assert_array_equal(grad, expected_grad)
    k = len(theta)
    numeric = np.empty((k, k))
    for i in range(k):
        h = 1e-6 * theta[i]
        up, down = theta.copy(), theta.copy()
        up[i] += h
        down[i] -= h
        numeric[:, i] = (
            model._weighted_log_likelihood(up, data)[1]
            - model._weighted_log_likelihood(down, data)[1]
        ) / (2 * h)
    np.testing.assert_array_equal(hess, hess.T)
    np.testing.assert_allclose(hess, numeric, rtol=1e-5, atol=1e-6 * np.abs(numeric).max())


@pytest.mark.parametrize(("model_cls", "modified"), [(BetaGeo, False), (ModifiedBetaGeo, True)])
def test_newton_fit_reaches_the_lbfgs_maximum(
    monkeypatch: pytest.MonkeyPatch, model_cls: type[BetaGeo], modified: bool
) -> None:
    rng = np.random.default_rng(8)
    truth = {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}
    summary = simulate_beta_geo(truth, 30_000, max_days=540, rng=rng, modified=modified)
    monkeypatch.setattr(base, "_NEWTON_SAMPLE_ROWS", 3_000)  # the subsample start is used
    newton = model_cls().fit(summary)
    monkeypatch.setattr(model_cls, "_has_analytic_hessian", lambda self: False)
    lbfgs = model_cls().fit(summary)
    for name, value in lbfgs.params_.items():
        assert newton.params_[name] == pytest.approx(value, rel=1e-7)
        assert newton.standard_errors_[name] == pytest.approx(
            lbfgs.standard_errors_[name], rel=1e-4
        )
    assert newton.log_likelihood_ == pytest.approx(lbfgs.log_likelihood_, rel=1e-13)


@pytest.mark.parametrize(("q", "v"), [(3.0, 20.0), (84.0, 1055.0)])  # the second is flat in q, v
def test_gamma_gamma_newton_fit_reaches_the_lbfgs_maximum(
    monkeypatch: pytest.MonkeyPatch, q: float, v: float
) -> None:
    rng = np.random.default_rng(9)
    n = 20_000
    x = rng.poisson(3.0, n) + 1
    nu = rng.gamma(q, 1.0 / v, n)
    spend = rng.gamma(4.0 * x, 1.0 / (nu * x))  # mean of x gamma(p = 4, nu) values
    summary = pd.DataFrame({"frequency": x, "monetary_value": spend})
    monkeypatch.setattr(base, "_NEWTON_SAMPLE_ROWS", 2_000)
    evaluations = []
    original = GammaGamma._weighted_log_likelihood_hessian

    def counted(self: GammaGamma, params: np.ndarray, data: SummaryArrays) -> object:
        evaluations.append(1)
        return original(self, params, data)

    monkeypatch.setattr(GammaGamma, "_weighted_log_likelihood_hessian", counted)
    monkeypatch.setattr(
        base, "maximize_log_likelihood", lambda *a, **k: pytest.fail("fell back to L-BFGS-B")
    )
    newton = GammaGamma().fit(summary)
    assert len(evaluations) <= 40  # Newton stops at rounding level, no cycling
    monkeypatch.undo()
    monkeypatch.setattr(GammaGamma, "_has_analytic_hessian", lambda self: False)
    lbfgs = GammaGamma().fit(summary)
    for name, value in lbfgs.params_.items():
        assert newton.params_[name] == pytest.approx(value, rel=1e-5)
    # In the flat case the objective's rounding noise (~1e-13 relative) is
    # all that separates the two stopping points.
    assert newton.log_likelihood_ == pytest.approx(lbfgs.log_likelihood_, rel=1e-12)


def test_grid_codes_group_exactly_like_the_values() -> None:
    rng = np.random.default_rng(4)
    days = rng.integers(0, 900, 5_000)
    for values in (days.astype(float), days / 7.0, (days + 3) / 7.0):
        codes, count, offset, q = rows._grid_codes(values)  # type: ignore[misc]
        assert codes.min() >= 0 and codes.max() < count
        np.testing.assert_array_equal((codes + offset) / q, values)
        unique, positions = rows.distinct_values(values)
        expected_unique, expected_positions = np.unique(values, return_inverse=True)
        np.testing.assert_array_equal(unique, expected_unique)
        np.testing.assert_array_equal(positions, expected_positions)
    # Off the grids: hashing / sorting, same answers.
    for values in (days / 7.0 + 1e-9, days * 0.1, np.array([0.5, 1e12, 3.25, 0.5])):
        assert rows._grid_codes(values) is None
        unique, positions = rows.distinct_values(values)
        np.testing.assert_array_equal(unique[positions.astype(np.intp)], values)


@pytest.mark.parametrize("per_day", [1, 86_400, 86_400_000, 86_400_000_000])
def test_week_of_ticks_by_float_division_equals_integer_division(per_day: int) -> None:
    rng = np.random.default_rng(2)
    week = 7 * per_day
    boundaries = np.arange(-2000, 2000, dtype=np.int64) * week - 3 * per_day
    ticks = np.concatenate(
        [
            rng.integers(-(2**49), 2**49, 200_000),
            boundaries,
            boundaries - 1,
            boundaries + 1,
            rng.integers(-(2**62), 2**62, 1000),  # beyond 2^50: the integer path
        ]
    )
    for part in (ticks[:-1000], ticks):
        np.testing.assert_array_equal(
            summary_module.period_ordinal(part, "W", per_day),
            np.floor_divide(part + 3 * per_day, week),
        )


@pytest.mark.parametrize(("period", "cal"), [("W", None), ("D", "2024-09-30")])
def test_dataframe_and_parquet_routes_give_the_same_summary(
    tmp_path: Path, period: str, cal: str | None
) -> None:
    """Both routes end in one TransactionLog pass: the same figures to the last bit."""
    rng = np.random.default_rng(23)
    truth = {"r": 2.0, "alpha": 8.0, "a": 0.8, "b": 4.0}
    log = transactions_from_summary(simulate_beta_geo(truth, 2000, max_days=400, rng=rng), rng=rng)
    log = log.sample(frac=1.0, random_state=3).reset_index(drop=True)  # not grouped by customer
    path = tmp_path / "log.parquet"
    log.to_parquet(path)
    kwargs = {"customer": "customer_id", "date": "date", "amount": "amount", "period": period}
    from_frame = summarize(log, calibration_end=cal, **kwargs)
    from_file = summarize(path, calibration_end=cal, **kwargs)
    pd.testing.assert_frame_equal(from_frame, from_file, check_exact=True)
