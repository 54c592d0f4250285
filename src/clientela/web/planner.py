"""The equity planner: acquisition and retention budgets on sliders → predicted equity.

A GET form (nothing is written): moving a slider asks the server, through htmx, for the
result panel at the new budgets; without JavaScript the *Show* button does the same.
"""

from __future__ import annotations

import math
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from clientela.crm.accounts.permissions import has_capability
from clientela.crm.errors import NotPermitted, RecordNotFound
from clientela.crm.experiments.outcomes import measured_lifts
from clientela.crm.scoring.access import access_planner_inputs
from clientela.web.equity_planner import Learning, Planner, inputs_from, learn, planner
from clientela.web.layout import render_page
from clientela.web.paging import is_htmx
from clientela.web.report_tables import FigureTable, Table
from clientela.web.templatetags.web_format import money, pct


def _budget(value: str | None) -> float | None:
    try:
        number = float(value) if value not in (None, "") else None
    except ValueError:
        return None
    return number if number is not None and math.isfinite(number) else None


def _planner(user: Any, params: QueryDict
             ) -> tuple[Any, dict[str, Any], Planner | None, Table | None, Learning | None]:
    """The run, its stored inputs, the figures at the budgets of ``params``, the table of
    allocations (None without usable inputs) and where the curves come from (measured
    lifts or the assumption); NotPermitted as ``access_planner_inputs``."""
    try:
        run, stored = access_planner_inputs(user)
    except RecordNotFound:
        run, stored = None, {}
    inputs = inputs_from(stored)
    if inputs is None:
        return run, stored, None, None, None
    currency = str(run.summary.get("currency", "")) if run is not None else ""
    # Where an experiment measured an informative lift, the acquisition or retention curve
    # uses it (with its interval) instead of the assumption; the page says which and why.
    inputs, learning = learn(inputs, measured_lifts(), currency=currency)
    figures = planner(
        inputs, acquisition=_budget(params.get("acquisition")),
        retention=_budget(params.get("retention")), currency=currency,
    )
    table = Table("allocations", (
        _("Allocation"), _("Acquisition budget"), _("Retention budget"), _("Acquisition rate"),
        _("Retention rate a quarter"), _("Predicted equity"),
    ), [
        (name, money(p.acquisition_budget, currency), money(p.retention_budget, currency),
         pct(p.acquisition_rate), pct(p.retention_rate), money(p.equity, currency))
        for name, p in ((_("Today"), figures.today), (_("Your allocation"), figures.chosen),
                        (_("Optimum"), figures.optimum))
    ])
    return run, stored, figures, table, learning


def planner_tables(user: Any, params: QueryDict) -> list[FigureTable]:
    """The allocations table and the two curves' tables at the budgets of ``params``
    (``report_tables``)."""
    _run, _stored, figures, table, _learning = _planner(user, params)
    return [] if figures is None or table is None else [table, *figures.charts]


@login_required
@require_GET
def equity_planner(request: HttpRequest) -> HttpResponse:
    try:
        run, stored, figures, table, learning = _planner(request.user, request.GET)
    except NotPermitted:
        raise PermissionDenied from None
    currency = str(run.summary.get("currency", "")) if run is not None else ""
    band = None
    if learning is not None and figures is not None:
        band = learning.band(figures.chosen.acquisition_budget, figures.chosen.retention_budget)
    context = {"run": run, "planner": figures, "table": table, "currency": currency, "learning": learning,
               "band": band,
               "can_export": has_capability(request.user, "export"), "table_page": "planner",
               "table_query": request.GET.urlencode(),
               "unavailable": stored.get("unavailable", ""),
               "dashboard_equity": run.summary.get("customer_equity") if run is not None else None,
               "scored_customers": run.summary.get("customers") if run is not None else None}
    if is_htmx(request) and figures is not None:
        return render(request, "web/planner/_result.html", context | {"partial": True})
    return render_page(request, "web/planner/page.html", context, section="planner")
