"""Playbook pages: the list, the builder (new and edit, with a dry run before saving), a
playbook's page (versions, runs, the customers met, dry run, switch on and off).

Who may do what comes from ``crm.playbooks.access``; the writes from
``crm.playbooks.actions``; views only parse, call and render.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientela.crm import labels
from clientela.crm.accounts.permissions import can, can_see, require
from clientela.crm.engagement.access import visible_campaigns
from clientela.crm.engagement.segments import parse_definition
from clientela.crm.errors import InvalidInput
from clientela.crm.experiments.queries import experiment_of
from clientela.crm.loyalty.access import visible_programmes
from clientela.crm.playbooks import engine, queries
from clientela.crm.playbooks.access import (
    access_playbook_by_id,
    check_playbook_create,
    visible_playbooks,
)
from clientela.crm.playbooks.actions import create_playbook, set_enabled, update_playbook
from clientela.crm.playbooks.costs import playbook_cost
from clientela.crm.playbooks.definition import (
    EVENT_TRIGGERS,
    PRIORITIES,
    SCORE_TRIGGERS,
    SEGMENT_FILTERS,
    parse,
)
from clientela.crm.playbooks.models import Playbook
from clientela.web import playbook_forms
from clientela.web.layout import render_page
from clientela.web.segments import describe as describe_segment

TRIGGERS = {
    "p_alive_below": _("P(alive) fell below a threshold"),
    "tier_changed": _("Value tier changed"),
    "stage_changed": _("Ladder stage changed"),
    "nba_changed": _("Next best action changed"),
    "managed_exit": _("A managed exit was proposed"),
    "first_order": _("First order"),
    "nps_detractor": _("NPS detractor answer"),
    "sla_breach": _("A case breached its SLA"),
    "no_order_days": _("No order for a number of days"),
    "anniversary": _("Anniversary of the first order"),
}
ACTIONS = {
    "task": _("Task for the owner"),
    "case": _("Service case"),
    "campaign": _("Membership of a campaign"),
    "message": _("E-mail or SMS from a campaign's message"),
    "points": _("Loyalty points"),
    "tag": _("Tag"),
    "webhook": _("Outbound webhook (playbook.fired)"),
}
OUTCOMES = {
    "pending": _("Waiting (quiet hours)"),
    "fired": _("Acted on"),
    "held_out": _("Held out (control group)"),
    "capped": _("Skipped (daily cap)"),
}
PRIORITY_LABELS = {"low": _("Low"), "normal": _("Normal"), "high": _("High"), "urgent": _("Urgent")}


def _conditions(conditions: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """(filter name, chosen values) of the conditions in use, as the segment pages show them."""
    parts = describe_segment(parse_definition({k: conditions.get(k) for k in SEGMENT_FILTERS}))
    if conditions.get("owners"):
        parts.append((str(_("Owners")), list(conditions["owners"])))
    if conditions.get("countries"):
        parts.append((str(_("Countries")), list(conditions["countries"])))
    if conditions.get("consent"):
        parts.append((str(_("Marketing consent on")), [conditions["consent"]]))
    return parts


def describe(definition: dict[str, Any]) -> dict[str, Any]:
    """The definition in words, for the list and the playbook's page."""
    trigger = definition["trigger"]
    return {
        "conditions": _conditions(definition.get("conditions", {})),
        "trigger": TRIGGERS.get(trigger["kind"], trigger["kind"]),
        "threshold": trigger.get("threshold"), "days": trigger.get("days"), "to": trigger.get("to", ""),
        "actions": [ACTIONS.get(a["kind"], a["kind"]) for a in definition["actions"]],
        "control_percent": round(float(definition.get("control_share") or 0) * 100, 1),
    }


