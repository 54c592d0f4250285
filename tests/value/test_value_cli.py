"""``clientela value fit`` through click's runner, on the CDNOW transaction log."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from clientela.value.cli import value
from clientela.value.datasets import load_cdnow_transactions
from clientela.value.models import ParetoNBD
from clientela.value.summary import summarize

BASE = ["--customer", "customer_id", "--date", "date"]


@pytest.fixture(scope="module")
def log_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("cdnow")
    transactions = load_cdnow_transactions()
    csv, parquet = folder / "cdnow.csv", folder / "cdnow.parquet"
    transactions.to_csv(csv, index=False)
    transactions.to_parquet(parquet)
    return {"csv": csv, "parquet": parquet}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(value, ["fit", *args])
    return result.exit_code, result.output


def test_auto_with_calibration_prints_holdout_and_writes_scores(
    log_files: dict[str, Path], tmp_path: Path
) -> None:
    output = tmp_path / "scores.csv"
    code, text = run(
        str(log_files["csv"]),
        *BASE,
        "--amount",
        "amount",
        "--calibration-end",
        "1997-09-28",
        "--horizon",
        "26",
        "--discount",
        "0.002",
        "--output",
        str(output),
    )
    assert code == 0, text
    for name in ("bgnbd", "pareto", "mbgnbd"):
        assert f"  {name}: MAE" in text
    assert "log-likelihood" in text and "gamma-gamma" in text
    scores = pd.read_csv(output, index_col="customer_id")
    assert list(scores.columns) == [
        "p_alive", "expected_purchases", "expected_spend", "clv", "p_alive_low", "p_alive_high",
        "expected_purchases_low", "expected_purchases_high", "clv_low", "clv_high",
    ]
    assert len(scores) == 2357
    assert np.isfinite(scores.to_numpy()).all()
    assert scores["p_alive"].between(0, 1).all()
    assert (scores["clv"] >= 0).all()
    for name in ("p_alive", "expected_purchases", "clv"):
        assert (scores[f"{name}_low"] <= scores[name] + 1e-9).all()
        assert (scores[name] <= scores[f"{name}_high"] + 1e-9).all()
    assert "total CLV" in text and "(90 % interval " in text


def test_named_model_scores_match_the_library(log_files: dict[str, Path], tmp_path: Path) -> None:
    output = tmp_path / "scores.parquet"
    code, text = run(str(log_files["parquet"]), *BASE, "--model", "pareto", "--output", str(output))
    assert code == 0, text
    assert "model pareto" in text
    scores = pd.read_parquet(output)
    summary = summarize(log_files["parquet"], customer="customer_id", date="date", period="W")
    model = ParetoNBD().fit(summary)
    np.testing.assert_allclose(
        scores["expected_purchases"], model.expected_purchases(52, summary), rtol=1e-9
    )
    np.testing.assert_allclose(scores["p_alive"], model.p_alive(summary), rtol=1e-9)


def test_auto_without_calibration_uses_aic(log_files: dict[str, Path]) -> None:
    code, text = run(str(log_files["csv"]), *BASE, "--period", "M")
    assert code == 0, text
    assert "lowest AIC" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--customer", "cust", "--date", "date"], "--customer: column 'cust' not found"),
        (["--customer", "customer_id", "--date", "day"], "--date: column 'day' not found"),
        (["--customer", "customer_id", "--date", "quantity"], "column 'quantity' holds numbers"),
        ([*BASE, "--amount", "price"], "--amount: column 'price' not found"),
        ([*BASE, "--calibration-end", "soon"], "'soon' is not a date"),
        ([*BASE, "--calibration-end", "2031-01-01"], "leaves no holdout period"),
        ([*BASE, "--output", "scores.xlsx"], "must end in .csv or .parquet"),
    ],
)
def test_bad_input_is_a_one_line_error(
    log_files: dict[str, Path], args: list[str], message: str
) -> None:
    code, text = run(str(log_files["csv"]), *args)
    assert code != 0
    errors = [line for line in text.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and message in errors[0], text


def test_failed_run_writes_nothing(log_files: dict[str, Path], tmp_path: Path) -> None:
    output = tmp_path / "scores.csv"
    code, _ = run(
        str(log_files["csv"]), *BASE, "--calibration-end", "2031-01-01", "--output", str(output)
    )
    assert code != 0
    assert not output.exists()
    assert list(tmp_path.iterdir()) == []
