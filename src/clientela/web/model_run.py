"""The model page at ``/model/``: the current model run, its parameters, the holdout
check (expected against actual repeat transactions), the model's diagnostics (the charts
of ``scoring.charts.diagnostic_charts``, shared with the HTML report) and the comparison
of the models.

Everything comes from the stored run (``ModelRun``: params, diagnostics, holdout with its
tracking curve, comparison, settings), written by ``clientela score``; the page reads
one run and a short list of recent runs. Model figures are CLV figures: roles that may
not see CLV get 403 (``scoring.access.access_model_run``) and no menu entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from clientela.crm.accounts.permissions import has_capability
from clientela.crm.scoring.access import access_model_run
from clientela.crm.scoring.charts import Chart, diagnostic_charts, holdout_svg
from clientela.crm.scoring.models import ModelRun
from clientela.crm.scoring.queries import recent_runs
from clientela.web.layout import render_page
from clientela.web.report_tables import FigureTable, Table
from clientela.web.templatetags.web_format import num, pct

# Published names of the models (not translated).
MODEL_NAMES = {
    "bgnbd": "BG/NBD", "pareto": "Pareto/NBD", "mbgnbd": "MBG/NBD", "bgbb": "BG/BB", "sbg": "sBG",
    "nbd": "NBD", "gamma-gamma": "Gamma-Gamma",
}
# Where a skipped model failed (scoring.pipeline.FitNotes).
FIT_STAGES = {"calibration": _("calibration"), "all data": _("all data")}
RUN_STATUS = {"running": _("Running"), "succeeded": _("Succeeded"), "failed": _("Failed")}
COMPARISON_HEADERS = (
    _("Model"), _("Rank"), _("RMSE"), _("MAE"), _("Correlation"), _("Expected in holdout"),
    _("Actual in holdout"), _("Total error"), _("Log-likelihood"), _("AIC"), _("BIC"), _("Parameters"),
)
# Parameter symbols as the papers write them.
SYMBOLS = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ"}


def model_label(name: str) -> str:
    return MODEL_NAMES.get(name, name)


@dataclass(frozen=True)
class Param:
    name: str
    value: float | None
    error: float | None = None


@dataclass(frozen=True)
class Compared:
    model: str
    chosen: bool
    rank: int | None
    rmse: float | None
    mae: float | None
    correlation: float | None
    predicted: float | None
    actual: float | None
    total_error: float | None
    log_likelihood: float | None
    aic: float | None
    bic: float | None
    params: list[str]
    error: str = ""


@dataclass(frozen=True)
class ModelFigures:
    run: ModelRun
    model: str
    params: list[Param]
    spend_params: list[Param]
    holdout: dict[str, Any]
    holdout_weeks: int | None
    chart: str
    curve: list[tuple[str, float, float, bool]]
    comparison: list[Compared] = field(default_factory=list)
    notes: FitNoteFigures | None = None


@dataclass(frozen=True)
class Skipped:
    model: str
    stage: str
    reason: str


@dataclass(frozen=True)
class FitNoteFigures:
    """The run's fit notes: the fallback, the models skipped and why, boundary warnings."""

    fallback: str
    skipped: list[Skipped]
    warnings: list[str]


def _fit_notes(run: ModelRun) -> FitNoteFigures | None:
    notes = (run.diagnostics or {}).get("fit_notes") or {}
    if not isinstance(notes, dict):
        return None
    skipped = [
        Skipped(model_label(str(s.get("model", ""))), str(FIT_STAGES.get(str(s.get("stage")), s.get("stage", ""))),
                str(s.get("reason", "")))
        for s in notes.get("skipped") or [] if isinstance(s, dict)
    ]
    warnings = [str(w) for w in notes.get("warnings") or []]
    fallback = str(notes.get("fallback") or "")
    if not (skipped or warnings or fallback):
        return None
    return FitNoteFigures(fallback=fallback, skipped=skipped, warnings=warnings)


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _symbol(name: str) -> str:
    return SYMBOLS.get(name, name)


def _compared(row: dict[str, Any], chosen: str) -> Compared:
    params = [
        f"{_symbol(key.removeprefix('param_'))}\u00a0=\u00a0{num(float(v), 4 if abs(float(v)) < 10 else 2)}"
        for key, v in row.items() if key.startswith("param_") and _float(v) is not None
    ]
    rank = _float(row.get("rank"))
    return Compared(
        model=model_label(str(row.get("model", ""))), chosen=row.get("model") == chosen,
        rank=int(rank) if rank is not None else None,
        rmse=_float(row.get("rmse")), mae=_float(row.get("mae")), correlation=_float(row.get("correlation")),
        predicted=_float(row.get("total_predicted")), actual=_float(row.get("total_actual")),
        total_error=_float(row.get("total_error")), log_likelihood=_float(row.get("log_likelihood")),
        aic=_float(row.get("aic")), bic=_float(row.get("bic")), params=params,
        error=str(row.get("error") or ""),
    )


