"""The global search: one box in the header over customers, contact persons, deals,
cases and tasks, accent- and case-insensitive (``parties.fold``), each group within the
user's scope for its entity (the entity's ``access`` module), grouped in the answer.

The header box asks ``/search/`` with htmx as the user types and shows the first few of
each group under it; Enter opens the full results page at the same address.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from clientela.crm.accounts.permissions import can
from clientela.crm.parties.models import OTHER_ROLE
from clientela.crm.parties.queries import customer_base, list_contacts, list_parties
from clientela.crm.sales.access import visible_deals
from clientela.crm.service.queries import search_cases
from clientela.crm.tasks.access import visible_tasks
from clientela.web.layout import render_page
from clientela.web.paging import is_htmx

MIN_LENGTH = 2
LIVE_LIMIT = 5  # per group, under the header box
PAGE_LIMIT = 25  # per group, on the results page


@dataclass(frozen=True)
class Hit:
    title: str
    detail: str
    url: str


@dataclass(frozen=True)
class Group:
    key: str
    label: str | Promise
    hits: list[Hit]
    more: bool


# Customers matching a term are read unordered, up to this many, and then sorted by name:
# "ORDER BY name LIMIT n" made PostgreSQL walk the name index of 1M parties testing each
# one's folded text (0.3-0.8 s for a common surname) instead of using the trigram index.
# Beyond this many matches the box shows the first names among them; the customer list's
# search (the group's "more" link) orders them all.
CUSTOMER_CANDIDATES = 500


def _party_hits(parties: Any, n: int, role: Any = None) -> list[Hit]:
    found = parties.only("pk", "name", "ref", "email", *ROLE_LABELS)[:CUSTOMER_CANDIDATES]
    rows = sorted(found, key=lambda p: (p.name.casefold(), p.pk))[:n]
    hits = []
    for p in rows:
        roles = [str(label) for field, label in ROLE_LABELS.items() if role and getattr(p, field)]
        detail = " · ".join(filter(None, (", ".join(roles), p.ref, p.email)))
        hits.append(Hit(p.name, detail, reverse("web:customer", args=[p.pk])))
    return hits


def _customers(user: Any, q: str, n: int) -> list[Hit]:
    """Customers and prospects: the customer base, as every customer list counts it."""
    return _party_hits(customer_base(list_parties(user, q=q)), n)


# The roles that put a party outside the customer base, named in its hit.
ROLE_LABELS = {"is_supplier": _("Supplier"), "is_partner": _("Partner"), "is_internal": _("Internal")}


def _other_parties(user: Any, q: str, n: int) -> list[Hit]:
    """Suppliers, partners and internal stakeholders who are not customers (``/parties/``)."""
    others = list_parties(user, q=q).filter(OTHER_ROLE, is_customer=False, is_prospect=False)
    return _party_hits(others, n, role=True)


def _contacts(user: Any, q: str, n: int) -> list[Hit]:
    rows = list_contacts(user, q=q).select_related("organisation").order_by("name", "id")[:n]
    return [Hit(c.name, " · ".join(filter(None, (c.organisation.name, c.email))),
                reverse("web:customer", args=[c.organisation_id])) for c in rows]


def _deals(user: Any, q: str, n: int) -> list[Hit]:
    rows = (visible_deals(user).filter(name__fold__contains=q).select_related("party", "stage")
            .order_by("-created_at", "-id")[:n])
    return [Hit(d.name, f"{d.party.name} · {d.stage.name}", reverse("web:deal", args=[d.pk])) for d in rows]


def _cases(user: Any, q: str, n: int) -> list[Hit]:
    return [Hit(c.subject, c.party.name, reverse("web:case", args=[c.pk])) for c in search_cases(user, q, limit=n)]


def _tasks(user: Any, q: str, n: int) -> list[Hit]:
    rows = visible_tasks(user).filter(title__fold__contains=q).order_by("status", "due_on", "-id")[:n]
    hits = []
    for t in rows:  # the record the task is about; a personal to-do opens its own page
        if t.deal_id:
            url = reverse("web:deal", args=[t.deal_id])
        elif t.case_id:
            url = reverse("web:case", args=[t.case_id])
        elif t.party_id:
            url = reverse("web:customer", args=[t.party_id])
        else:
            url = reverse("web:task-edit", args=[t.pk])
        detail = t.due_on.isoformat() if t.due_on else ""
        hits.append(Hit(t.title, detail, url))
    return hits


# (key, label, entity whose view right the group needs, reader)
GROUPS = (
    ("customers", _("Customers"), "party", _customers),
    ("parties", _("Suppliers, partners, internal"), "party", _other_parties),
    ("contacts", _("Contact persons"), "contact", _contacts),
    ("deals", _("Deals"), "deal", _deals),
    ("cases", _("Service cases"), "case", _cases),
    ("tasks", _("Tasks"), "task", _tasks),
)


def search(user: Any, q: str, *, limit: int) -> list[Group]:
    """The groups the user may see, each with up to ``limit`` hits (one query each)."""
    groups = []
    for key, label, entity, reader in GROUPS:
        if not can(user, entity, "view"):
            continue
        hits = reader(user, q, limit + 1)
        groups.append(Group(key, label, hits[:limit], len(hits) > limit))
    return groups


@login_required
@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    q = " ".join(request.GET.get("q", "").split())[:100]
    live = is_htmx(request, "global-search-results")
    groups = search(request.user, q, limit=LIVE_LIMIT if live else PAGE_LIMIT) if len(q) >= MIN_LENGTH else []
    context = {"q": q, "groups": groups, "found": any(g.hits for g in groups), "min_length": MIN_LENGTH}
    if live:
        return render(request, "web/search/_live.html", context)
    return render_page(request, "web/search/page.html", context, section="search")
