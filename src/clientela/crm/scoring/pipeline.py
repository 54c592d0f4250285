"""The scoring chain on DataFrames: value models, then the insight engines.

No database here: ``scoring.actions`` reads the inputs (``scoring.extract``),
calls :func:`score_customers` and writes the result. Keeping the chain on plain
frames lets a notebook or a Spark job run the very same steps.

Conventions (documented in docs/scoring.md):

* Time unit of the models: weeks. The holdout for model choice and validation
  is the last quarter of the window, between 8 and 26 weeks; windows shorter
  than 16 weeks are fitted without a holdout.
* ``discount`` is an annual rate, turned into a weekly one as
  ``(1 + annual) ** (1 / 52) - 1``.
* CLV is margin on future purchases over ``horizon_days``: expected spend
  (Gamma-Gamma) × discounted expected purchases × the company's gross margin
  rate on kept orders. Customers without a purchase have CLV 0.
* Customer equity: ``current`` is the sum of the stored (cent-rounded) CLVs;
  ``future`` values the next year's weekly cohorts at the recent weekly
  acquisition pace, each worth a new customer's CLV net of the CAC
  (Gupta, Lehmann & Stuart 2004).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from clientela import insight
from clientela.value import GammaGamma, compare_models, customer_lifetime_value, summarize
from clientela.value.clv import customer_equity
from clientela.value.diagnostics import (
    frequency_recency_matrix,
    holdout_by_frequency,
    period_transactions,
)
from clientela.value.models import NBD, BetaGeo, ModifiedBetaGeo, ParetoNBD
from clientela.value.models.base import BaseModel, BoundaryWarning, ModelFitError
from clientela.value.summary import check_zone
from clientela.value.uncertainty import IntervalsUnavailable, value_intervals
from clientela.value.validation import cumulative_repeat_transactions, evaluate_model

MODELS: dict[str, type[BaseModel]] = {
    "bgnbd": BetaGeo,
    "pareto": ParetoNBD,
    "mbgnbd": ModifiedBetaGeo,
    "nbd": NBD,
}
# Compared by --model auto; the NBD (no dropout) is the fallback when none is identified.
CANDIDATES = ("bgnbd", "pareto", "mbgnbd")
FALLBACK = "nbd"
_FIT_FAILURES = (ModelFitError, ValueError, ArithmeticError, np.linalg.LinAlgError)


Progress = Callable[[str], None]


def _quiet(_message: str) -> None:
    return None


class ScoringError(RuntimeError):
    """The data cannot be scored; the message says why."""


@dataclass(frozen=True)
class ScoringSettings:
    model: str = "auto"
    horizon_days: int = 365
    discount: float = 0.10
    as_of: date | None = None
    currency: str = "PLN"
    local_day: str | None = None  # IANA zone whose days group the value models' purchases


@dataclass
class ScoringInputs:
    parties: pd.DataFrame
    orders: pd.DataFrame
    interactions: pd.DataFrame
    campaigns: pd.DataFrame
    order_items: pd.DataFrame
    products: pd.DataFrame
    feedback: pd.DataFrame | None = None
    service_cases: pd.DataFrame | None = None
    previous_p_alive: pd.Series | None = None


@dataclass
class ScoringResult:
    scores: pd.DataFrame
    run: dict[str, Any]
    report: dict[str, Any] = field(default_factory=dict)


def weekly_rate(annual: float) -> float:
    return float((1.0 + annual) ** (1.0 / 52.0) - 1.0)


def _holdout_weeks(window_days: int) -> int | None:
    weeks = window_days // 7
    if weeks < 16:
        return None
    return int(min(26, max(8, weeks // 4)))


@dataclass
class FitNotes:
    """What happened while choosing and fitting the models, stored with the run.

    ``skipped``: candidates that could not be fitted (model, stage, reason);
    ``warnings``: boundary optima and undefined standard errors (scoped
    ``BoundaryWarning``s of the fits that were kept); ``fallback``: why the
    no-dropout NBD scores the customers, if it does; ``criterion``, ``runner_up``
    and ``margin``: how ``auto`` chose.
    """

    skipped: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    fallback: str | None = None
    criterion: str | None = None
    runner_up: str | None = None
    margin: float | None = None

    def skip(self, name: str, stage: str, reason: str) -> None:
        self.skipped.append({"model": name, "stage": stage, "reason": reason})

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _fit(name: str, summary: pd.DataFrame, *, penalizer: float = 0.0) -> tuple[BaseModel, list[str]]:
    """Fit one model; its boundary warnings are caught here (scoped) and returned."""
    model = MODELS[name](penalizer=penalizer)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BoundaryWarning)
        model.fit(summary[["frequency", "recency", "T"]])
    return model, list(model.fit_warnings_)


def _rank_on_information(full: pd.DataFrame, notes: FitNotes) -> list[dict[str, Any]]:
    """Without a holdout: every candidate fitted on all data, ranked by AIC."""
    rows: list[dict[str, Any]] = []
    for name in CANDIDATES:
        try:
            model, _ = _fit(name, full)
        except _FIT_FAILURES as exc:
            notes.skip(name, "all data", _one_line(exc))
            rows.append({"model": name, "rank": None, "error": _one_line(exc)})
            continue
        rows.append({"model": name, "log_likelihood": model.log_likelihood_, "aic": model.aic_,
                     "bic": model.bic_, **{f"param_{k}": v for k, v in model.params_.items()}})
    fitted = sorted((r for r in rows if "aic" in r), key=lambda r: r["aic"])
    for rank, row in enumerate(fitted, start=1):
        row["rank"] = rank
    return fitted + [r for r in rows if "aic" not in r]


def _fit_purchases(
    transactions: pd.DataFrame, settings: ScoringSettings, as_of: date, say: Progress = _quiet
) -> tuple[str, BaseModel, str, dict[str, Any], list[dict[str, Any]], pd.DataFrame, FitNotes]:
    """Choose and fit the purchases model; return name, model fitted on all data, reason,
    holdout figures, comparison rows, the full summary and the fit notes.

    Never fails on the data alone: a candidate that cannot be fitted is skipped (its
    reason kept in the notes); when no dropout model can be identified (no sign of
    churn) the NBD without dropout scores the customers (P(alive) = 1), with a weak
    prior when even its rate heterogeneity is not identified.
    """
    say("value: per-customer summaries")
    notes = FitNotes()
    first = transactions["ordered_at"].min().date()
    holdout = _holdout_weeks((as_of - first).days)
    full = summarize(
        transactions, customer="party_id", date="ordered_at", amount="amount",
        period="W", observation_end=as_of, local_day=settings.local_day,
    )
    comparison: list[dict[str, Any]] = []
    holdout_figures: dict[str, Any] = {}
    calibration: pd.DataFrame | None = None
    calibration_end: date | None = None
    requested = [settings.model] if settings.model != "auto" else list(CANDIDATES)
    if holdout is None:
        if settings.model == "auto":
            say("value: models fitted on all data (no holdout)")
            comparison = _rank_on_information(full, notes)
            order = [str(r["model"]) for r in comparison if r.get("rank") is not None]
            notes.criterion = "lowest AIC on all data (window shorter than 16 weeks: no holdout)"
            _runner_up(notes, comparison, "aic")
        else:
            order = requested
            notes.criterion = f"requested with --model {settings.model}; no holdout (window shorter than 16 weeks)"
    else:
        calibration_end = as_of - timedelta(weeks=holdout)
        calibration = summarize(
            transactions, customer="party_id", date="ordered_at", amount="amount",
            period="W", observation_end=as_of, calibration_end=calibration_end,
            local_day=settings.local_day,
        )
        calibration = calibration[calibration["T"] > 0]
        say("value: models fitted on the calibration period")
        factories = {n: MODELS[n] for n in requested}
        with warnings.catch_warnings(record=True) as caught:  # scoped: kept in the notes
            warnings.simplefilter("always", BoundaryWarning)
            table = compare_models(calibration, models=factories)
        notes.warnings.extend(
            f"calibration: {w.message}" for w in caught if issubclass(w.category, BoundaryWarning)
        )
        comparison = _records(table)
        for row in comparison:
            if row.get("rank") is None:
                notes.skip(str(row["model"]), "calibration", _one_line(str(row.get("error") or "")))
        order = [str(r["model"]) for r in comparison if r.get("rank") is not None]
        if settings.model == "auto":
            notes.criterion = f"lowest holdout RMSE of per-customer repeat purchases over the last {holdout} weeks"
            _runner_up(notes, comparison, "rmse")
        else:
            notes.criterion = f"requested with --model {settings.model}"
    name: str | None = None
    model: BaseModel | None = None
    for candidate in order:
        say(f"value: {candidate} refitted on all data")
        try:
            model, fit_warnings = _fit(candidate, full)
        except _FIT_FAILURES as exc:
            notes.skip(candidate, "all data", _one_line(exc))
            continue
        name = candidate
        notes.warnings.extend(fit_warnings)
        break
    if model is None or name is None:
        say("value: no dropout model identified; NBD without dropout")
        name = FALLBACK
        model, notes.fallback = _fallback(full, notes)
    reason = _reason(name, notes, comparison)
    if calibration is not None and calibration_end is not None:
        row = next((r for r in comparison if r.get("model") == name and r.get("rank") is not None), None)
        fitted_on_calibration: BaseModel | None = None
        if row is None:  # the fallback, or a model whose calibration fit is not in the table
            evaluation = evaluate_model(name, type(model)(penalizer=model.penalizer), calibration)
            if evaluation.errors is not None:
                row = {k: _num(v) for k, v in evaluation.errors.as_dict().items()}
                fitted_on_calibration = evaluation.model
        if row is not None:
            holdout_figures = {k: _num(row.get(k)) for k in ("mae", "rmse", "correlation", "total_actual", "total_predicted")}
        holdout_figures["weeks"] = holdout
        holdout_figures["calibration_end"] = calibration_end.isoformat()
        say("value: holdout tracking curve")
        try:
            if fitted_on_calibration is None:
                fitted_on_calibration, _ = _fit(name, calibration, penalizer=model.penalizer)
            curve = cumulative_repeat_transactions(
                fitted_on_calibration, transactions, customer="party_id", date="ordered_at",
                calibration_end=calibration_end, observation_end=as_of, period="W",
                local_day=settings.local_day,
            )
            holdout_figures["curve"] = _records(curve)
        except _FIT_FAILURES as exc:
            holdout_figures["curve_error"] = _one_line(exc)
        else:
            holdout_figures["diagnostics"] = calibration_diagnostics(fitted_on_calibration, calibration)
    return name, model, reason, holdout_figures, comparison, full, notes


def calibration_diagnostics(model: BaseModel, calibration: pd.DataFrame) -> dict[str, Any]:
    """The model page's and report's diagnostic tables from the model fitted on the
    calibration period (``value.diagnostics``): customers by repeat transactions in
    calibration, and mean holdout purchases by calibration frequency; each actual
    against expected. A table that cannot be computed is left out, its reason kept
    (``<name>_error``): diagnostics never stop a run."""
    out: dict[str, Any] = {}
    if hasattr(model, "probability_of_purchases"):
        _diagnostic(out, "period_transactions", lambda: _records(period_transactions(model, calibration)))
    if "frequency_holdout" in calibration.columns:
        _diagnostic(out, "holdout_by_frequency", lambda: _records(holdout_by_frequency(model, calibration)))
    return out


def _diagnostic(out: dict[str, Any], name: str, compute: Callable[[], Any]) -> None:
    try:
        out[name] = compute()
    except (ValueError, ArithmeticError, ModelFitError, np.linalg.LinAlgError) as exc:
        out[f"{name}_error"] = str(exc)


def model_diagnostics(model: BaseModel, summary: pd.DataFrame) -> dict[str, Any]:
    """The frequency/recency matrices of the model fitted on all data: expected purchases
    in the next 90 days and P(alive), for customers observed as long as the longest."""
    buyers = summary[summary["frequency"] > 0]
    top = float(buyers["frequency"].quantile(0.99)) if len(buyers) else 1.0
    return frequency_recency_matrix(
        model, max_frequency=max(1.0, min(40.0, math.ceil(top))),
        max_recency=float(summary["T"].max()), t=90 / 7,
    )


# Weak prior of the fallback when even the NBD's heterogeneity (r) is not identified:
# steady buyers whose purchase counts vary less than a Poisson process's.
FALLBACK_PENALIZER = 1e-3


def _fallback(full: pd.DataFrame, notes: FitNotes) -> tuple[BaseModel, str]:
    """The NBD without dropout, for data with no visible churn; the note says what it means."""
    why = "; ".join(f"{s['model']}: {s['reason']}" for s in notes.skipped) or "no candidate fitted"
    note = (f"no dropout model could be identified ({why}); scored with the NBD model without "
            "dropout: P(alive) = 1 for every customer")
    try:
        model, fit_warnings = _fit(FALLBACK, full)
    except _FIT_FAILURES as exc:
        notes.skip(FALLBACK, "all data", _one_line(exc))
        try:
            model, fit_warnings = _fit(FALLBACK, full, penalizer=FALLBACK_PENALIZER)
        except _FIT_FAILURES as final:
            raise ScoringError(f"no purchases model could be fitted ({why}; nbd: {_one_line(final)})") from final
        note += f", with a weak prior (penalizer {FALLBACK_PENALIZER:g}) holding r"
    notes.warnings.extend(fit_warnings)
    return model, note


def _runner_up(notes: FitNotes, comparison: list[dict[str, Any]], key: str) -> None:
    ranked = [r for r in comparison if r.get("rank") is not None and r.get(key) is not None]
    if len(ranked) >= 2:
        notes.runner_up = str(ranked[1]["model"])
        notes.margin = float(ranked[1][key]) - float(ranked[0][key])


def _reason(name: str, notes: FitNotes, comparison: list[dict[str, Any]]) -> str:
    """One line: the criterion, the figure, the runner-up and the margin, and what was skipped."""
    if notes.fallback is not None:
        return notes.fallback
    key = "rmse" if notes.criterion and "RMSE" in notes.criterion else "aic"
    chosen = next((r for r in comparison if r.get("model") == name), {})
    text = notes.criterion or ""
    if chosen.get(key) is not None and "requested" not in text:
        text += f": {name} {key.upper()} {float(chosen[key]):.4f}"
        if notes.runner_up is not None and notes.margin is not None:
            text += f", runner-up {notes.runner_up} by {notes.margin:.4f}"
        top = next((r for r in comparison if r.get("rank") == 1), None)
        if top is not None and top.get("model") != name:
            text += f" ({top['model']} ranked first but could not be refitted on all data)"
    skipped = sorted({s["model"] for s in notes.skipped})
    if skipped:
        text += f"; skipped: {', '.join(skipped)} (see the fit notes)"
    return text


def _one_line(value: Any) -> str:
    return " ".join(str(value).split())


def _num(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for row in frame.reset_index(drop=frame.index.name is None).to_dict(orient="records"):
        out.append({str(k): _jsonable(v) for k, v in row.items()})
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return _num(value)
    if isinstance(value, (pd.Timestamp, date)):
        return value.isoformat()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def jsonable(value: Any) -> Any:
    """Recursively turn engine output into JSON-safe values (NaN and inf become null)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return _jsonable(value)