def _builder(request: HttpRequest, playbook: Playbook | None, values: dict[str, Any], name: str,
             errors: dict[str, str], dry: Any = None, status: int = 200) -> HttpResponse:
    return render_page(request, "web/playbooks/builder.html", {
        "playbook": playbook, "values": values, "name": name, "errors": errors, "dry": dry,
        "score_triggers": [(k, TRIGGERS[k]) for k in SCORE_TRIGGERS],
        "event_triggers": [(k, TRIGGERS[k]) for k in EVENT_TRIGGERS],
        "actions_table": ACTIONS, "priorities": [(p, PRIORITY_LABELS[p]) for p in PRIORITIES],
        "segments_table": labels.SEGMENTS, "stages": labels.STAGES, "nbas": labels.ACTIONS,
        "tiers": labels.VALUE_TIERS if can_see(request.user, "clv") else {},
        "campaigns": visible_campaigns(request.user).order_by("-starts_on", "name")[:200],
        "programmes": visible_programmes(request.user).order_by("name")[:50],
        "show_clv": can_see(request.user, "clv"),
    }, section="playbooks", status=status)


def _save(request: HttpRequest, playbook: Playbook | None) -> HttpResponse:
    params = request.POST
    name = params.get("name", "").strip()[:200]
    raw = playbook_forms.read(params)
    try:
        if "dry_run" in params:
            return _builder(request, playbook, playbook_forms.form_values(params), name, {},
                            dry=engine.dry_run(parse(raw), playbook=playbook))
        if playbook is None:
            playbook = create_playbook(request.user, name=name, definition=raw)
        else:
            playbook = update_playbook(request.user, playbook, name=name, definition=raw)
    except InvalidInput as exc:
        return _builder(request, playbook, playbook_forms.form_values(params), name, exc.errors, status=422)
    return redirect("web:playbook", playbook_id=playbook.pk)


@login_required
@require_GET
def playbook_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "playbook")
    rows = [(p, describe(p.definition)) for p in queries.with_counts(visible_playbooks(request.user))[:200]]
    return render_page(request, "web/playbooks/list.html", {
        "rows": rows, "can_create": can(request.user, "playbook", "create"),
    }, section="playbooks")


@login_required
@require_http_methods(["GET", "POST"])
def playbook_new(request: HttpRequest) -> HttpResponse:
    check_playbook_create(request.user)
    if request.method == "POST":
        return _save(request, None)
    return _builder(request, None, playbook_forms.values(None), "", {})


@login_required
@require_http_methods(["GET", "POST"])
def playbook_edit(request: HttpRequest, playbook_id: int) -> HttpResponse:
    playbook = access_playbook_by_id(request.user, playbook_id, op="update")
    if request.method == "POST":
        return _save(request, playbook)
    return _builder(request, playbook, playbook_forms.values(playbook.definition), playbook.name, {})


def with_labels(firings: list[Any]) -> list[Any]:
    """The firings, each with its outcome's words (``outcome_label``)."""
    for firing in firings:
        firing.outcome_label = OUTCOMES.get(firing.outcome, firing.outcome)
    return firings


def _detail(request: HttpRequest, playbook: Playbook, dry: Any = None) -> HttpResponse:
    return render_page(request, "web/playbooks/detail.html", {
        "playbook": playbook, "summary": describe(playbook.definition), "dry": dry,
        "definition": playbook.definition,
        "runs": queries.recent_runs(playbook), "firings": with_labels(queries.recent_firings(playbook)),
        "versions": queries.versions(playbook),
        "can_update": can(request.user, "playbook", "update"), "show_clv": can_see(request.user, "clv"),
        # Its control-group experiment (the outcome report) and what its actions have cost.
        "experiment": experiment_of("playbook", playbook.pk),
        "spent": playbook_cost(playbook.pk) if can_see(request.user, "cost") else None,
        "base_currency": settings.BASE_CURRENCY,
    }, section="playbooks")


@login_required
@require_GET
def playbook_detail(request: HttpRequest, playbook_id: int) -> HttpResponse:
    return _detail(request, access_playbook_by_id(request.user, playbook_id))


@login_required
@require_GET
def playbook_dry_run(request: HttpRequest, playbook_id: int) -> HttpResponse:
    """Who the playbook would act on now and what they are worth; writes nothing."""
    playbook = access_playbook_by_id(request.user, playbook_id)
    return _detail(request, playbook, dry=engine.dry_run(playbook.definition, playbook=playbook))


@login_required
@require_POST
def playbook_switch(request: HttpRequest, playbook_id: int) -> HttpResponse:
    playbook = access_playbook_by_id(request.user, playbook_id, op="update")
    set_enabled(request.user, playbook, request.POST.get("enabled") == "1")
    return redirect("web:playbook", playbook_id=playbook.pk)
