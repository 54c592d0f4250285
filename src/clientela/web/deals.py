"""Deal pages: a new deal (from the board or a customer's 360), the deal page with its
products, notes, tasks and stage history, the edit form, stage moves (won and lost with
their reason) and reopening. Every write goes through ``crm.sales.actions`` with the
acting user; every record is fetched through ``crm.sales.access``."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientela.crm.accounts.models import User
from clientela.crm.accounts.permissions import can, require
from clientela.crm.commerce.models import Product
from clientela.crm.errors import InvalidInput, NotPermitted, RecordNotFound, StaleRecord
from clientela.crm.parties.access import access_party_for_child
from clientela.crm.parties.models import Party
from clientela.crm.parties.queries import list_parties
from clientela.crm.sales import actions
from clientela.crm.sales.access import (
    access_deal_by_id,
    access_deal_line_by_id,
    check_deal_assignment,
)
from clientela.crm.sales.models import Deal, Pipeline, Stage
from clientela.crm.sales.queries import deal_history, deal_lines, deal_notes
from clientela.crm.tasks.access import visible_tasks
from clientela.web.board import pipelines_for
from clientela.web.deal_forms import (
    DealFields,
    LineForm,
    NewDealForm,
    NoteForm,
    StageForm,
    action_errors,
)
from clientela.web.layout import render_page
from clientela.web.queries import owner_choices

STALE = "stale"
CENT = Decimal("0.01")


def _deal_or_404(request: HttpRequest, deal_id: int, op: str = "view") -> Deal:
    """The deal for ``op``: 404 outside the user's scope, 403 when the role may not."""
    return access_deal_by_id(request.user, deal_id, op=op)  # type: ignore[arg-type]


def _owner(request: HttpRequest, owner_id: int | None) -> tuple[User | None, Any]:
    """The chosen owner and their team, inside the user's scope (else ``InvalidInput``)."""
    owner = User.objects.filter(pk=owner_id, is_active=True).select_related("team").first() if owner_id else None
    team = owner.team if owner is not None else None
    try:
        check_deal_assignment(request.user, owner_id=owner.pk if owner else None, team_id=team.pk if team else None)
    except NotPermitted:
        raise InvalidInput({"owner": "outside your record scope"}) from None
    return owner, team


# -- new deal ---------------------------------------------------------------------------


def _find_party(user: Any, value: str) -> Party | None:
    """The visible party named by a reference, or by an id (the 360's hidden field)."""
    value = value.replace("\x00", "").strip()
    parties = list_parties(user)
    party = parties.filter(ref=value).first()
    if party is None and value.isdigit() and len(value) < 10:
        party = parties.filter(pk=int(value)).first()
    return party


def _open_stages(pipeline: Pipeline) -> list[Stage]:
    return list(pipeline.stages.filter(is_won=False, is_lost=False).order_by("order"))


@login_required
@require_http_methods(["GET", "POST"])
def deal_new(request: HttpRequest) -> HttpResponse:
    """``/deals/new/?party=<id>`` (from a 360) or ``?pipeline=<id>`` (from the board)."""
    user = request.user
    if not (can(user, "deal", "create") and can(user, "pipeline", "view")):
        raise PermissionDenied
    params = request.POST if request.method == "POST" else request.GET
    pipelines = pipelines_for(user)
    if not pipelines:
        return render_page(request, "web/pipeline/empty.html", {}, section="pipeline")
    chosen = params.get("pipeline", "")
    pipeline = next((p for p in pipelines if str(p.pk) == chosen), pipelines[0])
    party = None
    if params.get("party", "").isdigit() and len(params["party"]) < 10 and request.method == "GET":
        try:
            party = access_party_for_child(user, int(params["party"]), entity="deal", op="create")
        except (RecordNotFound, NotPermitted):
            raise Http404("no such customer") from None
    owners = owner_choices(user)
    form = NewDealForm(request.POST if request.method == "POST" else None, owners=owners,
                       pipelines=pipelines, stages=_open_stages(pipeline),
                       initial={"party": party.pk if party else "", "pipeline": pipeline.pk, "owner": user.pk})
    errors: dict[str, str] = {}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        party = _find_party(user, data["party"])
        if party is None:
            errors["party"] = _("No customer you may see has this reference.")
        else:
            try:
                access_party_for_child(user, party.pk, entity="deal", op="create")
                owner, team = _owner(request, data["owner"])
                stage = next(s for s in _open_stages(pipeline) if s.pk == data["stage"])
                deal = actions.create_deal(user,
                    party=party, name=data["title"], pipeline=pipeline, stage=stage, amount=data["amount"],
                    currency=data["currency"], expected_close=data["expected_close"], owner=owner, team=team,

                )
            except (RecordNotFound, NotPermitted):
                errors["party"] = _("No customer you may see has this reference.")
            except InvalidInput as exc:
                errors = action_errors(exc.errors)
            else:
                return redirect("web:deal", deal_id=deal.pk)
    if request.method == "POST" and party is None and params.get("party", "").strip():
        party = _find_party(user, params["party"])
    context = {"form": form, "errors": errors, "party": party, "pipeline": pipeline, "pipelines": pipelines}
    failed = request.method == "POST" and (errors or form.errors)
    return render_page(request, "web/deals/new.html", context, section="pipeline", status=422 if failed else 200)