def customer_base_inputs(inputs: ScoringInputs) -> ScoringInputs:
    """``inputs`` without the parties outside the customer base (archived; suppliers,
    partners and internal stakeholders that are not customers or prospects:
    ``insight.customer_base``) and without their orders, items, interactions, answers and
    cases: they get no score, count in no KPI, and take no part in the models' fit."""
    keep = insight.in_customer_base(inputs.parties)
    if bool(keep.all()):
        return inputs
    ids = inputs.parties.loc[keep, "party_id"]

    def only(frame: pd.DataFrame | None) -> pd.DataFrame | None:
        if frame is None or "party_id" not in frame.columns:
            return frame
        return frame[frame["party_id"].isin(ids)]

    previous = inputs.previous_p_alive
    return replace(
        inputs,
        parties=inputs.parties[keep],
        orders=only(inputs.orders),  # type: ignore[arg-type]
        interactions=only(inputs.interactions),  # type: ignore[arg-type]
        order_items=only(inputs.order_items),  # type: ignore[arg-type]
        feedback=only(inputs.feedback),
        service_cases=only(inputs.service_cases),
        previous_p_alive=previous[previous.index.isin(ids)] if previous is not None else None,
    )


def score_customers(
    inputs: ScoringInputs, settings: ScoringSettings, progress: Progress | None = None
) -> ScoringResult:
    """Run the whole chain and return one row per party plus the run's figures.

    ``progress`` is called with the name of each stage as it starts.
    """
    say = progress or _quiet
    if settings.model not in {"auto", *MODELS}:
        raise ScoringError(f"model: {settings.model!r} is not one of auto, {', '.join(MODELS)}")
    try:
        check_zone(settings.local_day)
    except ValueError as exc:
        raise ScoringError(str(exc)) from None
    as_of = settings.as_of or pd.Timestamp.now(tz="UTC").date()
    as_of_ts = pd.Timestamp(as_of, tz="UTC") + pd.Timedelta(days=1)
    inputs = customer_base_inputs(inputs)
    parties = inputs.parties.set_index("party_id", drop=False)
    orders = inputs.orders[inputs.orders["ordered_at"] < as_of_ts]
    kept = orders[orders["status"] != "returned"]
    if kept.empty:
        raise ScoringError("there are no orders to score: import orders first")

    # --- value: purchases model, spend model, CLV --------------------------------------
    name, model, reason, holdout, comparison, summary, notes = _fit_purchases(kept, settings, as_of, say)
    say("value: spend model and CLV")
    spend_model: GammaGamma | float
    try:
        # Repeat buyers whose repeat purchases were all free (mean spend 0) cannot enter
        # Gamma-Gamma; they are left out of its fit (counted in the notes) and predicted
        # from their own average like everyone else.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", BoundaryWarning)
            spend_model = GammaGamma(min_spend=0.0).fit(summary[["frequency", "monetary_value"]])
        spend_params = dict(spend_model.params_)
        notes.warnings.extend(f"spend: {w}" for w in spend_model.fit_warnings_)
        if spend_model.excluded_:
            notes.warnings.append(
                f"spend: {spend_model.excluded_} repeat buyer(s) with a mean repeat spend of 0 "
                "left out of the Gamma-Gamma fit"
            )
    except _FIT_FAILURES as exc:
        spend_model = float(kept["amount"].mean())
        spend_params = {"fixed_spend": spend_model, "reason": _one_line(exc)}
        notes.skip("gamma-gamma", "all data", f"{_one_line(exc)}; the mean order value is used")
    revenue_total = float(kept["amount"].sum())
    margin = (revenue_total - float(kept["cost"].sum())) / revenue_total if revenue_total > 0 else 0.0
    margin = min(max(margin, 0.0), 1.0)
    horizon = max(1, math.ceil(settings.horizon_days / 7))
    weekly = weekly_rate(settings.discount)
    value = customer_lifetime_value(
        model, spend_model, summary, horizon=horizon, discount_rate=weekly, margin=margin
    )
    value["expected_purchases_90"] = model.expected_purchases(90 / 7, summary)  # type: ignore[attr-defined]
    value["expected_purchases_365"] = model.expected_purchases(365 / 7, summary)  # type: ignore[attr-defined]
    value["clv"] = value["clv"].clip(lower=0).round(2)

    # --- insight ------------------------------------------------------------------------
    # The contribution that decides "unprofitable" and a managed exit is the relationship's
    # own economics: gross margin net of returns minus its cost to serve. Marketing spend is
    # left out on purpose: acquisition spend is sunk (it counts in CAC and equity), and
    # retention or add-on spend is our own discretionary choice, so charging it would let
    # a campaign make its own targets look unprofitable.
    say("insight: RFM")
    rfm = insight.rfm(kept[["party_id", "ordered_at", "amount"]], as_of=as_of_ts)
    say("insight: profitability")
    profit = insight.profitability(
        orders[["party_id", "ordered_at", "amount", "cost", "status"]],
        interactions=inputs.interactions,
        service_cases=inputs.service_cases,
        end=as_of_ts,
    )
    say("insight: profitability by quarter")
    # Managed exit reads only the last two complete quarters of this table, and a quarter's
    # figure sums only its own movements: so the table is built from those two quarters on,
    # which gives them the same figures from a fraction of the rows.
    since = _last_complete_quarters_start(
        [orders["ordered_at"], inputs.interactions["occurred_at"]]
        + ([inputs.service_cases["opened_at"]] if inputs.service_cases is not None else []),
        as_of_ts,
    )
    by_quarter = insight.profitability_by_period(
        _since(orders[["party_id", "ordered_at", "amount", "cost", "status"]], "ordered_at", since),
        interactions=_since(inputs.interactions, "occurred_at", since),
        service_cases=_since(inputs.service_cases, "opened_at", since),
        freq="Q",
        start=since,
        end=as_of_ts,
    )
    complete = [c for c in by_quarter.columns if pd.Period(c, freq="Q").end_time.tz_localize("UTC") < as_of_ts]
    persistent = insight.persistently_unprofitable(by_quarter[complete], periods=2) if complete else pd.Series(dtype=bool)

    say("insight: loyalty ladder")
    referrals = parties.loc[parties["referred_by_id"].notna(), ["referred_by_id", "acquired_at"]]
    referrals = pd.DataFrame(
        {"referrer_id": referrals["referred_by_id"].astype("int64"),
         "referred_at": referrals["acquired_at"].fillna(as_of_ts - pd.Timedelta(days=1))}
    )
    features = insight.ladder_features(
        parties[["party_id", "is_partner"]].reset_index(drop=True),
        orders[["party_id", "ordered_at", "status"]],
        as_of=as_of_ts,
        feedback=inputs.feedback,
        referrals=referrals,
        scores=value[["p_alive"]],
    )
    ladder = insight.ladder_stages(features)

    say("insight: product affinity and add-ons")
    affinity = insight.product_affinity(inputs.order_items, basket="order_id", product="product_id", min_count=5)
    ownership = inputs.order_items[["party_id", "product_id"]].drop_duplicates()
    add_ons = insight.best_add_on(insight.recommend_add_ons(ownership, affinity, k=1, min_lift=1.2, min_count=5))
    sku = inputs.products.set_index("product_id")["sku"]

    say("insight: next best actions")
    table = pd.DataFrame(index=parties.index)
    table.index.name = "party_id"
    table["is_prospect"] = parties["is_prospect"] & ~parties.index.isin(summary.index)
    table["purchases"] = features["purchases"].reindex(table.index).fillna(0).astype("int64")
    table = table.join(value[["p_alive", "expected_purchases_90", "expected_purchases_365", "expected_spend", "clv"]])
    table["clv"] = table["clv"].fillna(0.0)
    table = table.join(rfm[["r_score", "f_score", "m_score", "segment", "recency_days"]])
    table = table.join(profit[["revenue", "net_contribution", "unprofitable"]])
    table["revenue"] = table["revenue"].fillna(0.0)
    table["net_contribution"] = table["net_contribution"].fillna(0.0)
    # Only parties that bought (kept or returned orders) can be unprofitable customers;
    # a prospect's costs are acquisition effort.
    bought = table.index.isin(orders["party_id"].unique())
    table["unprofitable"] = table["unprofitable"].fillna(False).astype(bool) & bought
    # Managed exit needs both: a loss over the whole relationship and losses in the
    # last two complete quarters (a lapsed good customer's small recent costs are not enough).
    table["persistently_unprofitable"] = (
        persistent.reindex(table.index).fillna(False).astype(bool) & table["unprofitable"]
    )
    table["stage"] = ladder["stage"].reindex(table.index).astype("object").fillna("prospect")
    table["churn_risk"] = 1.0 - table["p_alive"]
    table = table.join(add_ons[["add_on_product", "add_on_lift", "add_on_because_of"]])
    table["add_on_product"] = table["add_on_product"].map(sku)
    table["add_on_because_of"] = table["add_on_because_of"].map(sku)
    if inputs.previous_p_alive is not None:
        table["p_alive_previous"] = inputs.previous_p_alive.reindex(table.index)
    table["historical_value"] = table["revenue"]
    # A prospect's engagement signals: interactions logged with it (calls, meetings, chats…).
    table["prospect_signals"] = (
        inputs.interactions.groupby("party_id").size().reindex(table.index).fillna(0).astype("int64")
    )

    # For actions a party that bought and returned everything is still a customer to act on.
    orders_count = orders.groupby("party_id").size().reindex(table.index).fillna(0).astype("int64")
    actions = insight.next_best_actions(
        table.assign(purchases=orders_count), currency=settings.currency
    )
    table["next_best_action"] = actions["action"]
    table["nba_reason"] = actions["reason"]
    table["nba_product_sku"] = actions["add_on_product"].fillna("")
    # The reason's figures, so pages build it in the reader's language (scoring.reasons).
    develops = actions["action"] == "develop"
    table["nba_lift"] = table["add_on_lift"].where(develops)
    table["nba_because_sku"] = table["add_on_because_of"].where(develops).fillna("")
    table["nba_signals"] = table["prospect_signals"]

    say("insight: equity, KPIs, concentration and cohorts")
    # --- equity and KPIs ----------------------------------------------------------------
    current = float(table["clv"].sum())
    last_year = parties["acquired_at"] >= as_of_ts - pd.Timedelta(days=365)
    acquired_last_year = int((last_year & parties.index.isin(summary.index)).sum())
    acq = inputs.campaigns[inputs.campaigns["kind"] == "acquisition"]
    acq_recent = acq[pd.to_datetime(acq["starts_on"]) >= (as_of_ts - pd.Timedelta(days=365)).tz_localize(None)]
    acq_spend = float(acq_recent["spend"].sum())
    cac = acq_spend / acquired_last_year if acquired_last_year else 0.0
    weekly_new = acquired_last_year / 52.0
    equity = customer_equity(
        model, spend_model, summary, horizon=horizon, discount_rate=weekly,
        new_customers=weekly_new, acquisition_cost=cac, n_cohorts=52, margin=margin,
    )
    future = float(equity.future)
    say("value: intervals")
    interval = _value_interval(
        model, spend_model, summary, horizon=horizon, discount_rate=weekly, margin=margin,
        new_customers=weekly_new, acquisition_cost=cac,
    )
    table = table.join(interval.pop("customers"))

    kpi_input = table.rename(columns={"stage": "stage"}).copy()
    kpi_input["acquired_at"] = parties["acquired_at"]
    kpi_input["acquisition_channel"] = parties["acquisition_channel"]
    retention = insight.period_retention(kept[["party_id", "ordered_at", "amount"]], freq="Q", as_of=as_of_ts)
    kpis = insight.customer_kpis(
        kpi_input[kpi_input["purchases"] > 0],
        campaigns=inputs.campaigns,
        start=as_of_ts - pd.Timedelta(days=365),
        end=as_of_ts,
        retention=retention,
        future_equity=future,
    ).as_dict()

    try:  # the equity planner's inputs (web: /planner/); a reason instead when they are missing
        planner: dict[str, Any] = asdict(insight.allocation_inputs(
            kept[["party_id", "ordered_at", "amount", "cost"]], inputs.campaigns,
            open_prospects=int(table["is_prospect"].sum()), as_of=as_of_ts,
            discount_annual=settings.discount,
        ))
    except ValueError as exc:
        planner = {"unavailable": str(exc)}

    customers = table[table["purchases"] > 0]
    concentration = insight.concentration_summary(
        customers.assign(gross_margin=profit["gross_margin"].reindex(customers.index).fillna(0.0)),
        columns=("revenue", "gross_margin"),
    )
    lorenz = insight.lorenz_curve(customers["revenue"].to_numpy(dtype="float64"), max_points=51)
    cohorts = insight.cohort_table(kept[["party_id", "ordered_at", "amount"]], as_of=as_of_ts, max_months=24)

    report = {
        "as_of": as_of.isoformat(),
        "currency": settings.currency,
        "customer_equity": {"current": round(current, 2), "future": round(future, 2),
                            "total": round(current + future, 2), **interval},
        "kpis": kpis,
        "rfm_segments": insight.segment_counts(rfm),
        "loyalty_ladder": {
            "counts": {str(k): int(v) for k, v in table["stage"].value_counts().reindex(insight.STAGES, fill_value=0).items()},
            "notes": list(ladder.attrs.get("notes", [])),
        },
        "concentration": concentration,
        "lorenz_curve": _records(lorenz),
        "cohorts": {
            "months": [int(c) for c in cohorts.retention.columns],
            "cohorts": [str(i) for i in cohorts.retention.index],
            "sizes": [int(v) for v in cohorts.sizes.to_numpy()],
            "retention": [[_num(v) for v in row] for row in cohorts.retention.to_numpy()],
        },
        "model": {
            "name": name,
            "reason": reason,
            "params": dict(model.params_),
            "log_likelihood": model.log_likelihood_,
            "holdout_mae": holdout.get("mae"),
            "fit_notes": notes.as_dict(),
        },
        "diagnostics": _report_diagnostics(model, summary, holdout),
        "clv_distribution": _histogram(customers["clv"].to_numpy(dtype="float64")),
        "next_best_actions": {str(k): int(v) for k, v in actions["action"].value_counts().items()},
        "allocation": planner,
    }
    run = {
        "model_name": name,
        "model_reason": reason,
        "params": dict(model.params_),
        "spend_params": spend_params,
        "diagnostics": {
            "fit_notes": notes.as_dict(),
            "log_likelihood": model.log_likelihood_,
            "aic": model.aic_,
            "bic": model.bic_,
            "standard_errors": dict(model.standard_errors_),
            "margin_rate": margin,
        },
        "holdout": holdout,
        "comparison": comparison,
        "contribution_basis": "gross margin net of returns minus cost to serve (interactions, "
        "service cases); marketing spend is excluded: acquisition spend is sunk and counts in "
        "CAC, retention and add-on spend is discretionary",
        "customers": int(len(summary)),
        "transactions": int(len(kept)),
        "data_start": kept["ordered_at"].min().date(),
        "observation_end": as_of,
        "calibration_end": date.fromisoformat(holdout["calibration_end"]) if "calibration_end" in holdout else None,
        "settings": {"model": settings.model, "horizon_days": settings.horizon_days,
                     "discount_annual": settings.discount, "discount_weekly": weekly,
                     "horizon_weeks": horizon, "margin_rate": margin,
                     "local_day": settings.local_day or "UTC"},
    }
    return ScoringResult(scores=table, run=jsonable(run) | {
        "data_start": run["data_start"], "observation_end": as_of,
        "calibration_end": run["calibration_end"],
    }, report=jsonable(report))


