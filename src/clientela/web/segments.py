"""Segment pages: the list, the builder with its live size, a segment's members, and
making a campaign from a segment.

Permissions come from ``engagement.access`` (segments, campaigns) and the members from
``engagement.segments.segment_scores`` (the user's party scope); views only parse,
call and render.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientela.crm import labels
from clientela.crm.accounts.permissions import can, can_see, has_capability, require
from clientela.crm.engagement.access import (
    access_segment_by_id,
    check_campaign_from_segment,
    check_segment_create,
    visible_campaigns,
    visible_segments,
)
from clientela.crm.engagement.actions import (
    create_campaign_from_segment,
    create_segment,
    delete_segment,
    update_segment,
)
from clientela.crm.engagement.models import Segment
from clientela.crm.engagement.segments import (
    SegmentDefinition,
    parse_definition,
    segment_scores,
    segment_size,
    tier_cutoffs,
    tier_of,
)
from clientela.crm.errors import InvalidInput
from clientela.crm.scoring.models import CustomerScore, ModelRun
from clientela.crm.scoring.queries import current_run
from clientela.web.campaign_forms import CampaignForm, builder_data, builder_params, read_definition
from clientela.web.layout import render_page
from clientela.web.paging import is_htmx, one_page, page_number
from clientela.web.templatetags.web_format import num


def _may_view(request: HttpRequest) -> None:
    require(request.user, "segment")


def _segment_or_404(request: HttpRequest, segment_id: int, op: str = "view") -> Segment:
    return access_segment_by_id(request.user, segment_id, op=op)  # type: ignore[arg-type]


def describe(definition: SegmentDefinition) -> list[tuple[str, list[str]]]:
    """(filter name, chosen values) of the filters in use, translated, for display."""
    parts: list[tuple[str, list[str]]] = []
    for name, table, codes in (
        (_("RFM segment"), labels.SEGMENTS, definition.rfm_segments),
        (_("Ladder stage"), labels.STAGES, definition.ladder_stages),
        (_("Next best action"), labels.ACTIONS, definition.actions),
        (_("Value tier"), labels.VALUE_TIERS, definition.value_tiers),
    ):
        if codes:
            parts.append((name, [labels.label(table, c) for c in codes]))
    low, high = definition.p_alive_min, definition.p_alive_max
    if low is not None or high is not None:
        parts.append((_("P(alive)"), [f"{num(low or 0, 2)} – {num(1 if high is None else high, 2)}"]))
    return parts


def _builder_context(request: HttpRequest, params: QueryDict | dict[str, Any], run: ModelRun | None,
                     definition: SegmentDefinition, errors: dict[str, str]) -> dict[str, Any]:
    values = params if isinstance(params, dict) else {
        "rfm": params.getlist("rfm"), "stage": params.getlist("stage"), "action": params.getlist("action"),
        "tier": params.getlist("tier"), "p_alive_min": params.get("p_alive_min", ""),
        "p_alive_max": params.get("p_alive_max", ""),
    }
    return {
        "values": values,
        "errors": errors,
        "run": run,
        "size": segment_size(request.user, definition, run) if not errors else None,
        "segments_table": labels.SEGMENTS, "stages": labels.STAGES, "actions": labels.ACTIONS,
        "tiers": labels.VALUE_TIERS if can_see(request.user, "clv") else {},
    }


# --- list --------------------------------------------------------------------------------


@login_required
@require_GET
def segment_list(request: HttpRequest) -> HttpResponse:
    _may_view(request)
    page = page_number(request.GET)
    rows, has_next = one_page(visible_segments(request.user).select_related("owner").order_by("name", "id"), page)
    items = []
    for segment in rows:
        try:
            summary = describe(parse_definition(segment.definition))
        except InvalidInput:
            summary = []
        items.append((segment, summary))
    return render_page(request, "web/segments/list.html", {
        "rows": items, "page": page, "has_next": has_next,
        "can_create": can(request.user, "segment", "create"),
    }, section="segments")


# --- builder -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def segment_new(request: HttpRequest) -> HttpResponse:
    """The builder: filters in the query string (GET, bookmarkable) or the form (POST saves).

    *Count* (the no-JavaScript way to see the size) posts the form with ``preview``: the
    builder comes back with the size and nothing is saved."""
    _may_view(request)
    check_segment_create(request.user)
    run = current_run()
    params = request.POST if request.method == "POST" else request.GET
    definition, errors = read_definition(params)
    name = params.get("name", "").strip()[:200]
    if request.method == "POST" and not errors and "preview" not in request.POST:
        try:
            segment = create_segment(request.user, {"name": name, "definition": builder_data(params)})
        except InvalidInput as exc:
            errors = exc.errors
        else:
            return redirect("web:segment", segment_id=segment.pk)
    context = _builder_context(request, params, run, definition, errors) | {"name": name, "segment": None}
    return render_page(request, "web/segments/builder.html", context, section="segments",
                       status=422 if errors and request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def segment_edit(request: HttpRequest, segment_id: int) -> HttpResponse:
    _may_view(request)
    segment = _segment_or_404(request, segment_id, "update")
    run = current_run()
    if request.method == "POST":
        definition, errors = read_definition(request.POST)
        name = request.POST.get("name", "").strip()[:200]
        if not errors and "preview" not in request.POST:
            try:
                update_segment(request.user, segment, {"name": name, "definition": builder_data(request.POST)})
            except InvalidInput as exc:
                errors = exc.errors
            else:
                return redirect("web:segment", segment_id=segment.pk)
        context = _builder_context(request, request.POST, run, definition, errors)
        return render_page(request, "web/segments/builder.html", context | {"name": name, "segment": segment},
                           section="segments", status=422 if errors else 200)
    definition = parse_definition(segment.definition)
    context = _builder_context(request, builder_params(definition), run, definition, {})
    return render_page(request, "web/segments/builder.html", context | {"name": segment.name, "segment": segment},
                       section="segments")


@login_required
@require_GET
def segment_size_fragment(request: HttpRequest) -> HttpResponse:
    """The live size of the builder's filters (htmx): one COUNT in the user's scope."""
    _may_view(request)
    definition, errors = read_definition(request.GET)
    run = current_run()
    return render(request, "web/segments/_size.html", {
        "size": segment_size(request.user, definition, run) if not errors else None,
        "errors": errors, "run": run,
    })


@login_required
@require_POST
def segment_delete(request: HttpRequest, segment_id: int) -> HttpResponse:
    segment = _segment_or_404(request, segment_id, "delete")
    delete_segment(request.user, segment)
    return redirect("web:segments")


# --- a segment and its members -------------------------------------------------------------


@dataclass(frozen=True)
class MemberRow:
    score: CustomerScore
    tier: str


def _members(request: HttpRequest, definition: SegmentDefinition, run: ModelRun | None, page: int) -> tuple[list[MemberRow], bool]:
    """One page of the segment's members (score with party; one query, plus the run's
    tier cut-offs once per run)."""
    if run is None:
        return [], False
    show_clv = can_see(request.user, "clv")
    order = ("-clv", "party_id") if show_clv else ("party_id",)  # ranking by CLV would reveal it
    scores, has_next = one_page(
        segment_scores(request.user, definition, run).select_related("party").order_by(*order), page
    )
    cutoffs = tier_cutoffs(run) if show_clv and scores else None
    return [MemberRow(s, tier_of(s.clv, cutoffs) if show_clv else "") for s in scores], has_next


@login_required
@require_GET
def segment_detail(request: HttpRequest, segment_id: int) -> HttpResponse:
    _may_view(request)
    segment = _segment_or_404(request, segment_id)
    definition = parse_definition(segment.definition)
    run = current_run()
    page = page_number(request.GET)
    hidden = definition.uses_value and not can_see(request.user, "clv")
    rows, has_next = _members(request, definition, run, page)
    context = {
        "segment": segment,
        "summary": describe(definition),
        "run": run,
        "hidden": hidden,
        "size": None if hidden else segment_size(request.user, definition, run),
        "rows": rows, "page": page, "has_next": has_next,
        "show_clv": can_see(request.user, "clv"),
        "campaigns": list(visible_campaigns(request.user).filter(segment=segment).order_by("-starts_on", "-id")[:20]),
        "can_edit": can(request.user, "segment", "update"),
        "can_delete": can(request.user, "segment", "delete"),
        "can_export": has_capability(request.user, "export"),
        "can_campaign": can(request.user, "campaign", "create") and can(request.user, "campaign_member", "create"),
        "tier_labels": labels.VALUE_TIERS,
    }
    if is_htmx(request, "members"):
        return render(request, "web/segments/_members.html", context)
    return render_page(request, "web/segments/detail.html", context, section="segments")


@login_required
@require_http_methods(["GET", "POST"])
def segment_campaign(request: HttpRequest, segment_id: int) -> HttpResponse:
    """Create a campaign whose members are the segment's customers now."""
    _may_view(request)
    segment = _segment_or_404(request, segment_id)
    check_campaign_from_segment(request.user)
    definition = parse_definition(segment.definition)
    run = current_run()
    form = CampaignForm(request.POST or None, initial={"name": segment.name})
    if request.method == "POST" and form.is_valid():
        try:
            campaign = create_campaign_from_segment(request.user, segment, form.cleaned_data, run=run)
        except InvalidInput as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            return redirect(reverse("web:campaign", args=[campaign.pk]))
    return render_page(request, "web/segments/campaign_form.html", {
        "segment": segment, "form": form, "size": segment_size(request.user, definition, run), "run": run,
    }, section="segments", status=422 if request.method == "POST" else 200)
