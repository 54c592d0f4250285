"""Service case pages: the queue with SLA countdowns, a new case (from the queue or a
customer 360), and the case page with its status steps, assignee, notes and resolution.

Thin handlers: permissions come from ``crm.service.access``, writes from
``crm.service.actions`` (acting user first, audited), reads from ``crm.service.queries``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientela.crm.accounts.permissions import can, require
from clientela.crm.errors import InvalidInput, NotPermitted, RecordNotFound, StaleRecord
from clientela.crm.labels import CASE_STATUS, PRIORITIES
from clientela.crm.parties.access import access_party_by_id
from clientela.crm.service import access, actions, queries
from clientela.crm.service.models import Case
from clientela.crm.tasks.access import visible_tasks
from clientela.web.case_forms import AssignForm, CaseForm, NoteForm, StatusForm, parse_queue_filters
from clientela.web.layout import render_page
from clientela.web.paging import is_htmx
from clientela.web.sla_countdown import countdown
from clientela.web.user_time import in_user_zone


def _owners(user: Any) -> list[tuple[int, str]]:
    return [(u.pk, u.get_full_name() or u.username) for u in access.assignable_owners(user)]


def _messages() -> dict[str, str]:
    """The action's refusals, in the user's language, by the field they name."""
    return {
        "subject": _("Give the case a subject."),
        "priority": _("Choose one of the priorities."),
        "status": _("This case cannot take that step from its current status."),
        "resolution": _("Say how the case was resolved."),
        "resolved_at": _("A case cannot be resolved before it was opened."),
        "body": _("Write the note first."),
    }


def _refusal(exc: InvalidInput) -> dict[str, str]:
    known = _messages()
    return {field: known.get(field, message) for field, message in exc.errors.items()}


@login_required
@require_GET
def case_queue(request: HttpRequest) -> HttpResponse:
    require(request.user, "case")
    filters = parse_queue_filters(request.GET)
    now = timezone.now()
    page = queries.case_queue(request.user, filters, now=now)
    context: dict[str, Any] = {
        "filters": filters,
        "page": page,
        "rows": [(c, countdown(c, now)) for c in page.cases],
        "query": request.GET.copy(),
        "may_create": access.may_create_case(request.user),
    }
    with in_user_zone(request):
        if is_htmx(request, "case-results"):
            return render(request, "web/cases/_queue_results.html", context)
        context.update(
            statuses=CASE_STATUS, priorities=PRIORITIES, owners=_owners(request.user),
            teams=list(access.visible_teams(request.user)),
        )
        return render_page(request, "web/cases/queue.html", context, section="cases")


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    """GET ``?party=<id>`` shows the form for that customer (without it, a customer
    search to pick one); POST opens the case and goes to its page."""
    if not access.may_create_case(request.user):
        raise PermissionDenied
    source = request.POST if request.method == "POST" else request.GET
    party_id = source.get("party", "")
    answer = _answer_to_follow_up(request) if request.method == "GET" else None
    if answer is not None and answer.party_id:
        party_id = str(answer.party_id)
    party = None
    if party_id.isdigit():
        try:
            party = access_party_by_id(request.user, int(party_id))
        except (RecordNotFound, NotPermitted):
            raise Http404("no such customer") from None
    owners = _owners(request.user)
    if request.method == "GET":
        initial = {"party": party.pk if party else None, "owner": request.user.pk
                   if any(pk == request.user.pk for pk, _n in owners) else None}
        if answer is not None:  # a case opened from a survey answer: its score and words
            initial["subject"] = _("%(survey)s: score %(score)d") % {"survey": answer.survey.name,
                                                                   "score": answer.score}
            initial["description"] = answer.comment
        form = CaseForm(initial=initial, owners=owners)
        return _new_page(request, form, party)
    form = CaseForm(request.POST, owners=owners)
    if party is None:
        form.add_error(None, _("Choose the customer the case is about."))
    if form.is_valid() and party is not None:
        data = form.cleaned_data
        try:
            owner = next((u for u in access.assignable_owners(request.user) if u.pk == data["owner"]), None)
            # Unassigned, the case waits in the queue of the opener's team.
            team = owner.team if owner is not None else request.user.team
            party = access.access_party_for_new_case(
                request.user, party.pk, owner_id=owner.pk if owner else None,
                team_id=team.pk if team else None,
            )
            case = actions.open_case(
                request.user, party=party, subject=data["subject"], description=data["description"],
                priority=data["priority"], category=data["category"], owner=owner, team=team,
            )
        except RecordNotFound:
            raise Http404("no such customer") from None
        except NotPermitted:
            raise PermissionDenied from None
        except InvalidInput as exc:
            for name, message in _refusal(exc).items():
                form.add_error(name if name in form.fields else None, message)
        else:
            return redirect("web:case", case_id=case.pk)
    return _new_page(request, form, party, status=422)


def _answer_to_follow_up(request: HttpRequest) -> Any:
    """The survey answer ``?response=<id>`` a new case follows up (the feedback page's
    *Open a case* on a detractor's comment), if the user may read it."""
    from clientela.crm.feedback.access import access_response_by_id

    response_id = request.GET.get("response", "")
    if not response_id.isdigit():
        return None
    try:
        return access_response_by_id(request.user, int(response_id))
    except (RecordNotFound, NotPermitted):
        raise Http404("no such answer") from None


def _new_page(request: HttpRequest, form: CaseForm, party: Any, *, status: int = 200) -> HttpResponse:
    return render_page(request, "web/cases/new.html", {"form": form, "party": party}, section="cases", status=status)


@login_required
@require_GET
def party_picker(request: HttpRequest) -> HttpResponse:
    """Customers matching ``q`` (accent-insensitive), to pick the one a new case is about."""
    if not access.may_create_case(request.user):
        raise PermissionDenied
    from clientela.crm.parties.queries import list_parties

    q = request.GET.get("party_q", "").strip()[:100]
    parties = list(list_parties(request.user, q=q).order_by("name", "id")[:10]) if len(q) >= 2 else []
    return render(request, "web/cases/_party_picker.html", {"parties": parties, "q": q})


def _case_or_404(request: HttpRequest, case_id: int, op: Any = "view") -> Case:
    try:
        return access.access_case_by_id(request.user, case_id, op=op)
    except RecordNotFound:
        raise Http404("no such case") from None
    except NotPermitted:
        if op == "view":
            raise Http404("no such case") from None
        raise PermissionDenied from None


def _detail(request: HttpRequest, case: Case, *, errors: dict[str, str] | None = None, status: int = 200,
            forms: dict[str, Any] | None = None) -> HttpResponse:
    may_update = can(request.user, "case", "update")
    owners = _owners(request.user) if may_update else []
    now = timezone.now()
    context: dict[str, Any] = {
        "case": case,
        "sla": countdown(case, now),
        "notes": queries.case_notes(case),
        "tasks": list(visible_tasks(request.user).filter(case=case).select_related("assignee")
                      .order_by("status", "due_on", "id")[:20]),
        "may_update": may_update,
        "steps": case.next_statuses if may_update else (),
        "status_form": StatusForm(initial={"version": case.version, "resolution": case.resolution}),
        "assign_form": AssignForm(initial={"owner": case.owner_id, "version": case.version}, owners=owners),
        "note_form": NoteForm(),
        "errors": errors or {},
        "case_statuses": [(code, CASE_STATUS[code]) for code in ("new", "open", "pending", "resolved", "closed")],
        **(forms or {}),
    }
    with in_user_zone(request):
        return render_page(request, "web/cases/detail.html", context, section="cases", status=status)


@login_required
@require_GET
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    full = queries.cases().filter(pk=case.pk).first()
    return _detail(request, full or case)


def _reload(case: Case) -> Case:
    return queries.cases().get(pk=case.pk)


@login_required
@require_POST
def case_status(request: HttpRequest, case_id: int) -> HttpResponse:
    """Take one status step (resolve with a resolution, close, reopen …)."""
    case = _case_or_404(request, case_id, "update")
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _detail(request, _reload(case), errors={"status": _("This case cannot take that step from its "
                                                                    "current status.")}, status=422)
    data = form.cleaned_data
    try:
        actions.set_case_status(request.user, case, data["status"], resolution=data["resolution"] or None,
                                expected_version=data["version"])
    except StaleRecord:
        return _detail(request, _reload(case), errors={"version": _stale()}, status=409)
    except InvalidInput as exc:
        bound = StatusForm(initial={"version": case.version, "resolution": data["resolution"]})
        return _detail(request, _reload(case), errors=_refusal(exc), status=422, forms={"status_form": bound})
    return redirect("web:case", case_id=case.pk)


def _stale() -> str:
    return _("Someone changed this case meanwhile; the page now shows it as it is. Try again.")


@login_required
@require_POST
def case_assign(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id, "update")
    form = AssignForm(request.POST, owners=_owners(request.user))
    if not form.is_valid():
        return _detail(request, _reload(case), errors={"owner": _("Choose one of the listed people.")}, status=422)
    owner_id = form.cleaned_data["owner"]
    owner = next((u for u in access.assignable_owners(request.user) if u.pk == owner_id), None)
    try:
        team = owner.team if owner is not None else case.team  # unassigned: back to its team's queue
        access.check_case_assignment(request.user, owner_id=owner_id, team_id=team.pk if team else None)
        actions.update_case(request.user, case, owner=owner, team=team,
                            expected_version=form.cleaned_data["version"])
    except NotPermitted:
        raise PermissionDenied from None
    except StaleRecord:
        return _detail(request, _reload(case), errors={"version": _stale()}, status=409)
    return redirect("web:case", case_id=case.pk)


@login_required
@require_POST
def case_note(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access.access_case_for_note(request.user, case_id)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _detail(request, _reload(case), errors={"body": _("Write the note first.")}, status=422)
    try:
        actions.add_case_note(request.user, case, body=form.cleaned_data["body"])
    except InvalidInput as exc:
        return _detail(request, _reload(case), errors=_refusal(exc), status=422)
    return redirect("web:case", case_id=case.pk)
