"""The scoring chain's intervals and diagnostics degrade instead of stopping a run."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from clientela.crm.scoring import pipeline
from clientela.value.datasets import load_cdnow_summary
from clientela.value.models import BetaGeo


def fitted() -> tuple[pd.DataFrame, BetaGeo]:
    summary = load_cdnow_summary()
    return summary, BetaGeo().fit(summary[["frequency", "recency", "T"]])


def test_a_fit_without_covariance_scores_without_intervals_and_says_why() -> None:
    summary, model = fitted()
    model.covariance_ = np.full((4, 4), np.nan)  # e.g. a singular information matrix
    out = pipeline._value_interval(model, 10.0, summary, horizon=52, discount_rate=0.002, margin=0.3,
                                   new_customers=1.0, acquisition_cost=1.0)
    assert "covariance" in out["interval_error"]
    assert out["customers"]["clv_low"].isna().all() and list(out["customers"].index) == list(summary.index)


def test_a_diagnostic_that_fails_is_left_out_with_its_reason() -> None:
    summary, model = fitted()

    class Broken(BetaGeo):
        def probability_of_purchases(self, n: int, t: float, summary: pd.DataFrame) -> Any:
            raise ValueError("no probabilities today")

    broken = Broken()
    broken.params_ = dict(model.params_)
    out = pipeline.calibration_diagnostics(broken, summary)
    assert out == {"period_transactions_error": "no probabilities today"}
    report = pipeline._report_diagnostics(broken, summary, {})
    assert report["period_transactions_error"] == "no probabilities today"
    assert set(report["matrix"]) >= {"p_alive", "expected_purchases"}
