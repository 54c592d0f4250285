"""``clientela value fit`` through click's runner, on the CDNOW transaction log."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from clientela.cli.value import value
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
        (["--customer", "customer_id", "--date", "quantity"], "column 'quantity' has a value that is not a date"),
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


def test_auto_states_its_criterion_runner_up_and_margin(log_files: dict[str, Path]) -> None:
    code, text = run(str(log_files["csv"]), *BASE, "--calibration-end", "1997-09-28")
    assert code == 0, text
    line = next(li for li in text.splitlines() if li.startswith("auto: criterion"))
    assert "the lowest holdout RMSE" in line and "runner-up" in line and "margin" in line
    code, text = run(str(log_files["parquet"]), *BASE)
    assert code == 0, text
    line = next(li for li in text.splitlines() if li.startswith("auto: criterion"))
    assert "the lowest AIC on all the data" in line and "runner-up" in line and "margin" in line
    # the margin printed is the runner-up's figure minus the winner's
    numbers = [float(v) for v in line.replace(")", " ").replace(",", " ").split() if v.replace(".", "").replace("-", "").isdigit()]
    assert numbers[-1] == pytest.approx(numbers[-2] - numbers[-3], abs=2e-4)


def test_zero_spend_repeat_buyer_needs_min_spend_and_its_count_is_printed(
    log_files: dict[str, Path], tmp_path: Path
) -> None:
    log = load_cdnow_transactions()
    repeaters = log.groupby("customer_id")["date"].nunique()
    one = repeaters[repeaters == 2].index[0]  # a repeat buyer with one repeat purchase
    rows = log.index[log["customer_id"] == one]
    log.loc[rows[-1], "amount"] = 0.0  # ... which was free
    path = tmp_path / "free.csv"
    log.to_csv(path, index=False)
    code, text = run(str(path), *BASE, "--amount", "amount", "--model", "bgnbd")
    assert code != 0 and "--min-spend 0" in text and "Traceback" not in text
    code, text = run(str(path), *BASE, "--amount", "amount", "--model", "bgnbd", "--min-spend", "0")
    assert code == 0, text
    assert "excluded from the Gamma-Gamma fit: 1 repeat buyer(s)" in text


def _loglik(text: str) -> str:
    return next(li for li in text.splitlines() if "log-likelihood" in li).split(",")[0]


def test_aware_dates_across_daylight_saving_and_local_day(
    log_files: dict[str, Path], tmp_path: Path
) -> None:
    log = load_cdnow_transactions()
    stamps = pd.to_datetime(log["date"]).dt.tz_localize("Europe/Warsaw", nonexistent="shift_forward",
                                                           ambiguous="NaT")
    log["date"] = stamps.map(lambda t: t.isoformat() if pd.notna(t) else "1997-03-01T12:00:00+01:00")
    assert log["date"].str.endswith("+01:00").any() and log["date"].str.endswith("+02:00").any()
    path = tmp_path / "aware.csv"
    log.to_csv(path, index=False)
    code, text = run(str(path), *BASE, "--model", "bgnbd")
    assert code == 0, text
    code, local = run(str(path), *BASE, "--model", "bgnbd", "--local-day", "Europe/Warsaw")
    assert code == 0, local
    # Midnight in Warsaw is the day before in UTC: the local days are the original ones.
    code, naive = run(str(log_files["csv"]), *BASE, "--model", "bgnbd")
    assert _loglik(local) == _loglik(naive) != _loglik(text)
    code, text = run(str(path), *BASE, "--local-day", "Nowhere/Town")
    assert code != 0 and "not a time zone" in text


def test_no_visible_churn_falls_back_to_the_nbd(tmp_path: Path) -> None:
    rng = np.random.default_rng(17)
    rows = []
    for c in range(300):  # every customer buys twelve times over the year and is still buying
        for day in np.sort(rng.integers(0, 364, 12)):
            rows.append((c, str(np.datetime64("2025-01-01") + np.timedelta64(int(day), "D")), 30.0))
    path = tmp_path / "steady.csv"
    pd.DataFrame(rows, columns=["customer_id", "date", "amount"]).to_csv(path, index=False)
    code, text = run(str(path), *BASE, "--output", str(tmp_path / "s.csv"))
    assert code == 0, text
    assert "NBD without dropout, P(alive) = 1" in text and "model nbd:" in text
    scores = pd.read_csv(tmp_path / "s.csv")
    assert (scores["p_alive"] == 1.0).all() and np.isfinite(scores["expected_purchases"]).all()
