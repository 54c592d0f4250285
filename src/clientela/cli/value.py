"""``clientela value``: fit lifetime-value models on a transaction file and score customers.

A thin face over the engine (no Django): parse arguments, call
:func:`~clientela.value.summary.summarize`, the models,
:func:`~clientela.value.validation.evaluate_models` and
:func:`~clientela.value.clv.customer_lifetime_value`, and render.  The root group
(``cli/main.py``) imports it only when it runs, so that other commands do not load pandas
and SciPy.
"""

from __future__ import annotations

import math
import os
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import click
import pandas as pd

from clientela.value.clv import PurchasesModel, Spend, customer_lifetime_value
from clientela.value.models.base import BaseModel, BoundaryWarning, ModelFitError
from clientela.value.models.gamma_gamma import GammaGamma
from clientela.value.summary import check_zone, summarize
from clientela.value.uncertainty import IntervalsUnavailable, value_intervals
from clientela.value.validation import ModelEvaluation, evaluate_models

#: Default horizon (one year) in each period unit.
_YEAR = {"D": 365, "W": 52, "M": 12}
_OUTPUT_SUFFIXES = (".csv", ".parquet")


def _model_factories() -> dict[str, type[BaseModel]]:
    from clientela.value.models import BetaGeo, ModifiedBetaGeo, ParetoNBD

    return {"bgnbd": BetaGeo, "pareto": ParetoNBD, "mbgnbd": ModifiedBetaGeo}


