"""A small front office for the case and search tests: two teams (north, south), a user
of each role, and in each team a customer with a contact person, a deal, a task and a
case, named with Polish and German letters so the searches can be typed without them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

PASSWORD = "front-pw-123"
ROLES = ("admin", "manager", "service_agent", "sales_rep", "marketer", "analyst", "read_only")


@dataclass
class World:
    users: dict[str, Any] = field(default_factory=dict)  # "<role>" (north) and "<role>_s" (south)
    teams: dict[str, Any] = field(default_factory=dict)
    parties: dict[str, Any] = field(default_factory=dict)  # north, south
    contacts: dict[str, Any] = field(default_factory=dict)
    deals: dict[str, Any] = field(default_factory=dict)
    tasks: dict[str, Any] = field(default_factory=dict)
    cases: dict[str, Any] = field(default_factory=dict)


def build_world(*, passwords: bool = False) -> World:
    """``passwords``: give every user the password ``PASSWORD`` (for a browser's log-in;
    hashing it takes a while, so client tests log in with ``force_login`` instead)."""
    from clientela.crm.accounts.models import Team, User
    from clientela.crm.parties.actions import create_contact, create_party
    from clientela.crm.sales.actions import StageSpec, create_deal, create_pipeline
    from clientela.crm.service.actions import open_case
    from clientela.crm.tasks.actions import create_task

    w = World()
    w.teams = {"north": Team.objects.create(name="North"), "south": Team.objects.create(name="South")}
    for role in ROLES:
        for suffix, team in (("", w.teams["north"]), ("_s", w.teams["south"])):
            w.users[role + suffix] = User.objects.create_user(
                username=f"{role}{suffix}", password=PASSWORD if passwords else None, role=role, team=team,
                is_staff=role == "admin", first_name=role.replace("_", " ").title() + suffix,
            )
    names = {"north": ("Łódzka Spółdzielnia Mleczarska", "Jürgen Müller", "Żuraw dźwig", "Zadzwonić do Łodzi",
                       "Zepsuty czajnik w Łodzi"),
             "south": ("Śląska Huta Żelaza", "Grzegorz Brzęczyszczykiewicz", "Żelazna umowa", "Wysłać ofertę",
                       "Brak dostawy do Żor")}
    pipeline = create_pipeline(None, "Front office", [StageSpec("Lead", Decimal("0.1")), StageSpec("Won", Decimal("1"), is_won=True)])
    for side, (org, person, deal, task, case) in names.items():
        owner = w.users["sales_rep" if side == "north" else "sales_rep_s"]
        agent = w.users["service_agent" if side == "north" else "service_agent_s"]
        party = create_party(owner, {"ref": f"ORG-{side}", "kind": "organisation", "name": org,
                                     "email": f"biuro@{side}.example", "is_customer": True})
        w.parties[side] = party
        w.contacts[side] = create_contact(owner, party, {"name": person, "email": f"kontakt@{side}.example"})
        w.deals[side] = create_deal(owner, party=party, name=deal, pipeline=pipeline, amount=1000, owner=owner)
        w.tasks[side] = create_task(owner, title=task, due_on=timezone.localdate() + timedelta(days=1), assignee=owner,
                                    party=party)
        w.cases[side] = open_case(agent, party=party, subject=case, priority="urgent", owner=agent,
                                  at=timezone.now() - timedelta(hours=1))
    return w
