"""A small company for API tests: two teams, one user per role in team North, and for
each owner kind (self, teammate, other team) a party with every child record."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from clientela.crm.accounts.models import Team, User
from clientela.crm.audit.actions import record_change
from clientela.crm.audit.models import AuditEntry
from clientela.crm.commerce.actions import create_order
from clientela.crm.commerce.models import Product
from clientela.crm.engagement.models import Campaign, CampaignMember, Interaction
from clientela.crm.parties.models import Consent, ContactPerson, Party
from clientela.crm.scoring.models import CustomerScore, ModelRun

ROLES = ("admin", "manager", "sales_rep", "service_agent", "marketer", "analyst", "read_only")
OWNERS = ("self", "teammate", "other")
T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


@dataclass
class Records:
    owner: User
    party: Party
    party2: Party
    contact: ContactPerson
    consent: Consent
    interaction: Interaction
    member: CampaignMember
    order: Any
    entry: AuditEntry


@dataclass
class World:
    north: Team
    south: Team
    users: dict[str, User]
    teammate: User
    stranger: User
    product: Product
    spare_product: Product
    campaign: Campaign
    records: dict[tuple[str, str], Records] = field(default_factory=dict)


def _records(tag: str, owner: User, product: Product, campaign: Campaign) -> Records:
    party = Party.objects.create(ref=f"P-{tag}", name=f"Person {tag}", owner=owner, team=owner.team,
                                 email=f"{tag}@example.com")
    party2 = Party.objects.create(ref=f"Q-{tag}", name=f"Buyer {tag}", owner=owner, team=owner.team)
    order = create_order(None, party2, {"ref": f"O-{tag}", "ordered_at": T0},
                         [{"product_id": product.pk, "quantity": 2}])
    return Records(
        owner=owner,
        party=party,
        party2=party2,
        contact=ContactPerson.objects.create(organisation=party, name=f"Contact {tag}"),
        consent=Consent.objects.create(party=party, purpose="marketing", channel="email", given_at=T0),
        interaction=Interaction.objects.create(party=party, channel="phone", direction="inbound", occurred_at=T0),
        member=CampaignMember.objects.create(campaign=campaign, party=party),
        order=order,
        entry=record_change(None, entity="party", object_id=party.pk, action="update",
                            changes={"city": ("A", "B")}, party_id=party.pk)[0],
    )


def build_world(*, roles: tuple[str, ...] = ROLES) -> World:
    north, south = Team.objects.create(name="North"), Team.objects.create(name="South")
    users = {r: User.objects.create(username=f"u-{r}", role=r, team=north) for r in roles}
    teammate = User.objects.create(username="mate", role="sales_rep", team=north)
    stranger = User.objects.create(username="stranger", role="sales_rep", team=south)
    product = Product.objects.create(sku="SKU-1", name="Widget", list_price=Decimal("10"), unit_cost=Decimal("4"))
    spare = Product.objects.create(sku="SKU-2", name="Spare", list_price=Decimal("3"))
    campaign = Campaign.objects.create(name="Spring", kind="retention", channel="email", starts_on=T0.date())
    world = World(north, south, users, teammate, stranger, product, spare, campaign)
    shared = {"teammate": _records("mate", teammate, product, campaign),
              "other": _records("stranger", stranger, product, campaign)}
    for role, user in users.items():
        world.records[(role, "self")] = _records(role, user, product, campaign)
        world.records[(role, "teammate")] = shared["teammate"]
        world.records[(role, "other")] = shared["other"]
    _score_everyone()
    return world


def _score_everyone() -> None:
    """A current scoring run with a score for every party, so /scores has rows to guard."""
    run = ModelRun.objects.create(started_at=T0, status="succeeded", is_current=True,
                                  model_name="bgnbd", observation_end=T0.date())
    CustomerScore.objects.bulk_create(
        CustomerScore(run=run, party=party, p_alive=0.7, churn_risk=0.3, clv=Decimal("123.45"),
                      expected_spend=Decimal("50"), revenue=Decimal("500"), net_contribution=Decimal("80"),
                      ladder_stage="customer", next_best_action="develop", nba_reason="P(alive) 0.70")
        for party in Party.objects.all()
    )
