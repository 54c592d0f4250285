"""Dashboard figures: the KPI tiles of the current model run and their trends.

The figures are company-wide aggregates from the run's stored report
(``ModelRun.summary``); tiles built on customer lifetime value are left out for
roles that may not see CLV (``permissions.can_see(user, "clv")``). The trend of a
tile compares the current run with the previous successful run. NPS is read from
survey answers of the last 365 days (promoters 9–10 minus detractors 0–6) and
compared with the 365 days before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clientela.crm.accounts.permissions import can, can_see
from clientela.crm.feedback.models import SurveyResponse
from clientela.crm.scoring.models import ModelRun, RunStatus
from clientela.crm.scoring.queries import current_run


@dataclass(frozen=True)
class Kpi:
    key: str  # data-testid is "kpi-<key>"
    label: str | Promise
    kind: str  # money | count | ratio | share | score
    value: float | None
    previous: float | None = None
    help: str | Promise = ""
    better: str = "up"  # which direction is good news

    @property
    def delta(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def delta_display(self) -> float | None:
        """The change in the tile's unit: percentage points for shares."""
        delta = self.delta
        if delta is None:
            return None
        # Rounded so that 0.282 − 0.232 shows as 5.0 points, not 4.9 (binary floats).
        return round(delta * 100 if self.kind == "share" else delta, 9)

    @property
    def delta_places(self) -> int:
        """Decimals of the change: none for counts and for money of 10 or more, two for
        ratios and smaller money, one for points and scores (two when a change of points
        would round to 0.0)."""
        shown = self.delta_display
        if self.kind == "count":
            return 0
        if self.kind == "money":
            return 0 if shown is None or abs(shown) >= 10 else 2
        if self.kind == "ratio" or (shown is not None and 0 < abs(shown) < 0.05):
            return 2
        return 1

    @property
    def good_news(self) -> bool | None:
        delta = self.delta
        if not delta:
            return None
        return (delta > 0) == (self.better == "up")


@dataclass(frozen=True)
class Dashboard:
    run: ModelRun | None
    previous: ModelRun | None
    currency: str
    kpis: list[Kpi] = field(default_factory=list)
    report: dict[str, Any] = field(default_factory=dict)
    show_clv: bool = True
    nps_responses: int = 0
    equity_history: list[tuple[datetime, float]] = field(default_factory=list)


def previous_run(run: ModelRun) -> ModelRun | None:
    """The successful run before ``run``."""
    return (
        ModelRun.objects.filter(status=RunStatus.SUCCEEDED, started_at__lt=run.started_at)
        .exclude(pk=run.pk)
        .order_by("-started_at")
        .first()
    )


def equity_history(*, limit: int = 24) -> list[tuple[datetime, float]]:
    """Customer equity of the last ``limit`` successful runs, oldest first (one query that
    reads only that figure of each run's report)."""
    rows = (
        ModelRun.objects.filter(status=RunStatus.SUCCEEDED)
        .order_by("-started_at")
        .values_list("started_at", "summary__customer_equity__total")[:limit]
    )
    return [(when, float(total)) for when, total in reversed(list(rows)) if total is not None]


def _nps_by_year(now: datetime) -> tuple[int, float | None, float | None]:
    """Answers of the last 365 days, their NPS and the NPS of the 365 days before: one
    aggregate over two years of NPS answers (the (kind, answered_at) index covers it)."""
    year = timedelta(days=365)
    recent, earlier = Q(answered_at__gte=now - year), Q(answered_at__lt=now - year)
    row = SurveyResponse.objects.filter(
        kind="nps", answered_at__gte=now - 2 * year, answered_at__lt=now
    ).aggregate(
        n=Count("id", filter=recent),
        promoters=Count("id", filter=recent & Q(score__gte=9)),
        detractors=Count("id", filter=recent & Q(score__lte=6)),
        n_before=Count("id", filter=earlier),
        promoters_before=Count("id", filter=earlier & Q(score__gte=9)),
        detractors_before=Count("id", filter=earlier & Q(score__lte=6)),
    )

    def nps(n: int, promoters: int, detractors: int) -> float | None:
        return 100.0 * (promoters - detractors) / n if n else None

    return (
        row["n"],
        nps(row["n"], row["promoters"], row["detractors"]),
        nps(row["n_before"], row["promoters_before"], row["detractors_before"]),
    )


def _get(report: dict[str, Any], *path: str) -> float | None:
    node: Any = report
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    if node is None:
        return None
    return float(node) if isinstance(node, int | float | Decimal) else None


def horizon_months(run: ModelRun | None) -> int | None:
    """The months a run's lifetime values look ahead (its ``horizon_days`` setting)."""
    days = _get(run.settings or {}, "horizon_days") if run is not None else None
    return max(1, round(days / 30.4375)) if days else None


def with_horizon(label: str | Promise, months: int | None) -> str | Promise:
    """``"CLV"`` → ``"CLV, next 12 months"``: a value figure names its horizon."""
    if months is None:
        return label
    return ngettext("%(label)s, next %(n)s month", "%(label)s, next %(n)s months", months) % {
        "label": label, "n": months}


def dashboard_figures(user: Any, *, now: datetime | None = None) -> Dashboard:
    """Everything the dashboard shows for ``user``: one query for the run, one for the
    previous run, one for NPS."""
    run = current_run()
    before = previous_run(run) if run is not None else None
    report = run.summary if run is not None else {}
    old = before.summary if before is not None else {}
    show_clv = can_see(user, "clv")

    def tile(key: str, label: str | Promise, kind: str, *path: str, **extra: Any) -> Kpi:
        return Kpi(key, label, kind, _get(report, *path), _get(old, *path) if old else None, **extra)

    kpis: list[Kpi] = []
    horizon = horizon_months(run)
    if show_clv:
        kpis.append(tile("customer-equity", with_horizon(_("Customer equity"), horizon), "money",
                         "customer_equity", "total",
                         help=_("Lifetime value of today's customers plus future customers net of acquisition cost")))
    kpis.append(tile("active-customers", _("Active customers"), "count", "kpis", "active_customers",
                     help=_("Customers with a probability of being alive of at least 0.5")))
    if show_clv:
        kpis.append(tile("mean-clv", with_horizon(_("Mean CLV"), horizon), "money", "kpis", "mean_clv",
                         help=_("Average predicted lifetime value of a current customer")))
        kpis.append(tile("clv-cac", _("CLV / CAC"), "ratio", "kpis", "clv_to_cac",
                         help=_("Mean lifetime value per unit of acquisition cost")))
    kpis.append(tile("retention", _("Retention rate"), "share", "kpis", "retention_rate",
                     help=_("Share of the previous period's active customers who bought again in the latest period")))
    kpis.append(tile("churn", _("Churn rate"), "share", "kpis", "churn_rate", better="down",
                     help=_("Share of the previous period's active customers who did not buy again")))

    nps_responses = 0
    if can(user, "survey_response", "view"):
        nps_responses, nps_now, nps_before = _nps_by_year(now or timezone.now())
        kpis.append(Kpi("nps", _("Net Promoter Score"), "score", nps_now, nps_before,
                        help=_("Promoters minus detractors among survey answers of the last 365 days")))
    kpis.append(tile("top20-share", _("Revenue share of the top 20 %"), "share", "kpis", "top20_revenue_share",
                     better="neutral", help=_("Share of revenue brought by the best fifth of customers")))
    return Dashboard(
        run=run, previous=before, currency=str(report.get("currency", "")), kpis=kpis,
        report=report, show_clv=show_clv, nps_responses=nps_responses,
        equity_history=equity_history() if show_clv and run is not None else [],
    )