def _columns_of(path: Path) -> list[str]:
    """Column names of a CSV or Parquet file, reading only its header."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            return list(pq.read_schema(path).names)
        return list(pd.read_csv(path, nrows=0).columns)
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"cannot read {path.name}: {exc}") from None


def _check_columns(path: Path, **columns: str | None) -> None:
    present = _columns_of(path)
    for option, name in columns.items():
        if name is not None and name not in present:
            raise click.ClickException(
                f"--{option}: column {name!r} not found in {path.name} "
                f"(columns: {', '.join(present)})"
            )


def _parse_date(value: str | None) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        return pd.Timestamp(value)
    except (TypeError, ValueError):
        raise click.BadParameter(
            f"{value!r} is not a date (use YYYY-MM-DD)", param_hint="--calibration-end"
        ) from None


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


def _summarize(path: Path, **kwargs: Any) -> pd.DataFrame:
    try:
        return summarize(path, **kwargs)
    except (ValueError, TypeError) as exc:
        raise click.ClickException(_one_line(exc)) from None


def _echo_model(name: str, model: BaseModel) -> None:
    params = ", ".join(
        f"{k}={v:.4g} (se {model.standard_errors_.get(k, math.nan):.2g})"
        for k, v in model.params_.items()
    )
    click.echo(f"model {name}: {params}")
    click.echo(
        f"  log-likelihood {model.log_likelihood_:.2f}, AIC {model.aic_:.2f}, "
        f"BIC {model.bic_:.2f}, customers {model.n_customers_:.0f}"
    )


def _echo_holdout(evaluations: list[ModelEvaluation]) -> None:
    click.echo("holdout accuracy (per customer; totals over the holdout):")
    for evaluation in evaluations:
        if evaluation.errors is None:
            click.echo(f"  {evaluation.name}: fit failed: {evaluation.error_message}")
            continue
        e = evaluation.errors
        click.echo(
            f"  {evaluation.name}: MAE {e.mae:.4f}, RMSE {e.rmse:.4f}, "
            f"correlation {e.correlation:.4f}, actual {e.total_actual:.0f}, "
            f"predicted {e.total_predicted:.1f} ({100 * e.total_error:+.1f}%)"
        )


def _choose(
    model_name: str,
    summaries: Callable[[Any], pd.DataFrame],
    calibration_end: Any,
    penalizer: float,
) -> list[str]:
    """The candidate models, best first, by one criterion that is printed.

    With ``--calibration-end``: the lowest holdout RMSE of per-customer repeat
    purchases; without: the lowest AIC on all the data.  ``auto`` prints the
    winner, the runner-up and the margin between them.
    """
    factories = _model_factories()
    names = list(factories) if model_name == "auto" else [model_name]
    if calibration_end is not None:
        calibration = summaries(calibration_end)
        if len(calibration) == 0 or not (calibration["duration_holdout"] > 0).all():
            raise click.ClickException(
                f"--calibration-end {pd.Timestamp(calibration_end).date()} leaves no holdout "
                "period after it (or no customer before it)"
            )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", BoundaryWarning)
            evaluations = evaluate_models(
                calibration, {n: _factory(factories[n], penalizer) for n in names}
            )
        click.echo(f"calibration to {pd.Timestamp(calibration_end).date()}:")
        _echo_holdout(evaluations)
        scored = sorted(
            ((e.errors.rmse, e.name) for e in evaluations if e.errors is not None),
            key=lambda pair: (pair[0], pair[1]),
        )
        if not scored:
            click.echo("no model could be fitted on the calibration period")
            return []
        _echo_choice(model_name, "the lowest holdout RMSE of per-customer repeat purchases", "RMSE", scored)
        return [name for _, name in scored]
    if len(names) == 1:
        return names
    full = summaries(None)
    ranked: list[tuple[float, str]] = []
    for name in names:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", BoundaryWarning)
                model = _factory(factories[name], penalizer)().fit(full)
        except (ModelFitError, ValueError, ArithmeticError) as exc:
            click.echo(f"  {name}: fit failed: {_one_line(exc)}")
            continue
        ranked.append((model.aic_, name))
    if not ranked:
        return []
    ranked.sort()
    _echo_choice(model_name, "the lowest AIC on all the data (no --calibration-end)", "AIC", ranked)
    return [name for _, name in ranked]


def _factory(factory: type[BaseModel], penalizer: float) -> Callable[[], BaseModel]:
    return lambda: factory(penalizer=penalizer)


def _echo_choice(model_name: str, criterion: str, label: str, ranked: list[tuple[float, str]]) -> None:
    if model_name != "auto":
        return
    (best_value, best), rest = ranked[0], ranked[1:]
    line = f"auto: criterion {criterion}: {best} ({label} {best_value:.4f})"
    if rest:
        value, name = rest[0]
        line += f", runner-up {name} ({label} {value:.4f}, margin {value - best_value:.4f})"
    click.echo(line)


def _fallback(full: pd.DataFrame, penalizer: float) -> BaseModel:
    """The NBD without dropout when no dropout model is identified (no visible churn)."""
    from clientela.value.models import NBD

    click.echo("no dropout model could be identified: NBD without dropout, P(alive) = 1")
    for weight in (penalizer, max(penalizer, 1e-3)):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", BoundaryWarning)
                model = NBD(penalizer=weight).fit(full)
        except (ModelFitError, ValueError, ArithmeticError) as exc:
            click.echo(f"  nbd (penalizer {weight:g}): {_one_line(exc)}")
            continue
        _echo_model("nbd", model)
        return model
    raise click.ClickException("no purchases model could be fitted, not even the NBD")


def refit(candidates: list[str], full: pd.DataFrame, penalizer: float) -> BaseModel:
    """The first of ``candidates`` (best first) that fits all the data, else the NBD fallback."""
    for chosen in candidates:
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", BoundaryWarning)
                model = _model_factories()[chosen](penalizer=penalizer).fit(full)
        except (ModelFitError, ValueError, ArithmeticError) as exc:
            click.echo(f"  {chosen}: refit on all data failed: {_one_line(exc)}")
            continue
        _echo_model(chosen, model)
        for warning in caught:
            click.echo(f"  warning: {warning.message}")
        return model
    return _fallback(full, penalizer)


def fit_spend(full: pd.DataFrame, min_spend: float | None, penalizer: float) -> GammaGamma:
    """The Gamma-Gamma spend model on all the data, its fit printed."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", BoundaryWarning)
            spend_model = GammaGamma(min_spend=min_spend, penalizer=penalizer).fit(full)
        spend_model.mean_spend()
    except (ModelFitError, ValueError, ArithmeticError) as exc:
        raise click.ClickException(f"Gamma-Gamma spend model: {_one_line(exc)}") from None
    _echo_model("gamma-gamma", spend_model)
    for warning in caught:
        click.echo(f"  warning: {warning.message}")
    if min_spend is not None:
        click.echo(
            f"  excluded from the Gamma-Gamma fit: {spend_model.excluded_} repeat buyer(s) "
            f"with a mean spend below {min_spend:g} or of 0"
        )
    return spend_model


