"""Customer pages: the searchable list and the customer 360 with its timeline."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET, require_POST

from clientela.crm import input_bounds, labels
from clientela.crm.accounts.permissions import can, can_see, has_capability, require
from clientela.crm.engagement.actions import create_interaction
from clientela.crm.engagement.segments import segments_including
from clientela.crm.errors import InvalidInput, NotPermitted, RecordNotFound
from clientela.crm.parties.access import (
    access_party_by_id,
    access_party_for_child,
    may_see_archived,
)
from clientela.crm.parties.models import Party
from clientela.crm.parties.queries import list_consents
from clientela.crm.scoring.queries import current_run
from clientela.crm.scoring.reasons import product_names, reason_for, run_currency
from clientela.web import queries
from clientela.web.forms import InteractionForm, parse_filters
from clientela.web.layout import render_page
from clientela.web.paging import is_htmx
from clientela.web.parties import undo_offer
from clientela.web.party_360 import party_context
from clientela.web.party_loyalty import loyalty_context


@login_required
@require_GET
def customer_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "party")
    filters = parse_filters(request.GET)
    run = current_run()
    page = queries.customer_page(request.user, filters, run=run)
    context = {
        "filters": filters,
        "page": page,
        "can_create": can(request.user, "party", "create"),
        "can_export": has_capability(request.user, "export"),
        "may_see_archived": may_see_archived(request.user),
        "undo": undo_offer(request),
        "show_clv": can_see(request.user, "clv"),
        "show_margin": can_see(request.user, "margin"),
        "query": request.GET.copy(),
    }
    if is_htmx(request, "results"):
        return render(request, "web/customers/_results.html", context)
    context.update(
        sorts=[(s, queries.SORTS[s]) for s in queries.allowed_sorts(request.user)],
        segments=labels.SEGMENTS, stages=labels.STAGES, actions=labels.ACTIONS,
        owners=queries.owner_choices(request.user), countries=queries.country_choices(request.user),
    )
    return render_page(request, "web/customers/list.html", context, section="customers")


def _party_or_404(request: HttpRequest, party_id: int, *, archived: bool = False) -> Party:
    try:
        return access_party_by_id(request.user, party_id, archived=archived)
    except (RecordNotFound, NotPermitted):
        raise Http404("no such customer") from None


@login_required
@require_GET
def customer_detail(request: HttpRequest, party_id: int) -> HttpResponse:
    party = _party_or_404(request, party_id, archived=True)
    run = current_run()
    score = queries.score_for(party, run)
    if score is not None:
        score.party = party
    context = {
        **party_context(request.user, party),
        "party": party,
        "run": run,
        "score": score,
        "nba_reason": reason_for(request.user, score, currency=run_currency(run), names=product_names([score]))
        if score is not None else "",
        "segments": segments_including(request.user, party, score, run),
        "ladder_history": queries.ladder_history(party),
        "consents": list(list_consents(request.user, party_id=party.pk)),
        "deals": queries.deals_of(request.user, party),
        "cases": queries.cases_of(request.user, party),
        "timeline": queries.timeline(request.user, party),
        "show_clv": can_see(request.user, "clv"),
        "show_margin": can_see(request.user, "margin"),
        "can_log": can(request.user, "interaction", "create"),
        "can_create_deal": can(request.user, "deal", "create") and can(request.user, "pipeline", "view"),
        "can_open_case": can(request.user, "case", "create"),
        "form": InteractionForm(),
        "erasure_job": request.GET.get("erasure", "") if request.GET.get("erasure", "").isdigit() else "",
    }
    context.update(loyalty_context(request.user, party, run, show_clv=context["show_clv"]))
    return render_page(request, "web/customers/detail.html", context, section="customers")


@login_required
@require_GET
def customer_timeline(request: HttpRequest, party_id: int) -> HttpResponse:
    """Older timeline events (``?before=<ISO time>``), as list items for htmx."""
    party = _party_or_404(request, party_id)
    try:
        before = parse_datetime(request.GET.get("before", "")[:40])
        if before is None:
            raise ValueError("missing")
        before = input_bounds.check_time(before)
    except ValueError:  # none, not a date-time, a day that does not exist, out of bounds
        raise Http404("before: an ISO date-time is required") from None
    return render(
        request, "web/customers/_timeline_items.html",
        {"party": party, "timeline": queries.timeline(request.user, party, before=before)},
    )


@login_required
@require_POST
def log_interaction(request: HttpRequest, party_id: int) -> HttpResponse:
    """Log an interaction through ``engagement.actions.create_interaction``. With htmx the
    answer is a fresh form plus the timeline swapped out of band; without, a redirect."""
    party = access_party_for_child(request.user, party_id, entity="interaction", op="create")
    form = InteractionForm(request.POST)
    if form.is_valid():
        try:
            create_interaction(request.user, party, form.cleaned_data)
        except InvalidInput as exc:
            for name, message in exc.errors.items():
                form.add_error(name if name in form.fields else None, message)
    if form.is_valid():
        if not is_htmx(request):
            return redirect(reverse("web:customer", args=[party.pk]) + "#timeline")
        return render(request, "web/customers/_log_done.html", {
            "party": party, "form": InteractionForm(), "timeline": queries.timeline(request.user, party),
            "logged": True,
        })
    if is_htmx(request):
        return render(request, "web/customers/_log_form.html", {"party": party, "form": form})
    return render_page(
        request, "web/customers/log_error.html", {"party": party, "form": form},
        section="customers", status=422,
    )
