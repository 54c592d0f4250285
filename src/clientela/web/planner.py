"""The equity planner: acquisition and retention budgets on sliders → predicted equity.

A GET form (nothing is written): moving a slider asks the server, through htmx, for the
result panel at the new budgets; without JavaScript the *Show* button does the same.
"""

from __future__ import annotations

import math

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from clientela.crm.errors import NotPermitted, RecordNotFound
from clientela.crm.experiments.outcomes import measured_retention_lift
from clientela.crm.scoring.access import access_planner_inputs
from clientela.web.equity_planner import inputs_from, optimum_range, planner, with_measured_lift
from clientela.web.layout import render_page
from clientela.web.paging import is_htmx


def _budget(value: str | None) -> float | None:
    try:
        number = float(value) if value not in (None, "") else None
    except ValueError:
        return None
    return number if number is not None and math.isfinite(number) else None


@login_required
@require_GET
def equity_planner(request: HttpRequest) -> HttpResponse:
    try:
        run, stored = access_planner_inputs(request.user)
    except NotPermitted:
        raise PermissionDenied from None
    except RecordNotFound:
        run, stored = None, {}
    inputs = inputs_from(stored)
    currency = str(run.summary.get("currency", "")) if run is not None else ""
    figures = None
    measured = None
    if inputs is not None:
        # Where a retention experiment measured a lift, the retention curve uses it
        # (with its interval) instead of the assumption; the page says which.
        inputs, measured = with_measured_lift(inputs, measured_retention_lift())
        figures = planner(
            inputs, acquisition=_budget(request.GET.get("acquisition")),
            retention=_budget(request.GET.get("retention")), currency=currency,
        )
        if measured is not None:
            measured = measured | optimum_range(measured, currency=currency)
    rows = [] if figures is None else [
        (_("Today"), figures.today), (_("Your allocation"), figures.chosen), (_("Optimum"), figures.optimum),
    ]
    context = {"run": run, "planner": figures, "rows": rows, "currency": currency, "measured": measured,
               "unavailable": stored.get("unavailable", ""),
               "dashboard_equity": run.summary.get("customer_equity") if run is not None else None,
               "scored_customers": run.summary.get("customers") if run is not None else None}
    if is_htmx(request) and figures is not None:
        return render(request, "web/planner/_result.html", context | {"partial": True})
    return render_page(request, "web/planner/page.html", context, section="planner")
