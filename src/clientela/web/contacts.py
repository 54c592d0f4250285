"""Contact persons of an organisation, on its 360: add, edit, remove.

A contact may be linked to a person who is a party of their own (``person_id``): the
choice offers the visible people with the contact's name, e-mail or phone
(``parties.queries.possible_duplicates``), and the two 360s link to each other.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clientela.crm.errors import InvalidInput, NotPermitted, RecordNotFound
from clientela.crm.parties import actions
from clientela.crm.parties.access import (
    access_contact_by_id,
    access_party_by_id,
    access_party_for_child,
)
from clientela.crm.parties.models import ContactPerson, Party, PartyKind
from clientela.crm.parties.queries import possible_duplicates
from clientela.web.layout import render_page
from clientela.web.party_forms import ContactForm

FIELDS = ("name", "job_title", "email", "phone", "is_primary", "consent_email", "consent_phone", "person_id")


def _persons(request: HttpRequest, *, name: str, email: str, phone: str, organisation: Party,
             current: Party | None) -> list[tuple[int, str]]:
    found = possible_duplicates(request.user, name=name, email=email, phone=phone, exclude_id=organisation.pk)
    people = [d.party for d in found if d.party.kind == PartyKind.PERSON]
    if current is not None and current not in people:
        people.insert(0, current)
    return [(p.pk, f"{p.name} ({p.ref})") for p in people]


def _save(request: HttpRequest, form: ContactForm, organisation: Party, contact: ContactPerson | None) -> bool:
    """Write the form through the actions; False (errors on the form) when refused."""
    values = {n: form.cleaned_data[n] for n in FIELDS}
    if values["person_id"] is not None:
        try:
            access_party_by_id(request.user, values["person_id"])
        except (RecordNotFound, NotPermitted):
            form.add_error("person_id", _("Choose a person you can see."))
            return False
    try:
        if contact is None:
            actions.create_contact(request.user, organisation, values)
        else:
            actions.update_contact(request.user, contact, values)
    except InvalidInput as exc:
        for name, message in exc.errors.items():
            form.add_error(name if name in form.fields else None, message)
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def contact_new(request: HttpRequest, party_id: int) -> HttpResponse:
    organisation = access_party_for_child(request.user, party_id, entity="contact", op="create")
    if organisation.kind != PartyKind.ORGANISATION:
        raise Http404("contacts belong to organisations")
    post = request.POST if request.method == "POST" else None
    persons = _persons(request, name=(post or {}).get("name", ""), email=(post or {}).get("email", ""),
                       phone=(post or {}).get("phone", ""), organisation=organisation, current=None)
    form = ContactForm(post, persons=persons)
    if post is not None and form.is_valid() and _save(request, form, organisation, None):
        return redirect(reverse("web:customer", args=[organisation.pk]) + "#contacts")
    return render_page(request, "web/parties/contact_form.html", {
        "form": form, "organisation": organisation, "contact": None,
    }, section="customers", status=422 if post is not None else 200)


def _contact(request: HttpRequest, contact_id: int, op: str) -> ContactPerson:
    return access_contact_by_id(request.user, contact_id, op=op)  # type: ignore[arg-type]


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = _contact(request, contact_id, "update")
    organisation = contact.organisation
    post = request.POST if request.method == "POST" else None
    source = post or {"name": contact.name, "email": contact.email, "phone": contact.phone}
    persons = _persons(request, name=source.get("name", ""), email=source.get("email", ""),
                       phone=source.get("phone", ""), organisation=organisation, current=contact.person)
    form = ContactForm(post, persons=persons, initial={n: getattr(contact, n) for n in FIELDS})
    if post is not None and form.is_valid() and _save(request, form, organisation, contact):
        return redirect(reverse("web:customer", args=[organisation.pk]) + "#contacts")
    return render_page(request, "web/parties/contact_form.html", {
        "form": form, "organisation": organisation, "contact": contact,
    }, section="customers", status=422 if post is not None else 200)


@login_required
@require_POST
def contact_delete(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = _contact(request, contact_id, "delete")
    organisation_id = contact.organisation_id
    actions.delete_contact(request.user, contact)
    return redirect(reverse("web:customer", args=[organisation_id]) + "#contacts")
