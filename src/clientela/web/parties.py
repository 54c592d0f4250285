"""Party pages of the front office: create, edit, archive and restore a person or an
organisation, the duplicate warning while typing, and the list of suppliers, partners,
internal stakeholders (``/parties/?kind=…``) and archived parties.

Thin handlers: the form parses, ``parties.access`` fetches or refuses, ``parties.actions``
writes (audited). A refused request changes nothing: 404 for a record outside the user's
scope, 403 for one the user sees but may not change.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientela.crm.accounts.permissions import can, require
from clientela.crm.errors import Conflict, InvalidInput, NotPermitted, RecordNotFound, StaleRecord
from clientela.crm.parties import actions
from clientela.crm.parties.access import (
    access_party_by_id,
    access_party_to_restore,
    check_party_assignment,
    check_party_create,
    may_see_archived,
)
from clientela.crm.parties.models import OTHER_ROLES, Party
from clientela.crm.parties.queries import other_parties, possible_duplicates
from clientela.web import queries
from clientela.web.layout import render_page
from clientela.web.paging import one_page, page_number
from clientela.web.party_forms import PartyForm


def _fetch(request: HttpRequest, party_id: int, op: str, *, archived: bool = False) -> Party:
    return access_party_by_id(request.user, party_id, op=op, archived=archived)  # type: ignore[arg-type]


def _form(request: HttpRequest, *, initial: dict[str, Any] | None = None, with_consents: bool = False) -> PartyForm:
    return PartyForm(
        request.POST if request.method == "POST" else None, initial=initial,
        user=request.user, owners=queries.owner_choices(request.user), with_consents=with_consents,
    )


def _errors_to_form(form: PartyForm, exc: InvalidInput) -> None:
    for name, message in exc.errors.items():
        form.add_error(name if name in form.fields else None, message)


@login_required
@require_http_methods(["GET", "POST"])
def party_new(request: HttpRequest) -> HttpResponse:
    """The form for a new person or organisation; ``?role=supplier|partner|internal``
    ticks that role (else "prospect"). Saved, it opens the new party's 360."""
    require(request.user, "party", "create")
    role = request.GET.get("role", "")
    initial = {"is_prospect": role not in OTHER_ROLES, "owner_id": request.user.pk,
               "team_id": request.user.team_id}
    if role in OTHER_ROLES:
        initial[f"is_{role}"] = True
    form = _form(request, initial=initial, with_consents=can(request.user, "consent", "create"))
    if request.method == "POST" and form.is_valid():
        values = form.party_values()
        # Left empty: the actor owns it, in the actor's team (``default_assignment``).
        for name in ("owner_id", "team_id"):
            if values[name] is None:
                del values[name]
        owner_id, team_id = actions.default_assignment(request.user, values)
        check_party_create(request.user, owner_id=owner_id, team_id=team_id)
        consents = form.consents_given() if can(request.user, "consent", "create") else []
        try:
            party = actions.create_party(
                request.user, values, consents=consents, consent_source="front office form"
            )
        except InvalidInput as exc:
            _errors_to_form(form, exc)
        except Conflict as exc:
            form.add_error(None, str(exc))
        else:
            return redirect(reverse("web:customer", args=[party.pk]))
    status = 422 if request.method == "POST" else 200
    return render_page(request, "web/parties/form.html", {
        "form": form, "party": None, "role": role,
    }, section="customers", status=status)


def _initial(party: Party) -> dict[str, Any]:
    names = ("kind", "name", "email", "phone", "street", "postal_code", "city", "country",
             "preferred_channel", "acquisition_channel", "owner_id", "team_id", "version",
             *PartyForm.ROLE_FIELDS)
    return {n: getattr(party, n) for n in names} | {"tags": ", ".join(party.tags or [])}


