"""Role × page × action for the deal pages and the board: every role, on its own deal, a
team-mate's deal and another team's deal. The expected answer of each cell is written
out here (not computed from the permission table it checks); a refused request answers
403 or 404 and changes nothing — no new version, product, note, deal or audit entry."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from clientela.crm.audit.models import AuditEntry
from clientela.crm.parties.models import Party
from clientela.crm.sales.models import Deal, DealLine, DealNote

pytestmark = pytest.mark.django_db

# role: (sees the board, deals it reaches, may change deals, may create deals)
ROLES = {
    "admin": (True, {"own", "team", "other"}, True, True),
    "manager": (True, {"own", "team"}, True, True),
    "sales_rep": (True, {"own"}, True, True),
    "service_agent": (False, set(), False, False),
    "marketer": (False, set(), False, False),
    "analyst": (True, {"own", "team", "other"}, False, False),
    "read_only": (True, {"own", "team"}, False, False),
}
RECORDS = ("own", "team", "other")


@pytest.fixture
def world(company: Any, make_user: Any, build_pipeline: Any) -> dict[str, Any]:
    from clientela.crm.accounts.models import Team
    from clientela.crm.commerce.models import Product
    from clientela.crm.sales import actions

    pipeline = build_pipeline(deals=0)
    home, away = Team.objects.create(name="Home"), Team.objects.create(name="Away")
    mate = make_user("mate", "sales_rep", team=home)
    outsider = make_user("outsider", "sales_rep", team=away)
    parties = list(Party.objects.order_by("id")[:3])
    product = Product.objects.filter(currency="PLN", is_active=True).order_by("sku").first()
    return {"pipeline": pipeline, "home": home, "mate": mate, "outsider": outsider, "parties": parties,
            "product": product, "actions": actions, "make_user": make_user}


def _deals(world: dict[str, Any], actor: Any) -> dict[str, Deal]:
    """A fresh deal of each kind, each with one product line."""
    owners = {"own": actor, "team": world["mate"], "other": world["outsider"]}
    out = {}
    for (kind, owner), party in zip(owners.items(), world["parties"], strict=True):
        Party.objects.filter(pk=party.pk).update(owner=owner, team=owner.team)
        deal = world["actions"].create_deal(None, party=party, name=f"{kind} deal", pipeline=world["pipeline"],
                                            amount=Decimal("100"), owner=owner)
        world["actions"].add_deal_line(owner, deal, product=world["product"], quantity=1)
        out[kind] = deal
    return out


def _state(deal: Deal) -> tuple[Any, ...]:
    deal.refresh_from_db()
    return (deal.version, deal.name, deal.status, DealLine.objects.filter(deal=deal).count(),
            DealNote.objects.filter(deal=deal).count(), AuditEntry.objects.count())


@pytest.mark.parametrize("role", list(ROLES))
def test_deal_pages_and_actions_by_role(role: str, world: dict[str, Any]) -> None:
    board_ok, reach, may_change, may_create = ROLES[role]
    actor = world["make_user"](f"actor-{role}", role, team=world["home"])
    c = Client()
    c.force_login(actor)
    pipeline = world["pipeline"]
    stages = {s.name: s for s in pipeline.stages.all()}

    assert c.get(f"/pipeline/{pipeline.pk}/").status_code == (200 if board_ok else 403)
    lead = stages["Lead"]
    cards = c.get(f"/pipeline/{pipeline.pk}/stages/{lead.pk}/cards/?after=2026-01-01T00:00:00%2B00:00_1")
    assert cards.status_code == (200 if board_ok else 403)

    for record in RECORDS:
        deal = _deals(world, actor)[record]
        line = DealLine.objects.get(deal=deal)
        sees = record in reach
        viewed = c.get(f"/deals/{deal.pk}/").status_code
        assert viewed == (200 if sees else 403 if not board_ok else 404), (role, record, viewed)
        page = c.get(f"/deals/{deal.pk}/").content.decode() if sees else ""
        assert ('data-testid="deal-edit"' in page) == (sees and may_change), (role, record)
        change_answer = 302 if sees and may_change else 403 if sees else 404
        writes = [
            ("edit form", "get", f"/deals/{deal.pk}/edit/", None, 200 if change_answer == 302 else change_answer),
            ("edit", "post", f"/deals/{deal.pk}/edit/",
             {"title": "Changed", "amount": "5", "currency": "PLN", "owner": deal.owner_id, "version": deal.version},
             change_answer),
            ("note", "post", f"/deals/{deal.pk}/notes/", {"body": "A note"}, change_answer),
            ("product", "post", f"/deals/{deal.pk}/lines/", {"product": world["product"].sku, "quantity": 2},
             change_answer),
            ("remove product", "post", f"/deals/lines/{line.pk}/delete/", {}, change_answer),
            ("win", "post", f"/deals/{deal.pk}/stage/",
             {"stage": stages["Won"].pk, "reason": "Signed", "version": None}, change_answer),
            ("reopen", "post", f"/deals/{deal.pk}/reopen/", {"version": None}, change_answer),
            ("board move", "post", f"/deals/{deal.pk}/move/", {"stage": stages["Qualified"].pk, "version": None},
             change_answer if board_ok else 403),
        ]
        for name, method, path, data, expected in writes:
            before = _state(deal)
            if data is not None and "version" in data and data["version"] is None:
                data = data | {"version": deal.version}
            response = getattr(c, method)(path, data) if method == "post" else c.get(path)
            assert response.status_code == expected, (role, record, name, response.status_code)
            if expected >= 400:
                assert _state(deal) == before, (role, record, name)
            elif method == "post":
                assert _state(deal) != before, (role, record, name)
                last = AuditEntry.objects.order_by("-id").first()
                assert last.actor_id == actor.pk, (role, record, name)


@pytest.mark.parametrize("role", list(ROLES))
def test_new_deal_by_role_and_customer_scope(role: str, world: dict[str, Any]) -> None:
    """A deal is created for a customer inside the role's customer scope, owned by
    someone inside its deal scope; anything else is refused and writes nothing."""
    board_ok, reach, _may_change, may_create = ROLES[role]
    actor = world["make_user"](f"actor-{role}", role, team=world["home"])
    c = Client()
    c.force_login(actor)
    pipeline = world["pipeline"]
    lead = pipeline.stages.get(name="Lead")
    assert c.get(f"/deals/new/?pipeline={pipeline.pk}").status_code == (200 if may_create else 403)
    party_reach = {"admin": RECORDS, "manager": ("own", "team"), "sales_rep": ("own",)}.get(role, ())
    for record, party, owner in zip(RECORDS, world["parties"], (actor, world["mate"], world["outsider"]),
                                    strict=True):
        Party.objects.filter(pk=party.pk).update(owner=owner, team=owner.team)
        page = c.get(f"/deals/new/?party={party.pk}")
        assert page.status_code == ((200 if record in party_reach else 404) if may_create else 403), (role, record)
        before = (Deal.objects.count(), AuditEntry.objects.count())
        response = c.post("/deals/new/", {"title": f"New {record}", "party": party.ref, "pipeline": pipeline.pk,
                                          "stage": lead.pk, "amount": "10", "currency": "PLN", "owner": actor.pk})
        if may_create and record in party_reach:
            assert response.status_code == 302, (role, record)
            deal = Deal.objects.get(name=f"New {record}")
            assert deal.owner == actor and AuditEntry.objects.filter(entity="deal", object_id=str(deal.pk),
                                                                     actor=actor).exists()
        else:
            assert response.status_code == (422 if may_create else 403), (role, record, response.status_code)
            assert (Deal.objects.count(), AuditEntry.objects.count()) == before
    if may_create:  # giving the deal to someone outside the scope is refused
        before = Deal.objects.count()
        response = c.post("/deals/new/", {"title": "For the outsider", "party": world["parties"][0].ref,
                                          "pipeline": pipeline.pk, "stage": lead.pk, "amount": "10",
                                          "currency": "PLN", "owner": world["outsider"].pk})
        expected = 302 if "other" in reach else 422
        assert response.status_code == expected, (role, response.status_code)
        assert Deal.objects.count() == before + (1 if expected == 302 else 0)
