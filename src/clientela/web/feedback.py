"""Voice of the customer: NPS and CSAT over time and the verbatim comments, filtered."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from clientela.crm.accounts.permissions import has_capability
from clientela.crm.errors import NotPermitted
from clientela.crm.feedback.access import may_view_responses, visible_surveys
from clientela.crm.feedback.themes import nps_drivers
from clientela.crm.scoring.charts import Chart
from clientela.crm.service.access import may_create_case
from clientela.crm.voice.queries import has_themes, stored_drivers, themes_of
from clientela.web.feedback_figures import (
    comments,
    month_label,
    monthly,
    months_svg,
    parse_feedback_filters,
)
from clientela.web.feedback_themes import may_edit_themes
from clientela.web.layout import render_page
from clientela.web.paging import is_htmx
from clientela.web.report_tables import Table
from clientela.web.survey_invitations import invite_card
from clientela.web.templatetags.web_format import num, pct, signed


def _charts(user: Any) -> list[Chart]:
    nps, csat = monthly(user, "nps"), monthly(user, "csat")
    headers = (_("Month"), _("Answers"))
    return [
        Chart("nps", _("Net Promoter Score by month"), months_svg(
            "nps", nps, low=-100, high=100, places=0, title=_("Net Promoter Score by month"),
            desc=_("NPS (promoters minus detractors, −100 to 100) of the answers of each of the last 12 months; a dash marks a month without answers.")),
            (headers[0], _("NPS"), headers[1]),
            [(month_label(m), num(m.value, 0) if m.value is not None else "—", num(m.responses)) for m in nps]),
        Chart("csat", _("Customer satisfaction by month"), months_svg(
            "csat", csat, low=0, high=5, places=2, title=_("Customer satisfaction by month"),
            desc=_("Mean CSAT score (1 to 5) of the answers of each of the last 12 months; a dash marks a month without answers.")),
            (headers[0], _("Mean CSAT"), headers[1]),
            [(month_label(m), num(m.value, 2) if m.value is not None else "—", num(m.responses)) for m in csat]),
    ]


def _themes(user: Any) -> tuple[list[Any], list[Any], Table]:
    """The themes of the NPS comments with what each does to the score: the stored ones
    (found by the nightly refresh and shaped by people, each with its theme) or, when
    nothing is stored yet, the ones found on the fly (cached); and their table."""
    if has_themes():
        stored: list[Any] = stored_drivers(user)
        found = [(s.theme.name, s.driver) for s in stored]
    else:
        stored, found = [], [(d.name, d) for d in nps_drivers(user)]
    table = Table("themes", (_("Theme"), _("Language"), _("Answers"), _("Among detractors"), _("Among promoters"),
                             _("Effect on NPS")),
                  [(name, d.language.upper(), num(d.answers), pct(d.share_detractors), pct(d.share_promoters),
                    signed(d.nps_effect, 1)) for name, d in found])
    return stored, [d for _name, d in found], table


def feedback_tables(user: Any, params: QueryDict) -> list[Chart | Table]:
    """The page's monthly NPS and CSAT tables and its themes table for ``user``
    (``report_tables``)."""
    if not may_view_responses(user):
        raise NotPermitted("you may not see survey answers")
    return [*_charts(user), _themes(user)[2]]


def top_nps_drivers(user: Any, *, count: int = 2) -> list[tuple[str, float]]:
    """The stored themes (found by the nightly refresh, named by people) that lower the NPS
    of the answers ``user`` may see the most, as (name, effect in NPS points); empty before
    the first refresh (the dashboard does not find themes on the fly) and for a user who may
    not see survey answers."""
    if not may_view_responses(user) or not has_themes():
        return []
    found = [(s.theme.name, s.driver.nps_effect) for s in stored_drivers(user)]
    return [(name, effect) for name, effect in found if effect < 0][:count]


@login_required
@require_GET
def feedback(request: HttpRequest) -> HttpResponse:
    if not may_view_responses(request.user):
        raise PermissionDenied
    filters = parse_feedback_filters(request.GET)
    rows, has_next = comments(request.user, filters)
    themes = themes_of([r.pk for r in rows])
    for r in rows:  # a detractor's comment can open a case (docs/web.md "Feedback")
        r.is_detractor = r.score <= (6 if r.kind == "nps" else 3)
        r.theme_list = themes.get(r.pk, [])
    context = {"filters": filters, "rows": rows, "has_next": has_next, "query": request.GET.copy(),
               "may_open_case": may_create_case(request.user)}
    if is_htmx(request, "comments"):
        return render(request, "web/feedback/_comments.html", context)
    context.update(charts=_charts(request.user), can_export=has_capability(request.user, "export"),
                   table_page="feedback", surveys=list(visible_surveys(request.user).order_by("name")),
                   may_edit_themes=may_edit_themes(request.user), invite=invite_card(request))
    stored, drivers, table = _themes(request.user)
    context.update(stored_drivers=stored, drivers=drivers, themes_table=table,
                   theme_rows=list(zip(table.rows, stored or [None] * len(table.rows), strict=True)),
                   merge_targets=sorted({s.theme for s in stored}, key=lambda t: (t.language, t.name)))
    return render_page(request, "web/feedback/page.html", context, section="feedback")
