"""Store a simulated :class:`~clientela.demo.company.Company` with bulk inserts.

Called inside one transaction by :func:`clientela.demo.build.build_demo_company`.
Amounts are converted from integer grosz/cents to ``Decimal`` exactly; times from day
offsets to timezone-aware UTC datetimes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from django.contrib.auth.hashers import make_password
from django.db import models

from clientela.crm.accounts.models import Team, User
from clientela.crm.commerce.models import ExchangeRate, Order, OrderLine, Product
from clientela.crm.engagement.models import Campaign, CampaignMember, Interaction
from clientela.crm.parties.models import Consent, ContactPerson, Party
from clientela.demo.baskets import CURRENCIES
from clientela.demo.company import Company
from clientela.demo.contacts import CHANNEL_COST
from clientela.demo.roster import STAFF, TEAMS

BATCH = 2000
Stage = Callable[[str, int], None]


def money(c: int | np.integer) -> Decimal:
    """Integer cents to an exact two-place Decimal."""
    return Decimal(int(c)).scaleb(-2)


def _dec(x: float) -> Decimal:
    return Decimal(f"{x:.2f}")


class Clock:
    """Day offsets from the window start to aware UTC datetimes, whole seconds."""

    def __init__(self, company: Company) -> None:
        self.start = datetime(company.start.year, company.start.month, company.start.day, tzinfo=UTC)
        self.last = company.horizon * 86400 - 1

    def at(self, days: float) -> datetime:
        return self.start + timedelta(seconds=min(self.last, max(0, int(days * 86400))))

    def many(self, days: np.ndarray) -> list[datetime]:
        seconds = np.clip((np.asarray(days) * 86400).astype(np.int64), 0, self.last).tolist()
        start = self.start
        return [start + timedelta(seconds=s) for s in seconds]


def _bulk(model: type[models.Model], objs: Sequence[models.Model], stage: Stage, label: str) -> None:
    model._default_manager.bulk_create(objs, batch_size=BATCH)
    stage(label, len(objs))


def _has_field(model: type[models.Model], name: str) -> bool:
    return any(f.name == name for f in model._meta.get_fields())


def write_company(company: Company, stage: Stage) -> dict[str, Any]:
    """Insert everything; returns the saved objects later steps need (parties, orders)."""
    clock = Clock(company)
    teams = [Team(name=name) for name in TEAMS]
    _bulk(Team, teams, stage, "teams")
    unusable = make_password(None)
    users = [
        User(username=u, first_name=f, last_name=last, role=role, team=teams[TEAMS.index(team)],
             email=f"{u}@bursztyn.example", is_staff=True, password=unusable)
        for u, f, last, role, team in STAFF
    ]
    _bulk(User, users, stage, "sales and service users")

    cat = company.catalogue
    products = [
        Product(sku=cat.sku[i], name=cat.name[i], category=cat.category[i],
                list_price=money(cat.price_cents[i]), unit_cost=money(cat.cost_cents[i]), currency="PLN")
        for i in range(len(cat))
    ]
    _bulk(Product, products, stage, "products")

    rates = [
        ExchangeRate(date=company.start + timedelta(days=d), currency=code, rate=Decimal(f"{v:.4f}"))
        for code, values in company.rates.items() for d, v in enumerate(values.tolist())
    ]
    _bulk(ExchangeRate, rates, stage, "exchange rates")

    plan = company.plan
    sms_field = _has_field(Campaign, "message_channel")
    campaigns = []
    for i in range(len(plan.name)):
        extra = {"message_channel": plan.channel[i]} if sms_field and plan.channel[i] in ("email", "sms") else {}
        campaigns.append(Campaign(
            name=plan.name[i], kind=plan.kind[i], channel=plan.channel[i], budget=_dec(plan.budget[i]),
            spend=_dec(plan.spend[i]), currency="PLN", starts_on=plan.starts[i], ends_on=plan.ends[i],
            **extra,
        ))
    _bulk(Campaign, campaigns, stage, "campaigns")

    parties = _write_parties(company, clock, users, teams, campaigns, stage)
    _write_consents(company, clock, parties, users, stage)
    orders = _write_orders(company, clock, parties, products, stage)
    _write_interactions(company, clock, parties, users, stage)
    _write_members(company, clock, parties, campaigns, orders, stage)
    return {"parties": parties, "orders": orders, "users": users}


def _write_parties(company: Company, clock: Clock, users: list[User], teams: list[Team],
                   campaigns: list[Campaign], stage: Stage) -> list[Party]:
    r = company.roster
    n = company.customers
    acquired = clock.many(company.acquired)
    parties: list[Party] = []
    for i in range(len(r)):
        role = r.role[i]
        customer = role == "customer"
        camp = int(company.campaign_of[i]) if customer else -1
        parties.append(Party(
            ref=r.ref[i], kind=r.kind[i], name=r.name[i], email=r.email[i], phone=r.phone[i],
            country=r.country[i], city=r.city[i], language=r.language[i],
            preferred_channel=r.preferred[i],
            is_customer=customer, is_prospect=role == "prospect", is_supplier=role == "supplier",
            is_partner=role == "partner" or r.also_partner[i], is_internal=role == "internal",
            owner=users[r.owner[i]] if r.owner[i] >= 0 else None,
            team=teams[r.team[i]] if r.team[i] >= 0 else None,
            acquired_at=acquired[i] if customer else None,
            acquisition_channel=str(company.channel[i]) if customer else "",
            acquisition_campaign=campaigns[camp] if camp >= 0 else None,
        ))
    referred = company.referred_by
    first = [p for i, p in enumerate(parties) if i >= n or referred[i] < 0]
    _bulk(Party, first, stage, "parties")
    later = []
    for i in np.flatnonzero(referred >= 0).tolist():
        parties[i].referred_by = parties[int(referred[i])]
        later.append(parties[i])
    _bulk(Party, later, stage, "referred parties")
    # created_at says when the company first knew the party, not when the demo was built.
    Party.objects.filter(acquired_at__isnull=False).update(created_at=models.F("acquired_at"))

    contacts = [
        ContactPerson(organisation=parties[i], name=name, job_title=title, email=email, phone=phone,
                      is_primary=k == 0)
        for i, people in enumerate(r.contacts) for k, (name, title, email, phone) in enumerate(people)
    ]
    _bulk(ContactPerson, contacts, stage, "contact persons")
    return parties


def _write_consents(company: Company, clock: Clock, parties: list[Party], users: list[User],
                    stage: Stage) -> None:
    c = company.consents
    given = clock.many(c.given)
    withdrawn = c.withdrawn
    owner = company.roster.owner
    rows = []
    for k, pi in enumerate(c.party.tolist()):
        w = withdrawn[k]
        by = users[owner[pi]] if c.source[k] == "phone call" and owner[pi] >= 0 else None
        rows.append(Consent(
            party=parties[pi], purpose=c.purpose[k], channel=c.channel[k], lawful_basis=c.basis[k],
            source=c.source[k], given_at=given[k], withdrawn_at=None if np.isnan(w) else clock.at(w),
            recorded_by=by,
        ))
    _bulk(Consent, rows, stage, "consents")


def _write_orders(company: Company, clock: Clock, parties: list[Party], products: list[Product],
                  stage: Stage) -> list[Order]:
    b = company.baskets
    seconds = np.minimum(b.day * 86400 + b.second, clock.last)
    start = clock.start
    orders: list[Order] = [None] * len(b)  # type: ignore[list-item]
    per_year: dict[int, int] = {}
    # Refs and ids follow time: ORD-2025-000001 is the first order of 2025.
    for k in np.argsort(seconds, kind="stable").tolist():
        at = start + timedelta(seconds=int(seconds[k]))
        per_year[at.year] = per_year.get(at.year, 0) + 1
        orders[k] = Order(
            ref=f"ORD-{at.year}-{per_year[at.year]:06d}", party=parties[int(b.customer[k])], ordered_at=at,
            channel=b.channel[k], currency=CURRENCIES[b.currency[k]], status=b.status[k],
            total_amount=money(b.total_c[k]), total_cost=money(b.cost_c[k]),
        )
    chronological = [orders[k] for k in np.argsort(seconds, kind="stable").tolist()]
    _bulk(Order, chronological, stage, "orders")
    lines = [
        OrderLine(order=orders[o], line_no=no, product=products[p], quantity=q, unit_price=money(pr),
                  discount=money(d), unit_cost=money(uc))
        for o, no, p, q, pr, d, uc in zip(
            b.line_order.tolist(), b.line_no.tolist(), b.product.tolist(), b.quantity.tolist(),
            b.price_c.tolist(), b.discount_c.tolist(), b.unit_cost_c.tolist(), strict=True)
    ]
    _bulk(OrderLine, lines, stage, "order lines")
    return orders


def _write_interactions(company: Company, clock: Clock, parties: list[Party], users: list[User],
                        stage: Stage) -> None:
    a = company.log.arrays()
    order = np.lexsort((a["time"], a["party"]))
    when = clock.many(a["time"][order])
    cost = {ch: _dec(v) for ch, v in CHANNEL_COST.items()}
    rows = [
        Interaction(party=parties[p], channel=ch, direction=d, occurred_at=t, subject=s,
                    user=users[u] if u >= 0 else None, cost=cost[ch])
        for p, ch, d, t, s, u in zip(
            a["party"][order].tolist(), a["channel"][order].tolist(), a["direction"][order].tolist(),
            when, a["subject"][order].tolist(), a["user"][order].tolist(), strict=True)
    ]
    _bulk(Interaction, rows, stage, "interactions")


def _write_members(company: Company, clock: Clock, parties: list[Party], campaigns: list[Campaign],
                   orders: list[Order], stage: Stage) -> None:
    plan = company.plan
    if not plan.m_party:
        return
    camp = np.concatenate(plan.m_campaign).tolist()
    party = np.concatenate(plan.m_party).tolist()
    sent = clock.many(np.concatenate(plan.m_sent))
    responded_days = np.concatenate(plan.m_responded)
    order = np.concatenate(plan.m_order).tolist()
    status = _has_field(CampaignMember, "send_status")
    rows = []
    for k in range(len(camp)):
        r = responded_days[k]
        extra = {"send_status": "sent", "status_at": sent[k]} if status else {}
        rows.append(CampaignMember(
            campaign=campaigns[camp[k]], party=parties[party[k]], sent_at=sent[k],
            responded_at=None if np.isnan(r) else clock.at(r),
            converting_order=orders[order[k]] if order[k] >= 0 else None, **extra,
        ))
    _bulk(CampaignMember, rows, stage, "campaign members")