def _write(table: pd.DataFrame, output: Path) -> None:
    """Write atomically: a temporary file in the same folder, then rename."""
    folder = output.parent if str(output.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(dir=folder, suffix=output.suffix)
    os.close(handle)
    try:
        if output.suffix.lower() == ".parquet":
            table.to_parquet(temporary)
        else:
            table.to_csv(temporary)
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@click.group(name="value")
def value() -> None:
    """Customer lifetime value: fit models on a transaction log and score customers."""


@value.command(name="fit")
@click.argument("file", type=click.Path(exists=True, path_type=Path))
@click.option("--customer", required=True, help="Column with the customer id.")
@click.option("--date", "date_column", required=True, help="Column with the purchase date.")
@click.option("--amount", default=None, help="Column with the purchase value (enables CLV).")
@click.option(
    "--model",
    "model_name",
    type=click.Choice(["bgnbd", "pareto", "mbgnbd", "auto"]),
    default="auto",
    show_default=True,
    help="Purchases model; auto = lowest holdout RMSE with --calibration-end, else lowest "
    "AIC (the criterion, runner-up and margin are printed).",
)
@click.option(
    "--period",
    type=click.Choice(["D", "W", "M"]),
    default="W",
    show_default=True,
    help="Time unit: days, weeks or months.",
)
@click.option(
    "--calibration-end", default=None, help="Date ending the calibration period (holdout after)."
)
@click.option(
    "--horizon", type=click.IntRange(min=1), default=None, help="Periods ahead (default 1 year)."
)
@click.option(
    "--discount",
    type=click.FloatRange(min=0.0),
    default=0.0,
    show_default=True,
    help="Discount rate per period.",
)
@click.option(
    "--local-day",
    default=None,
    metavar="TZ",
    help="Count calendar days in this IANA time zone (e.g. Europe/Warsaw); default UTC.",
)
@click.option(
    "--min-spend",
    type=click.FloatRange(min=0.0),
    default=None,
    help="Leave repeat buyers whose mean spend is below this (or 0) out of the Gamma-Gamma "
    "fit; their count is printed.",
)
@click.option(
    "--penalizer",
    type=click.FloatRange(min=0.0),
    default=0.0,
    show_default=True,
    help="Weak prior on the log-parameters (penalizer * sum of squares per customer).",
)
@click.option(
    "--interval-level",
    type=click.FloatRange(min=0.0, max=1.0, min_open=True, max_open=True),
    default=0.9,
    show_default=True,
    help="Coverage of the intervals added to the scores (delta method; docs/value.md).",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write per-customer scores to a .csv or .parquet file.",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "spark"]),
    default="local",
    show_default=True,
    help="local: this machine (DuckDB/NumPy); spark: Apache Spark (docs/scale-out.md).",
)
@click.option(
    "--master",
    default=None,
    metavar="URL",
    help="Spark master (local[4], spark://host:7077, yarn); default Spark's own (spark-submit's).",
)
@click.option(
    "--spark-conf",
    "spark_conf",
    multiple=True,
    metavar="K=V",
    help="A Spark setting (repeatable), e.g. spark.executor.memory=8g.",
)
@click.option(
    "--format",
    "input_format",
    type=click.Choice(["parquet", "csv", "delta", "iceberg"]),
    default=None,
    help="With --engine spark: the input's format (default by its name: .csv or Parquet).",
)
def fit_command(
    file: Path,
    customer: str,
    date_column: str,
    amount: str | None,
    model_name: str,
    period: str,
    calibration_end: str | None,
    horizon: int | None,
    discount: float,
    local_day: str | None,
    min_spend: float | None,
    penalizer: float,
    interval_level: float,
    output: Path | None,
    engine: str,
    master: str | None,
    spark_conf: tuple[str, ...],
    input_format: str | None,
) -> None:
    """Fit a purchases model (and Gamma-Gamma spend with --amount) on FILE and score customers.

    FILE is a CSV or Parquet transaction log, one row per purchase.  With
    --calibration-end the models are fitted on the calibration period and
    scored on the holdout (the accuracy is printed); the scores then come from
    a refit on all the data.  Scores: p_alive, expected purchases over the
    horizon, expected spend and CLV (margin 1, discounted per period), each
    with its interval at --interval-level from the parameters' sampling error
    (``*_low``, ``*_high``).  FILE may be a directory of Parquet files with
    --engine spark, which runs the same steps on a Spark cluster and writes
    --output as a directory (docs/scale-out.md).
    """
    if engine == "local" and (master or spark_conf or input_format):
        raise click.UsageError("--master, --spark-conf and --format need --engine spark")
    if output is not None and output.suffix.lower() not in _OUTPUT_SUFFIXES:
        raise click.BadParameter("must end in .csv or .parquet", param_hint="--output")
    if engine == "local" and not file.is_dir():
        _check_columns(file, customer=customer, date=date_column, amount=amount)
    try:
        check_zone(local_day)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--local-day") from None
    cal = _parse_date(calibration_end)
    options: dict[str, Any] = {
        "customer": customer,
        "date": date_column,
        "amount": amount,
        "period": period,
        "local_day": local_day,
    }
    if engine == "spark":
        from clientela.cli.value_spark import fit_on_spark

        fit_on_spark(
            file, options, model_name=model_name, calibration_end=cal, horizon=horizon,
            discount=discount, min_spend=min_spend, penalizer=penalizer,
            interval_level=interval_level, output=output, master=master,
            spark_conf=spark_conf, input_format=input_format,
        )
        return
    if file.is_dir():
        raise click.BadParameter("a directory is read with --engine spark only", param_hint="FILE")

    def summaries(end: Any) -> pd.DataFrame:
        return _summarize(file, calibration_end=end, **options)

    candidates = _choose(model_name, summaries, cal, penalizer)
    full = summaries(None)
    model = refit(candidates, full, penalizer)
    spend: Spend = 1.0 if amount is None else fit_spend(full, min_spend, penalizer)
    steps = horizon if horizon is not None else _YEAR[period]
    purchases = cast(PurchasesModel, model)
    scores = customer_lifetime_value(purchases, spend, full, horizon=steps, discount_rate=discount)
    columns = ["p_alive", "expected_purchases"]
    if amount is not None:
        columns += ["expected_spend", "clv"]
    scores = scores[columns]
    equity = ""
    try:
        intervals = value_intervals(
            purchases, spend, full, horizon=steps, discount_rate=discount, level=interval_level
        )
    except IntervalsUnavailable as exc:
        click.echo(f"no intervals: {_one_line(exc)}", err=True)
    else:
        bounds = ["p_alive", "expected_purchases"] + (["clv"] if amount is not None else [])
        for name in bounds:
            scores[f"{name}_low"] = intervals.customers[f"{name}_low"]
            scores[f"{name}_high"] = intervals.customers[f"{name}_high"]
        if amount is not None:
            equity = (
                f" ({100 * interval_level:g} % interval {intervals.current_low:.2f} to "
                f"{intervals.current_high:.2f})"
            )
    click.echo(
        f"scored {len(scores)} customers over {steps} periods ({period}); "
        f"expected purchases {scores['expected_purchases'].sum():.1f}"
        + (f", total CLV {scores['clv'].sum():.2f}{equity}" if amount is not None else "")
    )
    if output is not None:
        _write(scores, output)
        click.echo(f"wrote {output}")
