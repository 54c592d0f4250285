"""Role × page × action matrix of the front-office party pages and forms.

Every role, on a record it owns, a teammate's and one of another team; each cell the
status expected (``ok`` is the page's success: 200 for a page, 302 for a saved form).
A refused request (4xx) must leave the parties, contacts, consents and audit trail
exactly as they were; each request runs in a transaction rolled back afterwards, so the
cells do not depend on each other.

Rows read ``own team other``, roles in the order of ``ROLES``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from clientela.crm.accounts.models import Team, User
from clientela.crm.audit.models import AuditEntry
from clientela.crm.parties import actions
from clientela.crm.parties.access import UNDO_WINDOW
from clientela.crm.parties.models import Consent, ContactPerson, Party

pytestmark = pytest.mark.django_db

ROLES = ("admin", "manager", "sales_rep", "service_agent", "marketer", "analyst", "read_only")
OWNERS = ("own", "team", "other")

# admin | manager | sales_rep | service_agent | marketer | analyst | read_only
MATRIX: dict[str, str] = {
    "view 360":       "ok ok ok|ok ok 404|ok 404 404|ok ok 404|ok ok ok|ok ok ok|ok ok 404",
    "edit form":      "ok ok ok|ok ok 404|ok 404 404|ok ok 404|403 403 403|403 403 403|403 403 404",
    "edit save":      "ok ok ok|ok ok 404|ok 404 404|ok ok 404|403 403 403|403 403 403|403 403 404",
    "archive":        "ok ok ok|ok ok 404|403 404 404|403 403 404|403 403 403|403 403 403|403 403 404",
    "restore":        "ok ok ok|403 403 404|403 404 404|403 403 404|403 403 403|403 403 403|403 403 404",
    "contact form":   "ok ok ok|ok ok 404|ok 404 404|ok ok 404|403 403 403|403 403 403|403 403 404",
    "contact add":    "ok ok ok|ok ok 404|ok 404 404|ok ok 404|403 403 403|403 403 403|403 403 404",
    "contact edit":   "ok ok ok|ok ok 404|ok 404 404|ok ok 404|403 403 403|403 403 403|403 403 404",
    "contact remove": "ok ok ok|ok ok 404|ok 404 404|403 403 404|403 403 403|403 403 403|403 403 404",
    # Creating: the record column is the owner chosen on the form.
    "new form":       "ok ok ok|ok ok ok|ok ok ok|403 403 403|ok ok ok|403 403 403|403 403 403",
    # An owner outside the user's scope is not among the form's choices: 422 naming it.
    "new save":       "ok ok ok|ok ok 422|ok 422 422|403 403 403|ok ok ok|403 403 403|403 403 403",
    # Pages without a record: the same answer in each column.
    "other parties":  "ok ok ok|ok ok ok|ok ok ok|ok ok ok|ok ok ok|ok ok ok|ok ok ok",
    "archived list":  "ok ok ok|403 403 403|403 403 403|403 403 403|403 403 403|403 403 403|403 403 403",
    "duplicates":     "ok ok ok|ok ok ok|ok ok ok|ok ok ok|ok ok ok|ok ok ok|ok ok ok",
}  # fmt: skip

PAGES = {"view 360", "edit form", "contact form", "new form", "other parties", "archived list", "duplicates"}


def expected(action: str, role: str, owner: str) -> int:
    cell = MATRIX[action].split("|")[ROLES.index(role)].split()[OWNERS.index(owner)]
    if cell == "ok":
        return 200 if action in PAGES else 302
    return int(cell)


def _state() -> tuple[Any, ...]:
    return (
        sorted(Party.objects.values_list()),
        sorted(ContactPerson.objects.values_list()),
        sorted(Consent.objects.values_list()),
        AuditEntry.objects.count(),
    )


def _form(party: Party, owner: User) -> dict[str, Any]:
    return {"kind": party.kind, "name": party.name + " changed", "email": "", "phone": "", "street": "",
            "postal_code": "", "city": "", "country": "", "preferred_channel": "", "tags": "",
            "acquisition_channel": "", "owner_id": owner.pk, "team_id": owner.team_id or "",
            "is_customer": "on", "version": party.version}


@pytest.mark.parametrize("role", ROLES)
def test_party_pages_matrix(role: str) -> None:
    home, away = Team.objects.create(name="Home"), Team.objects.create(name="Away")
    user = User.objects.create_user(username=f"u-{role}", role=role, team=home, is_staff=role == "admin")
    mate = User.objects.create_user(username="mate", role="sales_rep", team=home)
    stranger = User.objects.create_user(username="stranger", role="sales_rep", team=away)
    root = User.objects.create_user(username="root", role="admin")
    owners = {"own": user, "team": mate, "other": stranger}
    records: dict[str, tuple[Party, ContactPerson, Party]] = {}
    long_ago = dt.datetime.now(dt.UTC) - UNDO_WINDOW * 2
    for key, owner in owners.items():
        org = actions.create_party(root, {"name": f"Org {key}", "kind": "organisation", "is_customer": True,
                                          "owner_id": owner.pk, "team_id": owner.team_id})
        contact = actions.create_contact(root, org, {"name": f"Contact {key}"})
        gone = actions.create_party(root, {"name": f"Gone {key}", "is_customer": True,
                                           "owner_id": owner.pk, "team_id": owner.team_id})
        actions.archive_party(root, gone, expected_version=gone.version)
        Party.objects.filter(pk=gone.pk).update(archived_at=long_ago)
        records[key] = (org, contact, gone)
    c = Client()
    c.force_login(user)

    def call(action: str, key: str) -> int:
        org, contact, gone = records[key]
        owner = owners[key]
        requests = {
            "view 360": lambda: c.get(f"/customers/{org.pk}/"),
            "edit form": lambda: c.get(f"/customers/{org.pk}/edit/"),
            "edit save": lambda: c.post(f"/customers/{org.pk}/edit/", _form(org, owner)),
            "archive": lambda: c.post(f"/customers/{org.pk}/archive/", {"version": org.version}),
            "restore": lambda: c.post(f"/customers/{gone.pk}/restore/"),
            "contact form": lambda: c.get(f"/customers/{org.pk}/contacts/new/"),
            "contact add": lambda: c.post(f"/customers/{org.pk}/contacts/new/", {"name": "New contact"}),
            "contact edit": lambda: c.post(f"/contacts/{contact.pk}/edit/", {"name": "Renamed"}),
            "contact remove": lambda: c.post(f"/contacts/{contact.pk}/delete/"),
            "new form": lambda: c.get("/customers/new/"),
            "new save": lambda: c.post("/customers/new/", {
                "kind": "person", "name": "Brand New", "owner_id": owner.pk, "team_id": owner.team_id,
                "is_prospect": "on"}),
            "other parties": lambda: c.get("/parties/", {"kind": "supplier"}),
            "archived list": lambda: c.get("/parties/", {"archived": "1"}),
            "duplicates": lambda: c.get("/customers/duplicates/", {"name": f"Org {key}"}),
        }
        return requests[action]().status_code

    failures = []
    for action in MATRIX:
        for key in OWNERS:
            with transaction.atomic():
                before = _state()
                status = call(action, key)
                if status >= 400 and _state() != before:
                    failures.append(f"{action} on {key}: refused ({status}) but changed the data")
                transaction.set_rollback(True)
            want = expected(action, role, key)
            if status != want:
                failures.append(f"{action} on {key}: {status}, expected {want}")
    assert not failures, f"{role}:\n" + "\n".join(failures)
