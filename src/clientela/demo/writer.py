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
from clientela.crm.accounts.permissions import admin_flags
from clientela.crm.commerce.models import ExchangeRate, Order, OrderLine, Product
from clientela.crm.engagement.models import Campaign, CampaignMember, Interaction
from clientela.crm.parties.models import Consent, ContactPerson, Party
from clientela.demo import fastload
from clientela.demo.baskets import CURRENCIES
from clientela.demo.company import Company, all_orders
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
             email=f"{u}@bursztyn.example", password=unusable, **admin_flags(role))
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

    dates = [company.start + timedelta(days=d) for d in range(company.horizon + 1)]
    codes = list(company.rates)
    stage("exchange rates", fastload.insert(ExchangeRate, {
        "date": dates * len(codes),
        "currency": [code for code in codes for _ in dates],
        "rate": [Decimal(f"{v:.4f}") for code in codes for v in company.rates[code].tolist()],
    }))

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

    user_ids = [u.pk for u in users]
    parties = _write_parties(company, clock, user_ids, [t.pk for t in teams], [c.pk for c in campaigns], stage)
    _write_consents(company, clock, parties, user_ids, stage)
    orders = _write_orders(company, clock, parties, [p.pk for p in products], stage)
    _write_interactions(company, clock, parties, user_ids, stage)
    _write_members(company, clock, parties, [c.pk for c in campaigns], orders, stage)
    fastload.reset_sequences(Party, ContactPerson, Consent, Order, OrderLine, Interaction, CampaignMember)
    return {"parties": parties, "orders": orders}


def _write_parties(company: Company, clock: Clock, users: list[int], teams: list[int],
                   campaigns: list[int], stage: Stage) -> list[int]:
    r = company.roster
    n_all, n = len(r), company.customers
    ids = fastload.next_ids(Party, n_all)
    acquired: list[datetime | None] = [*clock.many(company.acquired), *([None] * (n_all - n))]
    # created_at says when the company first knew the party, not when the demo was built.
    first_known = clock.many(np.concatenate([company.acquired, np.zeros(n_all - n)]))
    for pi, day in zip(company.prospects.tolist(), company.lead_day.tolist(), strict=True):
        first_known[pi] = clock.at(day)
    campaign = [campaigns[c] if c >= 0 else None for c in company.campaign_of.tolist()]
    referred = [ids[j] if j >= 0 else None for j in company.referred_by.tolist()]
    rest = [None] * (n_all - n)
    role = r.role
    stage("parties", fastload.insert(Party, {
        "id": ids, "ref": r.ref, "kind": r.kind, "name": r.name, "email": r.email, "phone": r.phone,
        "country": r.country, "city": r.city, "language": r.language, "preferred_channel": r.preferred,
        "is_customer": [x == "customer" for x in role], "is_prospect": [x == "prospect" for x in role],
        "is_supplier": [x == "supplier" for x in role],
        "is_partner": [x == "partner" or p for x, p in zip(role, r.also_partner, strict=True)],
        "is_internal": [x == "internal" for x in role],
        "owner_id": [users[o] if o >= 0 else None for o in r.owner],
        "team_id": [teams[t] if t >= 0 else None for t in r.team],
        "acquired_at": acquired,
        "acquisition_channel": [str(c) for c in company.channel.tolist()] + [""] * (n_all - n),
        "acquisition_campaign_id": campaign + rest, "referred_by_id": referred + rest,
        "version": [1] * n_all, "created_at": first_known, "updated_at": first_known,
    }))
    people = [(ids[i], k, person) for i, group in enumerate(r.contacts) for k, person in enumerate(group)]
    stage("contact persons", fastload.insert(ContactPerson, {
        "organisation_id": [p[0] for p in people], "name": [p[2][0] for p in people],
        "job_title": [p[2][1] for p in people], "email": [p[2][2] for p in people],
        "phone": [p[2][3] for p in people], "is_primary": [p[1] == 0 for p in people],
    }))
    return ids


