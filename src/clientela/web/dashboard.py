"""The dashboard at ``/``: KPI tiles with trends and the customer-equity charts."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.views.decorators.http import require_GET

from clientela.crm.accounts.permissions import has_capability
from clientela.crm.scoring.charts import Chart, dashboard_charts
from clientela.web.feedback import top_nps_drivers
from clientela.web.kpis import Dashboard, dashboard_figures
from clientela.web.layout import render_page


def _charts(figures: Dashboard) -> list[Chart]:
    return dashboard_charts(figures.report, show_clv=figures.show_clv, history=figures.equity_history)


def dashboard_tables(user: Any, params: QueryDict) -> list[Chart]:
    """The dashboard's charts for ``user``, each with its table (``report_tables``)."""
    return _charts(dashboard_figures(user))


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    figures = dashboard_figures(request.user)
    return render_page(request, "web/dashboard.html", {
        "figures": figures, "charts": _charts(figures), "nps_drivers": top_nps_drivers(request.user),
        "can_export": has_capability(request.user, "export"), "table_page": "dashboard",
    }, section="dashboard")
