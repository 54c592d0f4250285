"""The pipeline board: deals by stage, moved by drag and drop or the card's form."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clientela.crm.accounts.permissions import can
from clientela.crm.errors import InvalidInput, NotPermitted, RecordNotFound, StaleRecord
from clientela.crm.sales.access import access_deal_by_id, access_pipeline_by_id, access_stage_by_id
from clientela.crm.sales.actions import move_deal
from clientela.crm.sales.models import Pipeline
from clientela.crm.sales.queries import funnel
from clientela.web.board import board, pipelines_for
from clientela.web.layout import render_page


def _may_view(request: HttpRequest) -> None:
    if not (can(request.user, "pipeline", "view") and can(request.user, "deal", "view")):
        raise PermissionDenied


def _context(
    request: HttpRequest, pipeline: Pipeline, *, error: str = "", moved: int | None = None
) -> dict[str, Any]:
    return {
        "pipeline": pipeline,
        "pipelines": pipelines_for(request.user),
        "columns": board(request.user, pipeline),
        "funnel": funnel(pipeline),
        "can_move": can(request.user, "deal", "update"),
        "error": error,
        "moved": moved,
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


@login_required
@require_GET
def pipeline_board(request: HttpRequest, pipeline_id: int) -> HttpResponse:
    _may_view(request)
    try:
        pipeline = access_pipeline_by_id(request.user, pipeline_id)
    except (RecordNotFound, NotPermitted):
        raise Http404("no such pipeline") from None
    return render_page(request, "web/pipeline/board.html", _context(request, pipeline), section="pipeline")


@login_required
@require_POST
def move(request: HttpRequest, deal_id: int) -> HttpResponse:
    """Move a deal to ``stage`` (same pipeline) through ``sales.actions.move_deal``.

    ``version`` guards against moving a deal someone else changed meanwhile. The htmx
    answer is the refreshed board, with a message when the move was refused."""
    _may_view(request)
    try:
        deal = access_deal_by_id(request.user, deal_id, op="update")
        stage = access_stage_by_id(request.user, int(request.POST.get("stage", "0") or 0))
    except RecordNotFound:
        raise Http404("no such deal or stage") from None
    except (NotPermitted, ValueError):
        raise PermissionDenied from None
    version = request.POST.get("version")
    error = ""
    try:
        move_deal(
            deal, stage, actor=request.user, reason=request.POST.get("reason", ""),
            expected_version=int(version) if version and version.isdigit() else None,
        )
    except StaleRecord:
        error = _("Someone changed this deal meanwhile; the board shows it as it is now.")
    except InvalidInput as exc:
        if "reason" in exc.errors:
            error = _("A lost deal needs a reason: use the deal's move form and write one.")
        else:
            error = _("The deal cannot be moved there.")
    pipeline = deal.pipeline
    if request.headers.get("HX-Request") != "true":
        return redirect(reverse("web:pipeline", args=[pipeline.pk]))
    return render(request, "web/pipeline/_board.html", _context(request, pipeline, error=error, moved=None if error else deal.pk))
