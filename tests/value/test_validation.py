"""Holdout validation: per-customer errors, model comparison, cumulative curve."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd
import pytest

from clientela.value.datasets import load_cdnow_transactions
from clientela.value.models import BaseModel, BetaGeo
from clientela.value.models.base import FloatArray, SummaryArrays
from clientela.value.summary import summarize
from clientela.value.validation import (
    compare_models,
    cumulative_repeat_transactions,
    evaluate_model,
    holdout_errors,
    holdout_predictions,
)

CALIBRATION_END = "1997-09-28"  # a Sunday: the end of a Monday-based week
OBSERVATION_END = "1998-06-30"


@pytest.fixture(scope="module")
def transactions() -> pd.DataFrame:
    return load_cdnow_transactions()


@pytest.fixture(scope="module")
def summary(transactions: pd.DataFrame) -> pd.DataFrame:
    return summarize(
        transactions,
        customer="customer_id",
        date="date",
        period="W",
        calibration_end=CALIBRATION_END,
        observation_end=OBSERVATION_END,
    )


def test_errors_by_hand() -> None:
    predictions = pd.DataFrame({"actual": [0.0, 2.0, 4.0], "predicted": [1.0, 2.0, 1.0]})
    errors = holdout_errors(predictions)
    assert errors.mae == pytest.approx(4.0 / 3.0)
    assert errors.rmse == pytest.approx(np.sqrt(10.0 / 3.0))
    assert errors.correlation == pytest.approx(np.corrcoef([0, 2, 4], [1, 2, 1])[0, 1])
    assert errors.total_error == pytest.approx(4.0 / 6.0 - 1.0)


def test_holdout_predictions_are_the_model_expectation(summary: pd.DataFrame) -> None:
    model = BetaGeo().fit(summary)
    predictions = holdout_predictions(model, summary)
    duration = float(summary["duration_holdout"].iloc[0])
    np.testing.assert_allclose(
        predictions["predicted"], model.expected_purchases(duration, summary), rtol=1e-12
    )
    np.testing.assert_array_equal(predictions["actual"], summary["frequency_holdout"])


def test_compare_models_ranks_the_three_models(summary: pd.DataFrame) -> None:
    table = compare_models(summary)
    assert sorted(table["model"]) == ["bgnbd", "mbgnbd", "pareto"]
    assert list(table["rank"]) == [1.0, 2.0, 3.0]
    assert table["rmse"].is_monotonic_increasing
    assert table["error"].isna().all()
    assert (table["total_actual"] == summary["frequency_holdout"].sum()).all()
    assert np.isfinite(table[["log_likelihood", "aic", "mae", "correlation"]].to_numpy()).all()


class Unidentifiable(BaseModel):
    """A model whose likelihood is never finite, so fitting must fail."""

    param_names: ClassVar[tuple[str, ...]] = ("theta",)
    required_columns: ClassVar[tuple[str, ...]] = ("frequency",)

    def _log_likelihood(
        self, params: FloatArray, data: SummaryArrays
    ) -> tuple[FloatArray, FloatArray]:
        n = len(data["frequency"])
        return np.full(n, -np.inf), np.zeros((n, 1))


def test_a_model_that_fails_is_reported_not_raised(summary: pd.DataFrame) -> None:
    table = compare_models(summary, models={"bgnbd": BetaGeo, "broken": Unidentifiable})
    broken = table.set_index("model").loc["broken"]
    assert np.isnan(broken["rank"])
    assert "ModelFitError" in broken["error"]
    assert table.iloc[0]["model"] == "bgnbd"
    evaluation = evaluate_model("broken", Unidentifiable(), summary)
    assert evaluation.model is None and evaluation.error_message


def test_cumulative_curve_matches_the_summary(
    summary: pd.DataFrame, transactions: pd.DataFrame
) -> None:
    model = BetaGeo().fit(summary)
    curve = cumulative_repeat_transactions(
        model,
        transactions,
        customer="customer_id",
        date="date",
        calibration_end=CALIBRATION_END,
        observation_end=OBSERVATION_END,
        period="W",
    )
    assert curve["actual"].is_monotonic_increasing
    assert curve["expected"].is_monotonic_increasing
    total = summary["frequency"].sum() + summary["frequency_holdout"].sum()
    assert curve["actual"].iloc[-1] == total
    last_calibration = curve.loc[~curve["holdout"]].iloc[-1]
    assert last_calibration["actual"] == summary["frequency"].sum()
    # At the calibration end each customer has age T, so the expectation is sum_i E_new(T_i).
    expected = model.expected_purchases_new(summary["T"].to_numpy()).sum()
    assert last_calibration["expected"] == pytest.approx(expected, rel=1e-10)
    assert curve["period_start"].iloc[0].day_of_week == 0  # weeks start on Monday


def test_summary_without_holdout_is_refused(summary: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="calibration_end"):
        compare_models(summary.drop(columns=["frequency_holdout"]))
