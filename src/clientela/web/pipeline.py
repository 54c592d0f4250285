"""The pipeline board: deals by stage, filtered, loaded a column page at a time, moved by
drag and drop or the card's form, with the weighted forecast by close month."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clientela.crm.accounts.permissions import can, has_capability
from clientela.crm.errors import InvalidInput, NotPermitted, RecordNotFound, StaleRecord
from clientela.crm.sales.access import access_deal_by_id, access_pipeline_by_id, access_stage_by_id
from clientela.crm.sales.actions import move_deal
from clientela.crm.sales.models import Pipeline
from clientela.crm.sales.queries import funnel
from clientela.web.board import (
    CARDS_PER_STAGE,
    BoardFilters,
    board,
    cursor_of,
    forecast,
    more_cards,
    parse_board_filters,
    parse_cursor,
    pipelines_for,
    team_choices,
)
from clientela.web.layout import render_page
from clientela.web.paging import is_htmx
from clientela.web.queries import owner_choices
from clientela.web.report_tables import Table
from clientela.web.templatetags.web_format import money, num, pct


def _may_view(request: HttpRequest) -> None:
    if not (can(request.user, "pipeline", "view") and can(request.user, "deal", "view")):
        raise PermissionDenied


def _with_move_options(cards: list[Any], stages: list[Any], *, ask: tuple[int, int] | None = None) -> None:
    """Give each card the ``<option>`` list of its Move form, its own stage (or the stage
    a refused move asked a reason for) selected. Built once per stage, not per card: the
    per-card loop was a third of the time of a 120-card board."""
    by_stage = {
        chosen.pk: format_html_join("", '<option value="{}" translate="no"{}>{}</option>', (
            (s.pk, mark_safe(" selected") if s.pk == chosen.pk else "", s.name) for s in stages))  # noqa: S308
        for chosen in stages
    }
    for card in cards:
        wanted = ask[1] if ask and ask[0] == card.pk else card.stage_id
        card.move_options = by_stage.get(wanted, "")


def _tables(months: list[Any], steps: list[Any]) -> tuple[Table, Table]:
    """The board's weighted forecast (the filtered open deals by close month, with the
    total) and its funnel, as the board shows them (``report_tables``)."""
    currency = settings.BASE_CURRENCY

    def weighted(value: Decimal, unconverted: dict[str, Decimal]) -> str:  # unconverted apart, as shown
        return money(value, currency) + "".join(f" + {money(v, code)}" for code, v in unconverted.items())

    rows: list[tuple[str, ...]] = [(formats.date_format(m.month, "F Y") if m.month else _("No close date"), num(m.deals),
             money(m.amount, currency), weighted(m.weighted, m.unconverted)) for m in months]
    if months:
        rows.append((_("Total"), "", money(sum((m.amount for m in months), start=Decimal("0")), currency),
                     money(sum((m.weighted for m in months), start=Decimal("0")), currency)))
    return (Table("forecast", (_("Expected close"), _("Open deals"), _("Amount"), _("Weighted")), rows),
            Table("funnel", (_("Stage"), _("Deals that reached it"), _("Share of all deals"),
                             _("Conversion from the previous stage")),
                  [(step.stage.name, num(step.reached), pct(step.share, 0), pct(step.conversion, 0))
                   for step in steps]))


def pipeline_tables(user: Any, params: QueryDict) -> list[Table]:
    """The forecast and funnel tables of the board ``params["pipeline"]`` (with the board's
    filters) for ``user``: ``LookupError`` (404) for a pipeline the user may not see."""
    if not (can(user, "pipeline", "view") and can(user, "deal", "view")):
        raise NotPermitted("you may not see the pipeline")
    pipeline_id = params.get("pipeline", "")
    try:
        pipeline = access_pipeline_by_id(user, int(pipeline_id)) if pipeline_id.isdigit() else None
    except NotPermitted:
        pipeline = None
    if pipeline is None:
        raise RecordNotFound("no such pipeline")
    tables = _tables(forecast(user, pipeline, parse_board_filters(params)), funnel(pipeline))
    return [t for t in tables if t.rows]


def _context(
    request: HttpRequest, pipeline: Pipeline, filters: BoardFilters, *, error: str = "",
    moved: int | None = None, ask_reason: tuple[int, int] | None = None,
) -> dict[str, Any]:
    months = forecast(request.user, pipeline, filters)
    steps = funnel(pipeline)
    forecast_table, funnel_table = _tables(months, steps)
    columns = board(request.user, pipeline, filters)
    stages = [c.stage for c in columns]
    if can(request.user, "deal", "update"):
        _with_move_options([d for c in columns for d in c.deals], stages, ask=ask_reason)
    return {
        "pipeline": pipeline,
        "pipelines": pipelines_for(request.user),
        "columns": columns,
        "stages": stages,
        "filters": filters,
        "filter_query": filters.query(),
        "forecast": list(zip(months, forecast_table.rows, strict=False)),
        "forecast_table": forecast_table, "funnel_table": funnel_table,
        "funnel": list(zip(steps, funnel_table.rows, strict=True)),
        "can_export": has_capability(request.user, "export"), "table_page": "pipeline",
        "table_query": "&".join(q for q in (f"pipeline={pipeline.pk}", filters.query()) if q),
        "can_move": can(request.user, "deal", "update"),
        "can_create": can(request.user, "deal", "create"),
        "error": error,
        "moved": moved,
        "ask_deal": ask_reason[0] if ask_reason else None,
        "ask_stage": ask_reason[1] if ask_reason else None,
        "cards_per_stage": CARDS_PER_STAGE,
        "currency": settings.BASE_CURRENCY,  # stage totals, converted at the latest rates
    }


@login_required
@require_GET
def pipeline_home(request: HttpRequest) -> HttpResponse:
    _may_view(request)
    first = pipelines_for(request.user)
    if first:
        return redirect("web:pipeline", pipeline_id=first[0].pk)
    return render_page(request, "web/pipeline/empty.html", {}, section="pipeline")


def _pipeline_or_404(request: HttpRequest, pipeline_id: int) -> Pipeline:
    try:
        return access_pipeline_by_id(request.user, pipeline_id)
    except (RecordNotFound, NotPermitted):
        raise Http404("no such pipeline") from None


@login_required
@require_GET
def pipeline_board(request: HttpRequest, pipeline_id: int) -> HttpResponse:
    _may_view(request)
    pipeline = _pipeline_or_404(request, pipeline_id)
    filters = parse_board_filters(request.GET)
    context = _context(request, pipeline, filters)
    if is_htmx(request, "board"):
        return render(request, "web/pipeline/_board.html", context)
    context.update(owners=owner_choices(request.user), teams=team_choices(request.user))
    return render_page(request, "web/pipeline/board.html", context, section="pipeline")


@login_required
@require_GET
def stage_cards(request: HttpRequest, pipeline_id: int, stage_id: int) -> HttpResponse:
    """The next cards of one column (htmx "load more"): list items, then another
    "load more" item when cards remain."""
    _may_view(request)
    pipeline = _pipeline_or_404(request, pipeline_id)
    try:
        stage = access_stage_by_id(request.user, stage_id)
    except (RecordNotFound, NotPermitted):
        raise Http404("no such stage") from None
    after = parse_cursor(request.GET.get("after", ""))
    if stage.pipeline_id != pipeline.pk or after is None:
        raise Http404("after: the cursor of the last card shown is required")
    filters = parse_board_filters(request.GET)
    cards, more = more_cards(request.user, stage, filters, after=after)
    left = request.GET.get("left", "")
    can_move = can(request.user, "deal", "update")
    if can_move:
        _with_move_options(cards, list(pipeline.stages.order_by("order")))
    return render(request, "web/pipeline/_cards.html", {
        "pipeline": pipeline, "stage": stage, "cards": cards, "more": more,
        "next_cursor": cursor_of(cards[-1]) if cards else "",
        "left": max(0, int(left) - len(cards)) if left.isdigit() else None,
        "can_move": can_move,
        "filter_query": filters.query(),
    })


def _filters_of_page(request: HttpRequest) -> BoardFilters:
    """The board's filters, read from the address of the page that sent the htmx move."""
    current = request.headers.get("HX-Current-URL", "")
    return parse_board_filters(QueryDict(urlsplit(current).query))