def _report_diagnostics(model: BaseModel, summary: pd.DataFrame, holdout: dict[str, Any]) -> dict[str, Any]:
    """Everything the diagnostic charts draw, kept in the report (the HTML report is
    rendered from it alone): the calibration tables, the tracking curve and the
    frequency/recency matrices; without a holdout, customers by repeat transactions
    from the model fitted on all data."""
    out: dict[str, Any] = dict(holdout.get("diagnostics") or {})
    if "curve" in holdout:
        out["tracking"] = holdout["curve"]
    if "period_transactions" not in out and hasattr(model, "probability_of_purchases"):
        _diagnostic(out, "period_transactions", lambda: _records(period_transactions(model, summary)))
    _diagnostic(out, "matrix", lambda: model_diagnostics(model, summary))
    return out


INTERVAL_LEVEL = 0.9


def _value_interval(
    model: BaseModel, spend_model: GammaGamma | float, summary: pd.DataFrame, *, horizon: int,
    discount_rate: float, margin: float, new_customers: float, acquisition_cost: float,
) -> dict[str, Any]:
    """90 % intervals (delta method, ``value.uncertainty``) for each customer's CLV and for
    customer equity. ``customers`` holds ``clv_low``/``clv_high`` (clipped at 0 and
    rounded like the CLV); the rest goes into the report's ``customer_equity``. When the
    fit has no usable covariance, the intervals are missing and ``interval_error`` says why."""
    try:
        result = value_intervals(
            model, spend_model, summary, horizon=horizon, discount_rate=discount_rate,
            margin=margin, new_customers=new_customers, acquisition_cost=acquisition_cost,
            n_cohorts=52, level=INTERVAL_LEVEL,
        )
    except (IntervalsUnavailable, ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
        empty = pd.DataFrame({"clv_low": np.nan, "clv_high": np.nan}, index=summary.index)
        return {"customers": empty, "interval_error": str(exc)}
    customers = result.customers[["clv_low", "clv_high"]].clip(lower=0).round(2)
    return {
        "customers": customers,
        "total_low": _num(round(result.equity_low, 2)),
        "total_high": _num(round(result.equity_high, 2)),
        "current_low": _num(round(result.current_low, 2)),
        "current_high": _num(round(result.current_high, 2)),
        "interval_level": INTERVAL_LEVEL,
        "interval_method": result.method,
    }


def _last_complete_quarters_start(times: list[pd.Series], as_of_ts: pd.Timestamp) -> pd.Timestamp | None:
    """Start of the second-last complete quarter the by-quarter table would show.

    That table spans the quarters from the first to the last movement; its complete
    quarters end before ``as_of_ts``. None when there is no movement at all.
    """
    latest = [t[t < as_of_ts].max() for t in times if len(t)]
    latest = [t for t in latest if pd.notna(t)]
    if not latest:
        return None
    last_movement = max(latest).tz_convert("UTC").tz_localize(None).to_period("Q")
    last_complete = min(last_movement, as_of_ts.tz_convert("UTC").tz_localize(None).to_period("Q") - 1)
    return (last_complete - 1).start_time.tz_localize("UTC")


def _since(frame: pd.DataFrame | None, column: str, since: pd.Timestamp | None) -> pd.DataFrame | None:
    if frame is None or since is None:
        return frame
    return frame[frame[column] >= since]


# Round band edges for the CLV distribution (money: whole units): 1, 2 and 5 times a
# power of ten.
ROUND_EDGES = tuple(float(m * 10**k) for k in range(13) for m in (1, 2, 5))
MAX_BANDS = 12


def _histogram(values: np.ndarray) -> dict[str, list[float]]:
    """Customers and their CLV by band. Lifetime values are heavily skewed (many customers
    worth little, a few worth a great deal), so the bands grow in 1-2-5 steps from 0 to
    the highest value (included in the last band), not in equal widths that leave the
    upper bands empty; the smallest bands are merged into the first when there would be
    more than MAX_BANDS. ``edges`` has one more entry than ``counts`` and ``sums``."""
    values = values[np.isfinite(values)]
    if values.size == 0:
        return {"edges": [], "counts": [], "sums": []}
    top = float(values.max())
    positive = values[values > 0]
    if top <= 0 or positive.size == 0:
        return {"edges": [0.0, 0.0], "counts": [int(values.size)], "sums": [round(float(values.sum()), 2)]}
    upper = next((e for e in ROUND_EDGES if e >= top), top)
    low = float(np.quantile(positive, 0.05))
    lower = max((e for e in ROUND_EDGES if e <= low), default=ROUND_EDGES[0])
    inner = [e for e in ROUND_EDGES if lower <= e <= upper]
    edges = [0.0, *inner[-MAX_BANDS:]]
    bands = np.searchsorted(edges, values, side="right") - 1  # [a, b): a value on an edge goes up
    bands = np.clip(bands, 0, len(edges) - 2)  # the top value sits on the last edge at most
    counts = np.bincount(bands, minlength=len(edges) - 1)
    sums = np.bincount(bands, weights=values, minlength=len(edges) - 1)
    return {"edges": [float(e) for e in edges], "counts": [int(c) for c in counts],
            "sums": [round(float(v), 2) for v in sums]}
