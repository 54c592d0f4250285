"""The loyalty page: each programme with its earn rule, validity, referral reward and
tiers, its members and the points they hold, and members against non-members among the
scored customers (``loyalty.comparison``; CLV only for roles that see it)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from clientela.crm.accounts.permissions import can, can_see
from clientela.crm.errors import NotPermitted, RecordNotFound
from clientela.crm.loyalty import actions as loyalty
from clientela.crm.loyalty.access import (
    access_account_for_entry,
    visible_accounts,
    visible_programmes,
)
from clientela.crm.loyalty.comparison import compare
from clientela.crm.loyalty.models import Tier
from clientela.crm.scoring.access import visible_scores_in_run
from clientela.crm.scoring.queries import current_run
from clientela.web.layout import render_page


@login_required
@require_GET
def loyalty_page(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "loyalty_account", "view"):
        raise PermissionDenied
    programmes = list(visible_programmes(request.user).order_by("-is_active", "name"))
    members = dict((r["programme_id"], r) for r in visible_accounts(request.user)
                   .values("programme_id").annotate(n=Count("id"), points=Sum("balance")))
    tiers = list(Tier.objects.filter(programme__in=programmes).order_by("threshold"))
    run = current_run()
    scored = visible_scores_in_run(request.user, run) if run is not None else None
    for p in programmes:
        p.members = members.get(p.pk, {}).get("n", 0)
        p.points_held = members.get(p.pk, {}).get("points") or 0
        p.tier_list = [t for t in tiers if t.programme_id == p.pk]
        p.groups = compare(p, run, scored) if run is not None and p.is_active else None
    return render_page(request, "web/loyalty/page.html", {
        "programmes": programmes, "run": run, "show_clv": can_see(request.user, "clv"),
    }, section="loyalty")


class RedeemForm(forms.Form):
    reward = forms.CharField(label=_lazy("Reward"), max_length=200,
                             error_messages={"required": _lazy("Name the reward the points buy.")})
    points = forms.IntegerField(label=_lazy("Points"), min_value=1, max_value=10_000_000,
                                error_messages={"required": _lazy("Give the points to redeem."),
                                                "min_value": _lazy("Give the points to redeem."),
                                                "invalid": _lazy("Give the points as a whole number.")})


@login_required
@require_POST
def redeem_points(request: HttpRequest, account_id: int) -> HttpResponse:
    """Redeem points of a member's account for a reward (``loyalty.actions.redeem``), from
    the 360's loyalty card; back to the 360 with what happened."""
    try:
        account = access_account_for_entry(request.user, account_id)
    except RecordNotFound:
        raise Http404("no such account") from None
    except NotPermitted:
        raise PermissionDenied from None
    form = RedeemForm(request.POST)
    if form.is_valid():
        try:
            loyalty.redeem(request.user, account, form.cleaned_data["points"], reward=form.cleaned_data["reward"])
        except loyalty.LoyaltyError as exc:
            if exc.field == "points":
                message = _("The account holds %(n)s points; that is not enough.") % {"n": account.balance}
            else:
                message = _("Name the reward the points buy.")
            messages.error(request, message)
        else:
            messages.success(request, _("%(n)s points redeemed for %(reward)s.") % {
                "n": form.cleaned_data["points"], "reward": form.cleaned_data["reward"]})
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(f"{reverse('web:customer', args=[account.party_id])}#loyalty-h")
