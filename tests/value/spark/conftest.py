"""One Spark per engine for the whole run: ``local[2]``, then a standalone master with two
workers started on loopback (tests that take ``spark`` run on both, one after the other:
a process holds one SparkContext at a time).  The logs are files written once per run."""

from __future__ import annotations

import importlib.util
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from clientela.value.datasets import load_cdnow_transactions
from clientela.value.simulation import simulate_beta_geo, transactions_from_summary
from clientela_test_support import need

# Small shuffles: the logs here are at most a million rows on two cores.
CONF = {
    "spark.sql.shuffle.partitions": "4",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.executor.memory": "512m",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
}
ENGINES = ["local[2]", "standalone"]


def require_spark() -> None:
    need(shutil.which("java") is not None, "Java is not installed (apt install openjdk-17-jre-headless)")
    need(importlib.util.find_spec("pyspark") is not None,
         "PySpark is not installed (pip install '.[spark]')")


@pytest.fixture(scope="session")
def spark_conf() -> dict[str, str]:
    """The settings of the tests' Spark sessions (for a spark-submit or CLI run of their own)."""
    require_spark()
    return dict(CONF)


@pytest.fixture(scope="session", params=ENGINES)
def spark(request: pytest.FixtureRequest) -> Iterator[Any]:
    require_spark()
    from clientela.value.spark import session
    from clientela.value.spark.standalone import loopback_cluster

    if request.param == "standalone":
        with loopback_cluster(2, memory="768m") as cluster:
            started = time.monotonic()
            spark = session(cluster.master_url, CONF, app_name="clientela-tests")
            print(f"\nstandalone cluster up in {cluster.started_in:.1f} s, "
                  f"session in {time.monotonic() - started:.1f} s")
            spark.sparkContext.setLogLevel("ERROR")
            yield spark
            spark.stop()
        return
    spark = session(request.param, CONF, app_name="clientela-tests")
    spark.sparkContext.setLogLevel("ERROR")
    yield spark
    spark.stop()


@pytest.fixture(scope="session")
def cdnow(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    """The CDNOW log as a Parquet file (dates as dates) and as the DataFrame it holds."""
    frame = load_cdnow_transactions()[["customer_id", "date", "amount"]]
    path = tmp_path_factory.mktemp("cdnow") / "cdnow.parquet"
    _write(frame, path)
    return path, frame


@pytest.fixture(scope="session")
def million(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    """A simulated BG/NBD log of a little over a million transactions, as Parquet and a DataFrame."""
    rng = np.random.default_rng(20261207)
    customers = simulate_beta_geo({"r": 0.5, "alpha": 3.0, "a": 0.6, "b": 2.5}, 210_000,
                                  max_days=730, rng=rng)
    frame = transactions_from_summary(customers, rng=rng)
    assert len(frame) >= 1_000_000
    path = tmp_path_factory.mktemp("million") / "million"
    path.mkdir()
    # A directory of several files, as a lake writes them.
    for index, part in enumerate(np.array_split(np.arange(len(frame)), 3)):
        _write(frame.iloc[part], path / f"part-{index}.parquet")
    return path, frame


def _write(frame: pd.DataFrame, path: Path) -> None:
    table = pa.table({
        "customer_id": pa.array(frame["customer_id"].to_numpy(np.int64)),
        "date": pa.array(frame["date"].to_numpy().astype("datetime64[D]")),
        "amount": pa.array(frame["amount"].to_numpy(np.float64)),
    })
    pq.write_table(table, path)