@login_required
@require_POST
def move(request: HttpRequest, deal_id: int) -> HttpResponse:
    """Move a deal to ``stage`` (same pipeline) through ``sales.actions.move_deal``.

    ``version`` guards against moving a deal someone else changed meanwhile. A won or
    lost stage needs a ``reason``: without one the card's form opens, that stage chosen.
    The htmx answer is the refreshed board, with a message when the move was refused."""
    _may_view(request)
    try:
        deal = access_deal_by_id(request.user, deal_id, op="update")
        stage = access_stage_by_id(request.user, int(request.POST.get("stage", "0") or 0))
    except RecordNotFound:
        raise Http404("no such deal or stage") from None
    except (NotPermitted, ValueError):
        raise PermissionDenied from None
    version = request.POST.get("version")
    error, ask = "", None
    try:
        move_deal(
            request.user, deal, stage, reason=request.POST.get("reason", ""),
            expected_version=int(version) if version and version.isdigit() else None,
        )
    except StaleRecord:
        error = _("Someone changed this deal meanwhile; the board shows it as it is now.")
    except InvalidInput as exc:
        if "reason" in exc.errors:
            error = _("A won or lost deal needs a reason: write it in the deal's Move form.")
            ask = (deal.pk, stage.pk)
        else:
            error = _("The deal cannot be moved there.")
    pipeline = deal.pipeline
    if not is_htmx(request):
        return redirect(reverse("web:pipeline", args=[pipeline.pk]))
    context = _context(request, pipeline, _filters_of_page(request), error=error,
                       moved=None if error else deal.pk, ask_reason=ask)
    return render(request, "web/pipeline/_board.html", context)
