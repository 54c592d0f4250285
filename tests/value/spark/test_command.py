"""``clientela value fit --engine spark`` prints and writes what the single-machine command does;
the spark-submit module runs the same command under ``spark-submit``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from clientela.cli.value import value

ARGS = ["--customer", "customer_id", "--date", "date", "--amount", "amount", "--model", "bgnbd"]


def options(flag: str, conf: dict[str, str]) -> list[str]:
    return [part for key, val in conf.items() for part in (flag, f"{key}={val}")]


def fit(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(value, ["fit", *args])
    return result.exit_code, result.output


def model_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(("model", "  log-likelihood"))]


def same_scores(spark_output: Path, local_output: Path) -> None:
    expected = pd.read_parquet(local_output).sort_index()
    got = pd.read_parquet(spark_output).set_index("customer_id").sort_index()[expected.columns]
    assert np.array_equal(got.index.to_numpy(), expected.index.to_numpy())
    for column in expected.columns:
        np.testing.assert_allclose(got[column], expected[column], rtol=1e-9, atol=0, err_msg=column)


# The command's steps are the engine's (test_engine runs both engines): local[2] only.
@pytest.mark.parametrize("spark", ["local[2]"], indirect=True)
def test_fit_on_spark_prints_and_writes_the_single_machine_answers(
    spark: Any, spark_conf: dict[str, str], cdnow: tuple[Path, pd.DataFrame], tmp_path: Path
) -> None:
    path = str(cdnow[0])
    local_out, spark_out = tmp_path / "local.parquet", tmp_path / "spark.parquet"
    code, local = fit(path, *ARGS, "--calibration-end", "1997-09-30", "--output", str(local_out))
    assert code == 0, local
    code, on_spark = fit(path, *ARGS, "--calibration-end", "1997-09-30", "--engine", "spark",
                         *options("--spark-conf", spark_conf), "--output", str(spark_out))
    assert code == 0, on_spark
    assert model_lines(on_spark) == model_lines(local)
    holdout = [line for line in local.splitlines() if line.startswith("  bgnbd: MAE")]
    assert holdout and holdout[0] in on_spark.splitlines()
    assert local.splitlines()[-2].split(" (90 %")[0] in on_spark  # scored N customers ... total CLV
    same_scores(spark_out, local_out)


@pytest.mark.parametrize("spark", ["local[2]"], indirect=True)
def test_fit_on_spark_refuses_bad_input_with_the_single_machine_message(
    spark: Any, cdnow: tuple[Path, pd.DataFrame]
) -> None:
    code, text = fit(str(cdnow[0]), "--customer", "client", "--date", "date", "--engine", "spark")
    assert code == 1
    assert "missing column(s) 'client'" in text and "Traceback" not in text
    code, text = fit(str(cdnow[0]), *ARGS, "--engine", "spark", "--spark-conf", "no-equals")
    assert code == 2 and "'no-equals' is not KEY=VALUE" in text


def test_the_spark_submit_module(
    spark_conf: dict[str, str], cdnow: tuple[Path, pd.DataFrame], tmp_path: Path
) -> None:
    """A separate driver under spark-submit (local[1]), as on a cluster without the CLI."""
    from clientela.cli import spark_submit as submit
    from clientela.value.spark.standalone import spark_home

    local_out, spark_out = tmp_path / "local.parquet", tmp_path / "spark.parquet"
    code, _ = fit(str(cdnow[0]), *ARGS, "--output", str(local_out))
    assert code == 0
    done = subprocess.run(
        [str(spark_home() / "bin" / "spark-submit"), "--master", "local[1]",
         *options("--conf", spark_conf),
         submit.__file__, str(cdnow[0]), *ARGS, "--output", str(spark_out)],
        capture_output=True, text=True, timeout=600,
        env={**os.environ, "PYSPARK_PYTHON": sys.executable, "PYSPARK_DRIVER_PYTHON": sys.executable},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "scored 2357 customers" in done.stdout
    same_scores(spark_out, local_out)