@login_required
@require_http_methods(["GET", "POST"])
def party_edit(request: HttpRequest, party_id: int) -> HttpResponse:
    """Edit with optimistic concurrency: the form carries the version it was read at; a
    save over someone else's change is refused (409) and the form shows the new values'
    version, so saving again overwrites knowingly."""
    party = _fetch(request, party_id, "update")
    form = _form(request, initial=_initial(party))
    status = 200
    if request.method == "POST" and form.is_valid():
        values = form.party_values()
        current = _initial(party)
        changes = {k: v for k, v in values.items() if k != "tags" and v != current.get(k)}
        if values["tags"] != current["tags"]:
            changes["tags"] = values["tags"]  # parsed and compared again by the action
        if {"owner_id", "team_id"} & changes.keys():
            check_party_assignment(request.user, owner_id=values["owner_id"], team_id=values["team_id"])
        try:
            actions.update_party(request.user, party, expected_version=form.cleaned_data["version"] or 0,
                                 changes=changes)
        except InvalidInput as exc:
            _errors_to_form(form, exc)
        except StaleRecord:
            party.refresh_from_db()
            data = request.POST.copy()
            data["version"] = str(party.version)
            form = _form(request, initial=_initial(party))
            form.data = data
            form.add_error(None, _("Someone else changed this record while you were editing it. "
                                  "Check the values and save again to keep yours."))
            status = 409
        except Conflict as exc:
            form.add_error(None, str(exc))
        else:
            return redirect(reverse("web:customer", args=[party.pk]))
    if request.method == "POST" and status == 200:
        status = 422
    return render_page(request, "web/parties/form.html", {"form": form, "party": party},
                       section="customers", status=status)


@login_required
@require_POST
def party_archive(request: HttpRequest, party_id: int) -> HttpResponse:
    """Archive; back on the list with an "Undo" (restore) button."""
    party = _fetch(request, party_id, "delete")
    try:
        version = int(request.POST.get("version") or party.version)
    except ValueError:
        version = party.version
    target = "web:customers" if party.in_customer_base else "web:parties"
    try:
        actions.archive_party(request.user, party, expected_version=version)
    except StaleRecord:
        return render_page(request, "web/parties/conflict.html", {"party": party},
                           section="customers", status=409)
    return redirect(f"{reverse(target)}?undo={party.pk}")


@login_required
@require_POST
def party_erase(request: HttpRequest, party_id: int) -> HttpResponse:
    """Queue the GDPR erasure of the party (the privacy.erase job, as the API and the CLI
    queue it); back on its page, which says the job is queued."""
    from clientela.crm.privacy.access import access_party_for_gdpr
    from clientela.crm.privacy.jobs import queue_erasure

    party = access_party_for_gdpr(request.user, party_id)  # refusals: web/record_errors.py
    if request.POST.get("confirm") != "yes":
        return redirect(reverse("web:customer", args=[party.pk]))
    job = queue_erasure(request.user, party)
    return redirect(f"{reverse('web:customer', args=[party.pk])}?erasure={job.pk}")


@login_required
@require_POST
def party_restore(request: HttpRequest, party_id: int) -> HttpResponse:
    party = access_party_to_restore(request.user, party_id)
    actions.restore_party(request.user, party)
    return redirect(reverse("web:customer", args=[party.pk]))


def undo_offer(request: HttpRequest) -> Party | None:
    """The party named by ``?undo=<id>`` if the user may restore it now (the banner
    "… archived. Undo" shown after archiving)."""
    try:
        return access_party_to_restore(request.user, int(request.GET.get("undo", "")))
    except (ValueError, RecordNotFound, NotPermitted):
        return None


@login_required
@require_GET
def duplicates(request: HttpRequest) -> HttpResponse:
    """Possible duplicates of what is typed in the party form (htmx fragment)."""
    require(request.user, "party")
    try:
        exclude = int(request.GET.get("exclude", ""))
    except ValueError:
        exclude = None
    found = possible_duplicates(
        request.user, name=request.GET.get("name", "")[:200], email=request.GET.get("email", "")[:254],
        phone=request.GET.get("phone", "")[:40], exclude_id=exclude,
    )
    return render(request, "web/parties/_duplicates.html", {"duplicates": found})


@login_required
@require_GET
def party_list(request: HttpRequest) -> HttpResponse:
    """Suppliers, partners and internal stakeholders (``?kind=``), or with
    ``?archived=1`` the archived parties (for those who may restore them)."""
    require(request.user, "party")
    kind = request.GET.get("kind", "")
    kind = kind if kind in OTHER_ROLES else ""
    archived = request.GET.get("archived") == "1"
    if archived and not may_see_archived(request.user):
        raise PermissionDenied
    page = page_number(request.GET)
    rows, has_next = one_page(other_parties(request.user, role=kind, archived=archived), page)
    return render_page(request, "web/parties/list.html", {
        "rows": rows, "page": page, "has_next": has_next,
        "kind": kind, "kinds": OTHER_ROLES, "archived": archived,
        "may_see_archived": may_see_archived(request.user),
        "can_create": can(request.user, "party", "create"),
        "undo": undo_offer(request),
    }, section="parties")
