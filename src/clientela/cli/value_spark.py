"""``clientela value fit --engine spark``: the single-machine command's steps on Spark.

The same options, choice of model, printed fits and scores as
:func:`clientela.cli.value.fit_command`; the summary is computed on the
cluster, the models are fitted on the driver on the compressed summary (the
same parameters), and the scores are computed on the executors and written by
Spark (``--output`` becomes a directory of Parquet or CSV parts).
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click
import numpy as np
import pandas as pd

from clientela.cli.value import _YEAR, _choose, _one_line, fit_spend, refit

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

    from clientela.value.clv import PurchasesModel, Spend

_PURCHASES = ["frequency", "recency", "T"]
_HOLDOUT = [*_PURCHASES, "frequency_holdout", "duration_holdout"]


def spark_settings(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``K=V`` strings as a dict; a pair without ``=`` or key is a usage error naming it."""
    settings: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--spark-conf")
        settings[key.strip()] = value
    return settings


def _expanded(table: pd.DataFrame) -> pd.DataFrame:
    """One row per customer again from a compressed table (the holdout scores each customer)."""
    counts = table.pop("weights").to_numpy(dtype=np.int64)
    return table.loc[table.index.repeat(counts)].reset_index(drop=True)


def _intervals_level(model: Any, spend: Spend, sample: pd.DataFrame, steps: int,
                     discount: float, level: float) -> float | None:
    """``level`` when the fitted models give intervals (checked on one row on the driver)."""
    from clientela.value.uncertainty import IntervalsUnavailable, value_intervals

    try:
        value_intervals(model, spend, sample, horizon=steps, discount_rate=discount, level=level)
    except (IntervalsUnavailable, ValueError, ArithmeticError) as exc:
        click.echo(f"no intervals: {_one_line(exc)}", err=True)
        return None
    return level


def fit_on_spark(
    file: Path,
    options: dict[str, Any],
    *,
    model_name: str,
    calibration_end: Any,
    horizon: int | None,
    discount: float,
    min_spend: float | None,
    penalizer: float,
    interval_level: float,
    output: Path | None,
    master: str | None,
    spark_conf: tuple[str, ...],
    input_format: str | None,
) -> None:
    """Run ``value fit`` on Spark (arguments as the command's); see the module docstring."""
    settings = spark_settings(spark_conf)
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise click.ClickException(
            "--engine spark needs PySpark: pip install 'clientela[spark]' (and Java 17+)"
        ) from None
    from clientela.value.spark import engine

    owned = SparkSession.getActiveSession() is None
    # The console's progress bars and Spark's warnings would bury the command's own lines.
    spark = engine.session(master, {"spark.ui.showConsoleProgress": "false", **settings})
    spark.sparkContext.setLogLevel("ERROR")
    try:
        _fit(spark, file, options, model_name, calibration_end, horizon, discount, min_spend,
             penalizer, interval_level, output, input_format)
    finally:
        if owned:
            spark.stop()


def _fit(spark: Any, file: Path, options: dict[str, Any], model_name: str, calibration_end: Any,
         horizon: int | None, discount: float, min_spend: float | None, penalizer: float,
         interval_level: float, output: Path | None, input_format: str | None) -> None:
    from clientela.value.spark import engine

    try:
        frame = engine.read(spark, file, input_format)
    except ValueError as exc:
        raise click.ClickException(_one_line(exc)) from None

    def spark_summary(end: Any) -> DataFrame:
        try:
            return engine.summarize(frame, calibration_end=end, **options)
        except ValueError as exc:
            raise click.ClickException(f"{file.name}: {_one_line(exc)}") from None

    full = spark_summary(None).persist()

    customer = options["customer"]
    purchases = engine.compress(full, _PURCHASES, customer)

    def summaries(end: Any) -> pd.DataFrame:
        if end is None:
            return purchases
        return _expanded(engine.compress(spark_summary(end), _HOLDOUT, customer))

    candidates = _choose(model_name, summaries, calibration_end, penalizer)
    model = cast("PurchasesModel", refit(candidates, purchases, penalizer))
    amount = options["amount"]
    spend_model = None
    if amount is not None:
        from clientela.value.models.gamma_gamma import GammaGamma

        spend_model = fit_spend(engine.model_rows(GammaGamma(), full, customer), min_spend,
                                penalizer)
    period = options["period"]
    steps = horizon if horizon is not None else _YEAR[period]
    sample = purchases.head(1).assign(monetary_value=1.0)
    spend: Spend = spend_model if spend_model is not None else 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        level = _intervals_level(model, spend, sample, steps, discount, interval_level)
    scores = engine.score(full, model, spend_model, customer=customer, horizon=steps,
                          discount_rate=discount, interval_level=level).persist()
    try:
        if output is not None:
            kind = "csv" if output.suffix.lower() == ".csv" else "parquet"
            engine.write(scores, output, format=kind)
        _echo_totals(scores, steps, period, amount is not None)
        if output is not None:
            click.echo(f"wrote {output} (a directory of {output.suffix[1:]} parts)")
    finally:
        scores.unpersist()
        full.unpersist()


def _echo_totals(scores: DataFrame, steps: int, period: str, with_amount: bool) -> None:
    from pyspark.sql import functions as F

    sums = [F.count(F.lit(1)), F.sum("expected_purchases")]
    if with_amount:
        sums.append(F.sum("clv"))
    row = scores.agg(*sums).first()
    values = list(row) if row is not None else [0, 0.0, 0.0]
    total = float(values[1] or 0.0)
    line = f"scored {int(values[0])} customers over {steps} periods ({period}); expected purchases {total:.1f}"
    if with_amount:
        clv = float(values[2] or 0.0)
        line += f", total CLV {clv:.2f}" if math.isfinite(clv) else ", total CLV not finite"
    click.echo(line)