@login_required
@require_GET
def party_options(request: HttpRequest) -> HttpResponse:
    """Customers matching ``q`` as ``<option>`` elements for the new-deal form's list."""
    require(request.user, "deal", "create")
    q = request.GET.get("party", request.GET.get("q", "")).replace("\x00", "").strip()[:100]
    parties = list(list_parties(request.user, q=q).only("ref", "name").order_by("name", "id")[:10]) if len(q) >= 2 else []
    return render(request, "web/deals/_party_options.html", {"parties": parties})


# -- the deal page ----------------------------------------------------------------------


def _page(request: HttpRequest, deal: Deal, *, errors: dict[str, str] | None = None,
          forms: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    stages = list(Stage.objects.filter(pipeline_id=deal.pipeline_id).order_by("order"))
    lines = deal_lines(deal)
    probability = deal.stage.win_probability
    can_update = can(user, "deal", "update")
    forms = forms or {}
    tasks = list(
        visible_tasks(user).filter(deal=deal).select_related("assignee").order_by("status", "due_on", "id")[:50]
    )
    context = {
        "deal": deal,
        "stages": stages,
        "history": deal_history(deal),
        "lines": lines,
        "lines_total": sum((line.total for line in lines), start=Decimal("0")),
        "notes": deal_notes(deal),
        "tasks": tasks,
        "probability": probability,
        "weighted": (deal.amount * probability).quantize(CENT, rounding=ROUND_HALF_UP),
        "can_update": can_update,
        "can_task": can(user, "task", "create"),
        "stage_form": forms.get("stage") or StageForm(stages=stages, initial={"stage": deal.stage_id, "version": deal.version}),
        "line_form": forms.get("line") or LineForm(),
        "note_form": forms.get("note") or NoteForm(),
        "products": list(Product.objects.filter(is_active=True).order_by("sku").values_list("sku", "name")[:300])
        if can_update else [],
        "errors": errors or {},
    }
    return render_page(request, "web/deals/detail.html", context, section="pipeline", status=status)


def _deal_for_page(request: HttpRequest, deal_id: int, op: str = "view") -> Deal:
    deal = _deal_or_404(request, deal_id, op)
    return Deal.objects.select_related("party", "stage", "pipeline", "owner", "team").get(pk=deal.pk)


@login_required
@require_GET
def deal_detail(request: HttpRequest, deal_id: int) -> HttpResponse:
    require(request.user, "deal")
    return _page(request, _deal_for_page(request, deal_id))


@login_required
@require_POST
def deal_stage(request: HttpRequest, deal_id: int) -> HttpResponse:
    """Move the deal (to won or lost with the reason) from its page."""
    deal = _deal_for_page(request, deal_id, "update")
    stages = list(deal.pipeline.stages.order_by("order"))
    form = StageForm(request.POST, stages=stages)
    if not form.is_valid():
        return _page(request, deal, forms={"stage": form}, status=422)
    stage = next(s for s in stages if s.pk == form.cleaned_data["stage"])
    try:
        actions.move_deal(request.user, deal, stage, reason=form.cleaned_data["reason"],
                          expected_version=form.cleaned_data["version"])
    except StaleRecord:
        return _page(request, _deal_for_page(request, deal_id), errors={STALE: STALE}, status=409)
    except InvalidInput as exc:
        form.add_error("reason" if "reason" in exc.errors else None, list(action_errors(exc.errors).values()))
        return _page(request, deal, forms={"stage": form}, status=422)
    return redirect("web:deal", deal_id=deal.pk)


@login_required
@require_POST
def deal_reopen(request: HttpRequest, deal_id: int) -> HttpResponse:
    deal = _deal_for_page(request, deal_id, "update")
    version = request.POST.get("version", "")
    try:
        actions.reopen_deal(request.user, deal, expected_version=int(version) if version.isdigit() else None)
    except StaleRecord:
        return _page(request, _deal_for_page(request, deal_id), errors={STALE: STALE}, status=409)
    except InvalidInput as exc:
        return _page(request, deal, errors=action_errors(exc.errors), status=422)
    return redirect("web:deal", deal_id=deal.pk)


@login_required
@require_POST
def deal_line_add(request: HttpRequest, deal_id: int) -> HttpResponse:
    deal = _deal_for_page(request, deal_id, "update")
    form = LineForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        sku = data["product"].strip()
        product = Product.objects.filter(Q(sku=sku) | Q(sku__iexact=sku)).order_by("pk").first()
        try:
            if product is None:
                raise InvalidInput({"product": "no such product"})
            actions.add_deal_line(request.user, deal, product=product, quantity=data["quantity"],
                                  unit_price=data["unit_price"])
        except InvalidInput as exc:
            for field, message in action_errors(exc.errors).items():
                form.add_error(field if field in form.fields else None, message)
        else:
            return redirect("web:deal", deal_id=deal.pk)
    return _page(request, deal, forms={"line": form}, status=422)


@login_required
@require_POST
def deal_line_remove(request: HttpRequest, line_id: int) -> HttpResponse:
    line = access_deal_line_by_id(request.user, line_id, op="update")
    actions.remove_deal_line(request.user, line)
    return redirect("web:deal", deal_id=line.deal_id)


@login_required
@require_POST
def deal_note_add(request: HttpRequest, deal_id: int) -> HttpResponse:
    deal = _deal_for_page(request, deal_id, "update")
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            actions.add_deal_note(request.user, deal, body=form.cleaned_data["body"])
        except InvalidInput as exc:
            form.add_error("body", list(action_errors(exc.errors).values()))
        else:
            return redirect("web:deal", deal_id=deal.pk)
    return _page(request, deal, forms={"note": form}, status=422)


# -- edit -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def deal_edit(request: HttpRequest, deal_id: int) -> HttpResponse:
    """Edit title, amount, currency, close date and owner; ``version`` refuses to
    overwrite a change someone else saved meanwhile (the form comes back with the
    current values and says so)."""
    deal = _deal_for_page(request, deal_id, "update")
    owners = owner_choices(request.user)
    if deal.owner_id and all(pk != deal.owner_id for pk, _name in owners):
        owners.append((deal.owner_id, deal.owner.get_full_name() or deal.owner.username))  # type: ignore[union-attr]
    initial = {"title": deal.name, "amount": deal.amount, "currency": deal.currency,
               "expected_close": deal.expected_close, "owner": deal.owner_id}
    errors: dict[str, str] = {}
    form = DealFields(request.POST if request.method == "POST" else None, owners=owners, initial=initial)
    version = deal.version
    if request.method == "POST":
        sent = request.POST.get("version", "")
        version = int(sent) if sent.isdigit() else deal.version
        if form.is_valid():
            data = form.cleaned_data
            changes: dict[str, Any] = {"name": data["title"], "amount": data["amount"], "currency": data["currency"],
                                       "expected_close": data["expected_close"]}
            try:
                if data["owner"] != deal.owner_id:
                    changes["owner"], changes["team"] = _owner(request, data["owner"])
                actions.update_deal(request.user, deal, expected_version=version, **changes)
            except StaleRecord:
                deal = _deal_for_page(request, deal_id, "update")
                errors = {STALE: STALE}
                initial = {"title": deal.name, "amount": deal.amount, "currency": deal.currency,
                           "expected_close": deal.expected_close, "owner": deal.owner_id}
                form = DealFields(owners=owners, initial=initial)
                version = deal.version
            except InvalidInput as exc:
                errors = action_errors(exc.errors)
            else:
                return redirect("web:deal", deal_id=deal.pk)
    failed = request.method == "POST"
    context = {"deal": deal, "form": form, "errors": errors, "version": version}
    return render_page(request, "web/deals/edit.html", context, section="pipeline",
                       status=(409 if STALE in errors else 422) if failed else 200)
