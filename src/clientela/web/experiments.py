"""Experiment pages: the list of campaigns' and playbooks' control-group experiments with
the global holdout's settings, and one experiment's outcome report."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clientela.crm.accounts.permissions import can, require
from clientela.crm.errors import InvalidInput
from clientela.crm.experiments.access import (
    access_experiment_by_id,
    hidden_figures,
    visible_experiments,
)
from clientela.crm.experiments.actions import configure_holdout
from clientela.crm.experiments.outcomes import outcome, repurchase_lift, summary
from clientela.crm.experiments.queries import holdout_state, list_experiments
from clientela.web.layout import render_page
from clientela.web.paging import one_page, page_number


def _labels() -> dict[str, str]:
    # Translated when the page is drawn (the language is the request's).
    return {
        "repurchase": _("Repurchase rate"),
        "revenue": _("Revenue per customer"),
        "margin": _("Margin per customer"),
        "retention": _("Retention (P(alive) at the window's end)"),
        "clv": _("CLV per customer"),
        "equity": _("Value created per customer (margin + CLV)"),
        "incremental_equity": _("Incremental customer equity"),
    }


@login_required
@require_GET
def experiment_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "campaign")
    page = page_number(request.GET)
    ids = visible_experiments(request.user).values("id")
    rows, has_next = one_page(list_experiments().filter(id__in=ids), page)
    for row in rows:  # the headline result of each, cached per experiment and day
        row.lift = repurchase_lift(row, at=None)
    holdout, held = holdout_state()
    return render_page(request, "web/experiments/list.html", {
        "rows": rows, "page": page, "has_next": has_next, "holdout": holdout, "held": held,
        "can_configure": can(request.user, "campaign", "update"),
    }, section="campaigns")


@login_required
@require_POST
def holdout_settings(request: HttpRequest) -> HttpResponse:
    """Turn the global holdout on or off with its share (in per cent)."""
    raw = request.POST.get("share_percent", "").strip().replace(",", ".")
    try:
        share = float(raw) / 100 if raw else 0.05
        configure_holdout(request.user, enabled=request.POST.get("enabled") == "on", share=share)
    except (ValueError, InvalidInput):
        holdout, held = holdout_state()
        return render_page(request, "web/experiments/list.html", {
            "rows": [], "page": 1, "has_next": False, "holdout": holdout, "held": held, "can_configure": True,
            "holdout_error": _("The holdout's share must be a number from 0 to 50 per cent."),
        }, section="campaigns", status=422)
    return redirect(reverse("web:experiments"))


@login_required
@require_GET
def experiment_detail(request: HttpRequest, experiment_id: int) -> HttpResponse:
    experiment = access_experiment_by_id(request.user, experiment_id)
    data = summary(outcome(experiment), hidden=hidden_figures(request.user))
    labels = _labels()
    for row in data["metrics"]:
        row["label"] = labels.get(row["metric"], row["metric"])
        row["is_rate"] = row["metric"] in ("repurchase", "retention")
    context: dict[str, Any] = {
        "experiment": experiment, "report": data,
        "subject_url": reverse("web:campaign", args=[experiment.subject_id])
        if experiment.subject_kind == "campaign" else "",
        "mde_pp": None if data["repurchase_mde"] is None else data["repurchase_mde"] * 100,
    }
    return render_page(request, "web/experiments/detail.html", context, section="campaigns")
