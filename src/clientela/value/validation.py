"""Holdout validation of the purchases models.

Input: a calibration/holdout summary from
:func:`clientela.value.summary.summarize` with ``calibration_end`` -- the
calibration columns ``frequency, recency, T`` plus ``frequency_holdout`` (repeat
periods with a purchase after the calibration end) and ``duration_holdout``
(length of the holdout, in periods).  A model is fitted on the calibration
columns and predicts, per customer, ``expected_purchases(duration_holdout)``,
which is compared with ``frequency_holdout``.

The aggregate check of Fader, Hardie & Lee (2005, Marketing Science 24(2),
Figure 2) -- expected versus actual cumulative repeat transactions by period --
needs the transaction log itself: see :func:`cumulative_repeat_transactions`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from clientela.value.models.base import BaseModel, ModelFitError
from clientela.value.summary import PERIODS, _frame_days, period_ordinal, summarize

ACTUAL = "frequency_holdout"
DURATION = "duration_holdout"


def _default_models() -> dict[str, Callable[[], BaseModel]]:
    from clientela.value.models import BetaGeo, ModifiedBetaGeo, ParetoNBD

    return {"bgnbd": BetaGeo, "pareto": ParetoNBD, "mbgnbd": ModifiedBetaGeo}


@dataclass(frozen=True)
class HoldoutErrors:
    """Per-customer and aggregate accuracy of holdout predictions."""

    mae: float
    rmse: float
    correlation: float
    total_actual: float
    total_predicted: float
    n_customers: int

    @property
    def total_error(self) -> float:
        """Relative error of the aggregate forecast, ``predicted / actual - 1``."""
        if self.total_actual == 0:
            return math.nan
        return self.total_predicted / self.total_actual - 1.0

    def as_dict(self) -> dict[str, float]:
        return {
            "mae": self.mae,
            "rmse": self.rmse,
            "correlation": self.correlation,
            "total_actual": self.total_actual,
            "total_predicted": self.total_predicted,
            "total_error": self.total_error,
            "n_customers": float(self.n_customers),
        }


def _holdout_columns(summary: pd.DataFrame) -> None:
    missing = [c for c in (ACTUAL, DURATION) if c not in summary.columns]
    if missing:
        raise ValueError(
            f"summary lacks {', '.join(map(repr, missing))}: build it with "
            "summarize(..., calibration_end=...)"
        )
    durations = pd.to_numeric(summary[DURATION], errors="coerce")
    if len(summary) and not (durations > 0).all():
        raise ValueError(
            f"column {DURATION!r} must be > 0: the calibration end leaves no holdout period"
        )


def holdout_predictions(model: Any, summary: pd.DataFrame) -> pd.DataFrame:
    """Actual and expected holdout purchases per customer for a fitted model.

    ``expected_purchases`` is called once per distinct ``duration_holdout``
    (all customers share one in a :func:`summarize` output), never per customer.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``summary``: ``actual``, ``predicted``, ``error``
        (predicted - actual).
    """
    _holdout_columns(summary)
    durations = summary[DURATION].to_numpy(dtype=np.float64)
    predicted = np.zeros(len(summary), dtype=np.float64)
    for duration in np.unique(durations):
        rows = durations == duration
        values = model.expected_purchases(float(duration), summary.loc[rows])
        predicted[rows] = np.asarray(values, dtype=np.float64)
    actual = summary[ACTUAL].to_numpy(dtype=np.float64)
    return pd.DataFrame(
        {"actual": actual, "predicted": predicted, "error": predicted - actual},
        index=summary.index,
    )


def holdout_errors(predictions: pd.DataFrame) -> HoldoutErrors:
    """MAE, RMSE and correlation of per-customer predictions, and the totals."""
    actual = predictions["actual"].to_numpy(dtype=np.float64)
    predicted = predictions["predicted"].to_numpy(dtype=np.float64)
    error = predicted - actual
    if len(actual) > 1 and np.std(actual) > 0 and np.std(predicted) > 0:
        correlation = float(np.corrcoef(actual, predicted)[0, 1])
    else:
        correlation = math.nan
    return HoldoutErrors(
        mae=float(np.mean(np.abs(error))) if len(error) else math.nan,
        rmse=float(np.sqrt(np.mean(error**2))) if len(error) else math.nan,
        correlation=correlation,
        total_actual=float(actual.sum()),
        total_predicted=float(predicted.sum()),
        n_customers=len(actual),
    )


@dataclass(frozen=True)
class ModelEvaluation:
    """One model fitted on the calibration period and scored on the holdout."""

    name: str
    model: BaseModel | None
    errors: HoldoutErrors | None
    predictions: pd.DataFrame | None
    error_message: str | None = None


_FIT_FAILURES = (ModelFitError, ValueError, ArithmeticError, np.linalg.LinAlgError, RuntimeError)


def evaluate_model(name: str, model: BaseModel, summary: pd.DataFrame) -> ModelEvaluation:
    """Fit ``model`` on the calibration columns and score it on the holdout.

    A model that cannot be fitted (or predicts non-finite values) is returned
    with ``error_message`` set instead of raising.
    """
    _holdout_columns(summary)
    try:
        model.fit(summary)
        predictions = holdout_predictions(model, summary)
        if not np.all(np.isfinite(predictions["predicted"])):
            raise ArithmeticError("non-finite holdout predictions")
    except _FIT_FAILURES as exc:
        return ModelEvaluation(name, None, None, None, f"{type(exc).__name__}: {exc}")
    return ModelEvaluation(name, model, holdout_errors(predictions), predictions)


def evaluate_models(
    summary: pd.DataFrame, models: Mapping[str, Callable[[], BaseModel]] | None = None
) -> list[ModelEvaluation]:
    """:func:`evaluate_model` for each ``name -> model factory`` (default: BG/NBD, Pareto/NBD, MBG/NBD)."""
    factories = dict(models) if models is not None else _default_models()
    return [evaluate_model(name, factory(), summary) for name, factory in factories.items()]


def compare_models(
    summary: pd.DataFrame,
    *,
    models: Mapping[str, Callable[[], BaseModel]] | None = None,
    rank_by: str = "rmse",
) -> pd.DataFrame:
    """Fit several models on the calibration period and rank them by holdout error.

    Parameters
    ----------
    summary : pandas.DataFrame
        Calibration/holdout summary (see the module docstring).
    models : mapping of str to callable, optional
        Name to a zero-argument factory of an unfitted model; default
        ``{"bgnbd": BetaGeo, "pareto": ParetoNBD, "mbgnbd": ModifiedBetaGeo}``.
    rank_by : {"rmse", "mae"}
        Holdout error used for the ranking (lower is better).

    Returns
    -------
    pandas.DataFrame
        One row per model, best first: ``model``, ``rank`` (NaN if the fit
        failed), ``log_likelihood``, ``aic``, ``bic``, ``mae``, ``rmse``,
        ``correlation``, ``total_actual``, ``total_predicted``,
        ``total_error``, ``error`` (the failure message, or None), and the
        parameters as ``param_<name>``.
    """
    if rank_by not in ("rmse", "mae"):
        raise ValueError("rank_by must be 'rmse' or 'mae'")
    rows: list[dict[str, Any]] = []
    for evaluation in evaluate_models(summary, models):
        row: dict[str, Any] = {"model": evaluation.name, "error": evaluation.error_message}
        if evaluation.model is not None and evaluation.errors is not None:
            row.update(
                log_likelihood=evaluation.model.log_likelihood_,
                aic=evaluation.model.aic_,
                bic=evaluation.model.bic_,
                **evaluation.errors.as_dict(),
            )
            row.update({f"param_{k}": v for k, v in evaluation.model.params_.items()})
        rows.append(row)
    table = pd.DataFrame(rows)
    if rank_by not in table.columns:
        table[rank_by] = np.nan
    table["rank"] = table[rank_by].rank(method="min")
    table = table.sort_values(["rank", "model"], na_position="last").reset_index(drop=True)
    leading = ["model", "rank"]
    return table[leading + [c for c in table.columns if c not in leading]]


def cumulative_repeat_transactions(
    model: Any,
    transactions: pd.DataFrame,
    *,
    customer: str,
    date: str,
    calibration_end: Any,
    observation_end: Any = None,
    period: str = "W",
    local_day: str | None = None,
) -> pd.DataFrame:
    """Expected versus actual cumulative repeat transactions, period by period.

    Parameters
    ----------
    model
        A purchases model fitted on the calibration summary of the same log
        and ``period`` (its ``expected_purchases_new`` is used).
    transactions : pandas.DataFrame
        The transaction log: one row per purchase with ``customer`` and
        ``date`` columns.
    customer, date : str
        Column names.
    calibration_end, observation_end : date-like
        The cohort is the customers whose first purchase is on or before
        ``calibration_end``; the curve runs to ``observation_end`` (default:
        the last transaction).
    period : {"D", "W", "M"}
        The summary's period; purchases in one period count once and the
        first period of each customer is not a repeat (as in ``summarize``).
        Choose ``calibration_end`` at the end of a period: as in
        ``summarize``, a period that straddles it is grouped separately on
        each side, so it can count one repeat on each.
    local_day : str, optional
        As in ``summarize``: the IANA zone whose days count (default UTC);
        dates are read by the same rules.

    Returns
    -------
    pandas.DataFrame
        One row per period from the cohort's first period: ``period`` (0, 1,
        ...), ``period_start`` (date), ``actual`` and ``expected`` cumulative
        repeat transactions at the end of the period, and ``holdout`` (True
        after ``calibration_end``).  ``expected`` sums, over birth periods
        ``b`` with ``n_b`` new customers, ``n_b * E_new(tau - b)``.
    """
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}; got {period!r}")
    # Reuse summarize for the validation of columns and dates, then work on ordinals.
    summarize(transactions, customer=customer, date=date, period=period, local_day=local_day)
    days = _frame_days(transactions, date, local_day)
    cal_day = _day(calibration_end)
    end_day = _day(observation_end) if observation_end is not None else int(days.max())
    ordinal = period_ordinal(days, period)
    codes, _ = pd.factorize(transactions[customer])
    keep = days <= end_day
    codes, ordinal, days = codes[keep], ordinal[keep], days[keep]
    # As in summarize: the calibration and holdout windows are grouped into periods
    # separately, so a period holding calibration_end can count in both.
    side = (days > cal_day).astype(np.int64)
    pairs = np.unique(np.column_stack([codes, ordinal, side]), axis=0)
    who, when = pairs[:, 0], pairs[:, 1]
    birth = np.full(codes.max() + 1 if len(codes) else 0, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(birth, who, when)
    first_day = np.full(len(birth), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_day, codes, days)
    in_cohort = first_day <= cal_day
    start = int(birth[in_cohort].min())
    stop = int(period_ordinal(np.array([end_day]), period)[0])
    n = stop - start + 1
    is_birth = when == birth[who]
    # the birth period's calibration-side pair is the first purchase, not a repeat
    repeat = in_cohort[who] & ~(is_birth & (pairs[:, 2] == 0))
    actual = np.cumsum(np.bincount(when[repeat] - start, minlength=n)[:n])
    births = np.bincount(birth[in_cohort] - start, minlength=n)[:n].astype(np.float64)
    lags = np.arange(n, dtype=np.float64)
    per_customer = np.asarray(model.expected_purchases_new(lags), dtype=np.float64)
    expected = np.convolve(births, per_customer)[:n]
    cal_ord = int(period_ordinal(np.array([cal_day]), period)[0])
    ordinals = np.arange(start, stop + 1)
    return pd.DataFrame(
        {
            "period": np.arange(n),
            "period_start": _period_start(ordinals, period),
            "actual": actual.astype(np.float64),
            "expected": expected,
            "holdout": ordinals > cal_ord,
        }
    )


def _day(value: Any) -> int:
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return int((np.datetime64(stamp.date(), "D") - np.datetime64("1970-01-01", "D")).astype(int))


def _period_start(ordinals: np.ndarray[Any, Any], period: str) -> pd.DatetimeIndex:
    epoch = np.datetime64("1970-01-01", "D")
    if period == "D":
        starts = epoch + ordinals.astype("timedelta64[D]")
    elif period == "W":
        starts = epoch + (ordinals * 7 - 3).astype("timedelta64[D]")
    else:
        starts = (np.datetime64("1970-01", "M") + ordinals.astype("timedelta64[M]")).astype(
            "datetime64[D]"
        )
    return pd.DatetimeIndex(starts)