def model_figures(run: ModelRun) -> ModelFigures:
    """Shape the stored run for the page (no query)."""
    errors = (run.diagnostics or {}).get("standard_errors", {}) or {}
    holdout = dict(run.holdout or {})
    curve_points = list(holdout.pop("curve", []) or [])
    comparison = sorted(
        (_compared(row, run.model_name) for row in (run.comparison or []) if isinstance(row, dict)),
        key=lambda c: (c.rank is None, c.rank or 0),
    )
    weeks = holdout.get("weeks")
    return ModelFigures(
        run=run,
        model=model_label(run.model_name),
        params=[Param(_symbol(k), _float(v), _float(errors.get(k))) for k, v in (run.params or {}).items()],
        spend_params=[Param(_symbol(k), _float(v)) for k, v in (run.spend_params or {}).items()],
        holdout=holdout,
        holdout_weeks=int(weeks) if isinstance(weeks, int | float) else None,
        chart=holdout_svg(curve_points) if curve_points else "",
        curve=[
            (str(p.get("period_start") or "")[:10], float(p.get("expected") or 0),
             float(p.get("actual") or 0), bool(p.get("holdout")))
            for p in curve_points
        ],
        comparison=comparison,
        notes=_fit_notes(run),
    )


def _compared_cells(c: Compared) -> tuple[str, ...]:
    figures = (
        (c.error, "", "", "", "", "", "", "", "") if c.error else
        (num(c.rmse, 4), num(c.mae, 4), num(c.correlation, 3), num(c.predicted), num(c.actual),
         pct(c.total_error, 1), num(c.log_likelihood, 1), num(c.aic, 1), num(c.bic, 1))
    )
    return (c.model, str(c.rank) if c.rank else "—", *figures, "; ".join(c.params))


def _figure_tables(figures: ModelFigures) -> list[Table]:
    """The run's tables as the page shows them: parameters, holdout curve, comparison."""
    tables = [Table(
        "params", (str(_("Parameter")), str(_("Value")), str(_("Standard error"))),
        [(p.name, num(p.value, 4), num(p.error, 4)) for p in figures.params],
    )]
    if figures.curve:
        tables.append(Table(
            "holdout", (str(_("Period starting")), str(_("Expected")), str(_("Actual")), str(_("Part"))),
            [(when, num(expected, 1), num(actual), str(_("holdout") if holdout else _("calibration")))
             for when, expected, actual, holdout in figures.curve],
        ))
    tables.append(Table("comparison", tuple(str(h) for h in COMPARISON_HEADERS),
                        [_compared_cells(c) for c in figures.comparison]))
    return tables


def _runs_table(runs: list[dict[str, Any]]) -> Table:
    return Table(
        "runs", (str(_("Started")), str(_("Status")), str(_("Model")), str(_("Customers")), str(_("Holdout RMSE"))),
        [(date_format(localtime(r["started_at"]), "SHORT_DATETIME_FORMAT"),
          str(RUN_STATUS.get(str(r["status"]), r["status"])),
          model_label(str(r["model_name"] or "")) or "—", num(r["customers"]), num(r["holdout_rmse"], 4))
         for r in runs],
    )


@dataclass(frozen=True)
class ModelPage:
    run: ModelRun | None
    figures: ModelFigures | None
    diagnostics: list[Chart]
    runs: list[dict[str, Any]]
    tables: dict[str, Table]

    def all_tables(self) -> list[FigureTable]:
        return [*self.tables.values(), *self.diagnostics]


def model_page_for(user: Any) -> ModelPage:
    """Everything the model page shows ``user`` (NotPermitted for a user who may not see CLV)."""
    run = access_model_run(user)
    runs = recent_runs()
    figures = model_figures(run) if run is not None else None
    tables = _figure_tables(figures) if figures is not None else []
    return ModelPage(
        run=run, figures=figures,
        diagnostics=diagnostic_charts(run.summary or {}, tracking=False) if run is not None else [],
        runs=runs, tables={t.ident: t for t in [*tables, _runs_table(runs)]},
    )


def model_tables(user: Any, params: QueryDict) -> list[FigureTable]:
    """The model page's tables for ``user`` (``report_tables``)."""
    return model_page_for(user).all_tables()


@login_required
@require_GET
def model_page(request: HttpRequest) -> HttpResponse:
    page = model_page_for(request.user)
    tables = page.tables
    context: dict[str, Any] = {
        "run": page.run,
        "figures": page.figures,
        "diagnostics": page.diagnostics,
        "tables": tables,
        "comparison": list(zip(page.figures.comparison, tables["comparison"].rows, strict=True)) if page.figures else [],
        "runs": list(zip(page.runs, tables["runs"].rows, strict=True)),
        "currency": str((page.run.summary or {}).get("currency", "")) if page.run is not None else "",
        "can_export": has_capability(request.user, "export"), "table_page": "model",
    }
    return render_page(request, "web/model.html", context, section="model")