def _write_consents(company: Company, clock: Clock, parties: list[int], users: list[int],
                    stage: Stage) -> None:
    c = company.consents
    owner = company.roster.owner
    who = c.party.tolist()
    stage("consents", fastload.insert(Consent, {
        "party_id": [parties[i] for i in who], "purpose": c.purpose.tolist(), "channel": c.channel.tolist(),
        "lawful_basis": c.basis.tolist(), "source": c.source.tolist(), "given_at": clock.many(c.given),
        "withdrawn_at": [None if np.isnan(w) else clock.at(w) for w in c.withdrawn.tolist()],
        "recorded_by_id": [users[owner[i]] if s == "phone call" and owner[i] >= 0 else None
                           for i, s in zip(who, c.source.tolist(), strict=True)],
    }))


def _write_orders(company: Company, clock: Clock, parties: list[int], products: list[int],
                  stage: Stage) -> list[int]:
    """Every order (``all_orders``); returns the ids of ``company.baskets``' orders."""
    b, moved = all_orders(company)
    seconds = np.minimum(b.day * 86400 + b.second, clock.last)
    # Refs and ids follow time: ORD-2025-000001 is the first order of 2025.
    chrono = np.argsort(seconds, kind="stable")
    ids_sorted = fastload.next_ids(Order, len(b))
    order_id = [0] * len(b)
    refs, when = [], []
    per_year: dict[int, int] = {}
    for k, oid in zip(chrono.tolist(), ids_sorted, strict=True):
        at = clock.start + timedelta(seconds=int(seconds[k]))
        per_year[at.year] = per_year.get(at.year, 0) + 1
        refs.append(f"ORD-{at.year}-{per_year[at.year]:06d}")
        when.append(at)
        order_id[k] = oid
    stage("orders", fastload.insert(Order, {
        "id": ids_sorted, "ref": refs, "party_id": [parties[c] for c in b.customer[chrono].tolist()],
        "ordered_at": when, "channel": b.channel[chrono].tolist(),
        "currency": [CURRENCIES[c] for c in b.currency[chrono].tolist()], "status": b.status[chrono].tolist(),
        "total_amount": [money(c) for c in b.total_c[chrono].tolist()],
        "total_cost": [money(c) for c in b.cost_c[chrono].tolist()],
    }))
    stage("order lines", fastload.insert(OrderLine, {
        "order_id": [order_id[o] for o in b.line_order.tolist()], "line_no": b.line_no.tolist(),
        "product_id": [products[p] for p in b.product.tolist()], "quantity": b.quantity.tolist(),
        "unit_price": [money(c) for c in b.price_c.tolist()],
        "discount": [money(c) for c in b.discount_c.tolist()],
        "unit_cost": [money(c) for c in b.unit_cost_c.tolist()],
    }))
    return [order_id[k] for k in moved.tolist()]


def _write_interactions(company: Company, clock: Clock, parties: list[int], users: list[int],
                        stage: Stage) -> None:
    a = company.log.arrays()
    order = np.lexsort((a["time"], a["party"]))
    cost = {ch: _dec(v) for ch, v in CHANNEL_COST.items()}
    channel = a["channel"][order].tolist()
    stage("interactions", fastload.insert(Interaction, {
        "party_id": [parties[p] for p in a["party"][order].tolist()], "channel": channel,
        "direction": a["direction"][order].tolist(), "occurred_at": clock.many(a["time"][order]),
        "subject": a["subject"][order].tolist(), "notes": a["notes"][order].tolist(),
        "user_id": [users[u] if u >= 0 else None for u in a["user"][order].tolist()],
        "cost": [cost[ch] for ch in channel],
    }))


def _write_members(company: Company, clock: Clock, parties: list[int], campaigns: list[int],
                   orders: list[int], stage: Stage) -> None:
    plan = company.plan
    if not plan.m_party:
        return
    sent = clock.many(np.concatenate(plan.m_sent))
    columns: dict[str, list[Any]] = {
        "campaign_id": [campaigns[c] for c in np.concatenate(plan.m_campaign).tolist()],
        "party_id": [parties[p] for p in np.concatenate(plan.m_party).tolist()],
        "sent_at": sent,
        "responded_at": [None if np.isnan(r) else clock.at(r) for r in np.concatenate(plan.m_responded).tolist()],
        "converting_order_id": [orders[o] if o >= 0 else None for o in np.concatenate(plan.m_order).tolist()],
    }
    if _has_field(CampaignMember, "send_status"):
        # Historical sends: already delivered when the demo company starts.
        columns["send_status"] = ["sent"] * len(sent)
        columns["status_at"] = sent
    stage("campaign members", fastload.insert(CampaignMember, columns))
