"""The loyalty page: each programme with its earn rule, validity, referral reward and
tiers, its members and the points they hold, and members against non-members among the
scored customers (``loyalty.comparison``; CLV only for roles that see it)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientela.crm.accounts.permissions import can, can_see, has_capability
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
from clientela.web.report_tables import Table
from clientela.web.templatetags.web_format import money, num, pct


def _tiers_table(p: Any) -> Table:
    basis = _("From lifetime spend") if p.tier_basis == "spend" else _("From lifetime points")
    return Table(f"tiers-{p.pk}", (_("Tier"), basis), [(t.name, num(t.threshold)) for t in p.tier_list])


def _comparison_table(p: Any, *, show_clv: bool) -> Table:
    members, others = p.groups
    rows: list[tuple[str, ...]] = [
        (_("Customers"), num(members.customers), num(others.customers)),
        (_("Bought more than once"), pct(members.repeat_share), pct(others.repeat_share)),
        (_("Mean P(alive)"), pct(members.p_alive), pct(others.p_alive)),
        (_("Expected purchases, next 365 days"), num(members.expected_purchases_365, 2),
         num(others.expected_purchases_365, 2)),
    ]
    if show_clv:
        rows.append((_("Mean CLV"), money(members.clv, p.currency), money(others.clv, p.currency)))
    return Table(f"comparison-{p.pk}", ("", _("Members"), _("Other customers")), rows)


def _programmes(user: Any) -> tuple[list[Any], Any]:
    """The programmes ``user`` may see, each with its members, tiers and comparison
    tables (CLV only for a user who may see it), and the current run."""
    if not can(user, "loyalty_account", "view"):
        raise NotPermitted("you may not see loyalty accounts")
    programmes = list(visible_programmes(user).order_by("-is_active", "name"))
    members = dict((r["programme_id"], r) for r in visible_accounts(user)
                   .values("programme_id").annotate(n=Count("id"), points=Sum("balance")))
    tiers = list(Tier.objects.filter(programme__in=programmes).order_by("threshold"))
    run = current_run()
    scored = visible_scores_in_run(user, run) if run is not None else None
    for p in programmes:
        p.members = members.get(p.pk, {}).get("n", 0)
        p.points_held = members.get(p.pk, {}).get("points") or 0
        p.tier_list = [t for t in tiers if t.programme_id == p.pk]
        p.groups = compare(p, run, scored) if run is not None and p.is_active else None
        p.tiers_table = _tiers_table(p)
        p.comparison_table = _comparison_table(p, show_clv=can_see(user, "clv")) if p.groups else None
    return programmes, run


def loyalty_tables(user: Any, params: QueryDict) -> list[Table]:
    """Every programme's tiers and comparison tables for ``user`` (``report_tables``)."""
    programmes, _run = _programmes(user)
    return [t for p in programmes for t in (p.tiers_table, p.comparison_table) if t is not None and t.rows]


@login_required
@require_GET
def loyalty_page(request: HttpRequest) -> HttpResponse:
    try:
        programmes, run = _programmes(request.user)
    except NotPermitted:
        raise PermissionDenied from None
    return render_page(request, "web/loyalty/page.html", {
        "programmes": programmes, "run": run,
        "can_create": can(request.user, "loyalty_programme", "create"),
        "can_configure": can(request.user, "loyalty_programme", "update"),
        "can_export": has_capability(request.user, "export"), "table_page": "loyalty",
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


class ProgrammeForm(forms.Form):
    name = forms.CharField(label=_lazy("Name"), max_length=120,
                           error_messages={"required": _lazy("Give the programme a name.")})
    points_per_unit = forms.DecimalField(label=_lazy("Points per unit of currency spent"), min_value=0,
                                         max_digits=8, decimal_places=4, initial=1,
                                         error_messages={"required": _lazy("Give the earn rule as a number."),
                                                         "invalid": _lazy("Give the earn rule as a number."),
                                                         "min_value": _lazy("The earn rule cannot be negative.")})
    points_valid_days = forms.IntegerField(label=_lazy("Points expire after (days; 0: never)"), min_value=0,
                                           max_value=36500, initial=0)
    referral_points = forms.IntegerField(label=_lazy("Points for referring a new customer"), min_value=0,
                                         max_value=1_000_000, initial=0)
    currency = forms.CharField(label=_lazy("Currency"), max_length=3, min_length=3, initial="PLN")
    is_active = forms.BooleanField(label=_lazy("Active (members earn points)"), required=False, initial=True)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["currency"]  # balances were counted in it
        else:
            del self.fields["is_active"]
        for name, f in self.fields.items():
            f.widget.attrs.setdefault("id", f"programme-{name}")


class TierForm(forms.Form):
    name = forms.CharField(label=_lazy("Tier"), max_length=60,
                           error_messages={"required": _lazy("Give the tier a name.")})
    threshold = forms.DecimalField(label=_lazy("From (lifetime points or spend)"), min_value=0,
                                   max_digits=14, decimal_places=2,
                                   error_messages={"required": _lazy("Give the tier's threshold."),
                                                   "min_value": _lazy("The threshold cannot be negative.")})


# The actions' refusals, said in the user's language.
REFUSALS = {
    "name": _lazy("A programme or tier with this name exists."),
    "threshold": _lazy("The programme has a tier at this threshold."),
}


def _programme_or_404(request: HttpRequest, programme_id: int) -> Any:
    if not can(request.user, "loyalty_programme", "update"):
        raise PermissionDenied
    programme = visible_programmes(request.user).filter(pk=programme_id).first()
    if programme is None:
        raise Http404("no such programme")
    return programme


@login_required
@require_http_methods(["GET", "POST"])
def programme_new(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "loyalty_programme", "create"):
        raise PermissionDenied
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            loyalty.create_programme(request.user, **form.cleaned_data)
        except loyalty.LoyaltyError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, REFUSALS.get(exc.field, str(exc)))
        else:
            return redirect("web:loyalty")
    return render_page(request, "web/loyalty/form.html", {"form": form, "programme": None}, section="loyalty",
                       status=422 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def programme_edit(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = _programme_or_404(request, programme_id)
    fields = ("name", "points_per_unit", "points_valid_days", "referral_points", "is_active")
    form = ProgrammeForm(request.POST or None, editing=True,
                         initial={f: getattr(programme, f) for f in fields})
    if request.method == "POST" and form.is_valid():
        try:
            loyalty.update_programme(request.user, programme, **form.cleaned_data)
        except loyalty.LoyaltyError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, REFUSALS.get(exc.field, str(exc)))
        else:
            return redirect("web:loyalty")
    return render_page(request, "web/loyalty/form.html", {"form": form, "programme": programme},
                       section="loyalty", status=422 if request.method == "POST" else 200)


@login_required
@require_POST
def tier_add(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = _programme_or_404(request, programme_id)
    form = TierForm(request.POST)
    if form.is_valid():
        try:
            loyalty.add_tier(request.user, programme, **form.cleaned_data)
        except loyalty.LoyaltyError as exc:
            messages.error(request, str(REFUSALS.get(exc.field, str(exc))))
        else:
            messages.success(request, _("Tier %(name)s added.") % {"name": form.cleaned_data["name"]})
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(f"{reverse('web:loyalty')}#programme-{programme.pk}")
