"""The Spark engine gives the single-machine answers: summary row by row, fits, every score.

Each test runs on ``local[2]`` and on a standalone master with two workers on loopback
(conftest.py), on the CDNOW log and on a simulated log of a million transactions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from clientela.value import BetaGeo, GammaGamma, ParetoNBD, summarize
from clientela.value.clv import customer_lifetime_value
from clientela.value.uncertainty import value_intervals

KEYS = {"customer": "customer_id", "date": "date", "amount": "amount"}
RTOL = 1e-9
SCORES = ["p_alive", "expected_purchases", "expected_spend", "clv"]
BOUNDS = [f"{n}_{s}" for n in ("p_alive", "expected_purchases", "clv") for s in ("low", "high")]


def assert_same_summary(got: Any, reference: pd.DataFrame) -> None:
    """Row by row: the same customers, the same counts, amounts to rounding."""
    table = got.toPandas().set_index("customer_id").sort_index()
    assert list(table.columns) == list(reference.columns)
    assert np.array_equal(table.index.to_numpy(), reference.index.to_numpy())
    for column in reference.columns:
        expected, actual = reference[column].to_numpy(), table[column].to_numpy()
        if column.startswith("monetary"):
            np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=0, err_msg=column)
        else:
            assert np.array_equal(actual, expected), column
            assert actual.dtype == expected.dtype, column


def assert_same_fit(got: Any, reference: Any) -> None:
    assert got.params_.keys() == reference.params_.keys()
    for name, value in reference.params_.items():
        assert got.params_[name] == pytest.approx(value, rel=RTOL), name
    assert got.log_likelihood_ == pytest.approx(reference.log_likelihood_, rel=RTOL)
    assert got.n_customers_ == reference.n_customers_


def single_machine_scores(model: Any, spend: Any, summary: pd.DataFrame, intervals: bool) -> pd.DataFrame:
    scores = customer_lifetime_value(model, spend, summary, horizon=52, discount_rate=0.01)[SCORES]
    if intervals:
        bounds = value_intervals(model, spend, summary, horizon=52, discount_rate=0.01, level=0.9)
        for name in BOUNDS:
            scores[name] = bounds.customers[name]
    return scores


@dataclass(frozen=True)
class Reference:
    """The single-machine answers for one log: its summary, the fitted models, every score."""

    summary: pd.DataFrame
    model: Any
    spend: Any
    scores: pd.DataFrame


_references: dict[tuple[Path, bool], Reference] = {}


def single_machine(path: Path, frame: pd.DataFrame, *, intervals: bool) -> Reference:
    """The reference for ``frame``, computed once a run (each engine compares with it: the
    million-transaction log's intervals alone take seconds)."""
    key = (path, intervals)
    if key not in _references:
        summary = summarize(frame, **KEYS)
        model, spend = BetaGeo().fit(summary), GammaGamma().fit(summary)
        _references[key] = Reference(summary, model, spend,
                                     single_machine_scores(model, spend, summary, intervals))
    return _references[key]


def check_log(spark: Any, path: Path, frame: pd.DataFrame, *, intervals: bool) -> None:
    from clientela.value.spark import fit, read, score
    from clientela.value.spark import summarize as spark_summarize

    reference = single_machine(path, frame, intervals=intervals)
    summary = spark_summarize(read(spark, path), **KEYS).persist()
    try:
        assert_same_summary(summary, reference.summary)
        model, spend = fit(BetaGeo(), summary), fit(GammaGamma(), summary)
        assert_same_fit(model, reference.model)
        assert_same_fit(spend, reference.spend)
        scored = score(summary, model, spend, customer="customer_id", horizon=52,
                       discount_rate=0.01, interval_level=0.9 if intervals else None)
        table = scored.toPandas().set_index("customer_id").sort_index()
    finally:
        summary.unpersist()
    expected = reference.scores
    assert np.array_equal(table.index.to_numpy(), expected.index.to_numpy())
    assert list(table.columns) == list(expected.columns)
    for column in expected.columns:
        np.testing.assert_allclose(table[column].to_numpy(), expected[column].to_numpy(),
                                   rtol=RTOL, atol=0, err_msg=column)


def test_cdnow(spark: Any, cdnow: tuple[Path, pd.DataFrame]) -> None:
    check_log(spark, *cdnow, intervals=True)


def test_a_million_transactions(spark: Any, million: tuple[Path, pd.DataFrame]) -> None:
    check_log(spark, *million, intervals=True)


def test_cdnow_calibration_and_holdout(spark: Any, cdnow: tuple[Path, pd.DataFrame]) -> None:
    from clientela.value.spark import compress, read
    from clientela.value.spark import summarize as spark_summarize

    path, frame = cdnow
    split = {**KEYS, "calibration_end": "1997-09-30", "observation_end": "1998-06-30"}
    summary = spark_summarize(read(spark, path), **split)
    assert_same_summary(summary, summarize(frame, **split))
    # Pareto/NBD fitted on the compressed calibration summary = fitted per customer.
    compressed = compress(summary, ParetoNBD.required_columns)
    assert compressed["weights"].sum() == len(summarize(frame, **split))
    assert_same_fit(ParetoNBD().fit(compressed), ParetoNBD().fit(summarize(frame, **split)))
