"""``clientela value``: fit lifetime-value models on a transaction file and score customers.

A thin face over the engine (no Django): parse arguments, call
:func:`~clientela.value.summary.summarize`, the models,
:func:`~clientela.value.validation.evaluate_models` and
:func:`~clientela.value.clv.customer_lifetime_value`, and render.  The lead's
root group registers it with ``main.add_command(value)``.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import click
import pandas as pd

from clientela.value.clv import PurchasesModel, Spend, customer_lifetime_value
from clientela.value.models.base import BaseModel, ModelFitError
from clientela.value.models.gamma_gamma import GammaGamma
from clientela.value.summary import summarize
from clientela.value.uncertainty import IntervalsUnavailable, value_intervals
from clientela.value.validation import ModelEvaluation, evaluate_models

#: Default horizon (one year) in each period unit.
_YEAR = {"D": 365, "W": 52, "M": 12}
_OUTPUT_SUFFIXES = (".csv", ".parquet")


def _model_factories() -> dict[str, Callable[[], BaseModel]]:
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


def _check_dates(path: Path, column: str, sample: int = 1000) -> None:
    """Refuse a date column whose first rows are numbers or unparseable, naming it."""
    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        batch = next(pq.ParquetFile(path).iter_batches(batch_size=sample, columns=[column]), None)
        head = batch.to_pandas()[column] if batch is not None else pd.Series([], dtype=object)
    else:
        head = pd.read_csv(path, usecols=[column], nrows=sample, dtype=str)[column]
    if pd.api.types.is_numeric_dtype(head) or head.astype(str).str.fullmatch(r"[0-9.]+").any():
        raise click.ClickException(f"--date: column {column!r} holds numbers, not dates")
    try:
        pd.to_datetime(head, errors="raise", format="mixed")
    except (TypeError, ValueError, OverflowError) as exc:
        raise click.ClickException(
            f"--date: column {column!r} has a value that is not a date ({_one_line(exc)})"
        ) from None


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
    model_name: str, summary_file: Path, options: dict[str, Any], calibration_end: Any
) -> str:
    """Pick the model: holdout RMSE with a calibration end, else AIC (for ``auto``)."""
    factories = _model_factories()
    names = list(factories) if model_name == "auto" else [model_name]
    if calibration_end is not None:
        calibration = _summarize(summary_file, calibration_end=calibration_end, **options)
        if len(calibration) == 0 or not (calibration["duration_holdout"] > 0).all():
            raise click.ClickException(
                f"--calibration-end {pd.Timestamp(calibration_end).date()} leaves no holdout "
                "period after it (or no customer before it)"
            )
        evaluations = evaluate_models(calibration, {n: factories[n] for n in names})
        click.echo(f"calibration to {pd.Timestamp(calibration_end).date()}:")
        _echo_holdout(evaluations)
        ok = [e for e in evaluations if e.errors is not None]
        if not ok:
            raise click.ClickException("no model could be fitted on the calibration period")
        return min(ok, key=lambda e: e.errors.rmse if e.errors else math.inf).name
    if len(names) == 1:
        return names[0]
    full = _summarize(summary_file, **options)
    best, best_aic = None, math.inf
    for name in names:
        try:
            model = factories[name]().fit(full)
        except (ModelFitError, ValueError, ArithmeticError) as exc:
            click.echo(f"  {name}: fit failed: {_one_line(exc)}")
            continue
        if model.aic_ < best_aic:
            best, best_aic = name, model.aic_
    if best is None:
        raise click.ClickException("no model could be fitted")
    click.echo(f"auto: {best} has the lowest AIC ({best_aic:.2f})")
    return best


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
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--customer", required=True, help="Column with the customer id.")
@click.option("--date", "date_column", required=True, help="Column with the purchase date.")
@click.option("--amount", default=None, help="Column with the purchase value (enables CLV).")
@click.option(
    "--model",
    "model_name",
    type=click.Choice(["bgnbd", "pareto", "mbgnbd", "auto"]),
    default="auto",
    show_default=True,
    help="Purchases model; auto = best holdout RMSE with --calibration-end, else lowest AIC.",
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
    interval_level: float,
    output: Path | None,
) -> None:
    """Fit a purchases model (and Gamma-Gamma spend with --amount) on FILE and score customers.

    FILE is a CSV or Parquet transaction log, one row per purchase.  With
    --calibration-end the models are fitted on the calibration period and
    scored on the holdout (the accuracy is printed); the scores then come from
    a refit on all the data.  Scores: p_alive, expected purchases over the
    horizon, expected spend and CLV (margin 1, discounted per period), each
    with its interval at --interval-level from the parameters' sampling error
    (``*_low``, ``*_high``).
    """
    if output is not None and output.suffix.lower() not in _OUTPUT_SUFFIXES:
        raise click.BadParameter("must end in .csv or .parquet", param_hint="--output")
    _check_columns(file, customer=customer, date=date_column, amount=amount)
    _check_dates(file, date_column)
    cal = _parse_date(calibration_end)
    options: dict[str, Any] = {
        "customer": customer,
        "date": date_column,
        "amount": amount,
        "period": period,
    }
    chosen = _choose(model_name, file, options, cal)
    full = _summarize(file, **options)
    try:
        model = _model_factories()[chosen]().fit(full)
    except (ModelFitError, ValueError, ArithmeticError) as exc:
        raise click.ClickException(f"{chosen}: {_one_line(exc)}") from None
    _echo_model(chosen, model)
    spend: Spend = 1.0
    if amount is not None:
        try:
            spend_model = GammaGamma().fit(full)
            spend_model.mean_spend()
        except (ModelFitError, ValueError, ArithmeticError) as exc:
            raise click.ClickException(f"Gamma-Gamma spend model: {_one_line(exc)}") from None
        _echo_model("gamma-gamma", spend_model)
        spend = spend_model
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
