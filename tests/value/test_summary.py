"""summarize(): the literature's definitions, the published CDNOW summary, clear errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clientela.value import summarize
from clientela.value.datasets import load_cdnow_summary, load_cdnow_transactions


def test_reproduces_published_cdnow_calibration_summary() -> None:
    tx = load_cdnow_transactions()
    ours = summarize(
        tx,
        customer="customer_id",
        date="date",
        amount="amount",
        period="D",
        observation_end="1997-09-30",
    )
    ref = load_cdnow_summary()
    assert len(ours) == 2357
    np.testing.assert_array_equal(ours["frequency"].to_numpy(), ref["frequency"].to_numpy())
    # The published file gives weeks to 2 decimals.
    np.testing.assert_allclose(ours["recency"] / 7, ref["recency"], atol=0.005)
    np.testing.assert_allclose(ours["T"] / 7, ref["T"], atol=0.005)
    np.testing.assert_allclose(ours["monetary_value"], ref["monetary_value"], atol=0.005 + 1e-9)


def test_definitions_on_a_small_log() -> None:
    tx = pd.DataFrame(
        {
            "who": ["a", "a", "a", "a", "b", "c"],
            "when": [
                "2024-01-01",
                "2024-01-01",
                "2024-01-10",
                "2024-01-22",
                "2024-01-15",
                "2024-02-10",
            ],
            "value": [10.0, 5.0, 20.0, 30.0, 7.0, 1.0],
        }
    )
    out = summarize(
        tx, customer="who", date="when", amount="value", period="D", observation_end="2024-01-31"
    )
    assert list(out.index) == ["a", "b"]  # c bought after the end
    a = out.loc["a"]
    assert (a["frequency"], a["recency"], a["T"]) == (2, 21.0, 30.0)
    assert a["monetary_value"] == 25.0  # same-day purchases collapse; first period excluded
    assert tuple(out.loc["b", ["frequency", "recency", "T", "monetary_value"]]) == (
        0,
        0.0,
        16.0,
        0.0,
    )
    weekly = summarize(tx, customer="who", date="when", period="W", observation_end="2024-01-31")
    # 2024-01-01 is a Monday: weeks 0, 1, 3; end in week 4.
    assert tuple(weekly.loc["a"]) == (2, 3.0, 4.0)


def test_holdout_columns() -> None:
    tx = pd.DataFrame(
        {
            "who": [1, 1, 1, 1, 2],
            "when": pd.to_datetime(
                ["2024-01-01", "2024-01-05", "2024-02-03", "2024-02-03", "2024-02-02"]
            ),
            "value": [1.0, 2.0, 3.0, 4.0, 5.0],
        }
    )
    out = summarize(
        tx,
        customer="who",
        date="when",
        amount="value",
        period="D",
        calibration_end="2024-01-31",
        observation_end="2024-02-29",
    )
    assert list(out.index) == [1]  # customer 2 first bought in the holdout
    row = out.loc[1]
    assert row["frequency"] == 1 and row["recency"] == 4.0 and row["T"] == 30.0
    assert row["frequency_holdout"] == 1 and row["monetary_value_holdout"] == 7.0
    assert row["duration_holdout"] == 29.0


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
@pytest.mark.parametrize("period", ["D", "W", "M"])
def test_files_match_frames(tmp_path: Path, suffix: str, period: str) -> None:
    tx = load_cdnow_transactions()
    path = tmp_path / f"tx{suffix}"
    tx.to_csv(path, index=False) if suffix == ".csv" else tx.to_parquet(path)
    kwargs = dict(
        customer="customer_id",
        date="date",
        amount="amount",
        period=period,
        calibration_end="1997-09-30",
        observation_end="1998-06-30",
    )
    frame = summarize(tx, **kwargs)  # type: ignore[arg-type]
    file = summarize(path, **kwargs)  # type: ignore[arg-type]
    assert list(frame.columns) == list(file.columns)
    np.testing.assert_array_equal(frame.index.to_numpy(), file.index.to_numpy())
    np.testing.assert_allclose(frame.to_numpy(float), file.to_numpy(float), rtol=1e-12)


def test_errors_name_the_column(tmp_path: Path) -> None:
    tx = pd.DataFrame({"who": [1, 2], "when": ["2024-01-01", "not a date"], "value": [1.0, "x"]})
    with pytest.raises(ValueError, match="'customer'"):
        summarize(tx, customer="customer", date="when")
    with pytest.raises(ValueError, match="'when'"):
        summarize(tx, customer="who", date="when")
    ok = tx.assign(when=["2024-01-01", "2024-01-02"])
    with pytest.raises(ValueError, match="'value'"):
        summarize(ok, customer="who", date="when", amount="value")
    with pytest.raises(ValueError, match="period"):
        summarize(ok, customer="who", date="when", period="Q")
    path = tmp_path / "bad.csv"
    tx.to_csv(path, index=False)
    with pytest.raises(ValueError, match="'when'"):
        summarize(path, customer="who", date="when")
    with pytest.raises(ValueError, match="'nope'"):
        summarize(path, customer="nope", date="when")
