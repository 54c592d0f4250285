"""The dashboard at ``/``: KPI tiles with trends and the customer-equity charts."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from clientela.crm.scoring.charts import dashboard_charts
from clientela.web.kpis import dashboard_figures
from clientela.web.layout import render_page


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    figures = dashboard_figures(request.user)
    charts = dashboard_charts(
        figures.report, show_clv=figures.show_clv, history=figures.equity_history
    )
    return render_page(
        request, "web/dashboard.html", {"figures": figures, "charts": charts}, section="dashboard"
    )
