"""Suppliers, partners, internal stakeholders and archived parties are outside the
customer base: planted with orders and costs that would make customers of them (and a
loss that would earn a "Managed exit"), they get no score, no next best action, and
appear in no customer list, search, segment, count or KPI; the rule over the records
(``parties.models.OUTSIDE_CUSTOMER_BASE``) and over frames (``insight.in_customer_base``)
agree."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest
from django.test import Client

from clientela import insight
from clientela.crm.accounts.models import User
from clientela.crm.commerce.models import Order
from clientela.crm.engagement.models import Interaction
from clientela.crm.engagement.segments import SegmentDefinition, segment_scores, segment_size
from clientela.crm.parties import actions
from clientela.crm.parties.models import OUTSIDE_CUSTOMER_BASE, ROLE_FIELDS, Party
from clientela.crm.scoring.actions import run_scoring
from clientela.crm.scoring.models import CustomerScore

pytestmark = pytest.mark.django_db

KINDS = {
    "supplier": {"is_supplier": True},
    "partner": {"is_partner": True},
    "internal": {"is_internal": True},
    "archived": {"is_customer": True},
}


def _listed(c: Client, **params: Any) -> set[int]:
    seen: set[int] = set()
    for page in range(1, 30):
        html = c.get("/customers/", {**params, "page": page}).content.decode()
        seen |= {int(i) for i in re.findall(r'href="/customers/(\d+)/" translate="no" data-testid="customer-link"', html)}
        if 'rel="next"' not in html:
            return seen
    raise AssertionError("more pages than expected")


def _plant(admin: User) -> dict[str, Party]:
    """One party of each kind, each with orders over the last two years (one returned)
    and costly interactions, as a loss-making customer would have."""
    planted = {}
    now = dt.datetime.now(dt.UTC)
    for kind, roles in KINDS.items():
        party = actions.create_party(admin, {"name": f"Planted {kind}", "email": f"{kind}@planted.example",
                                             "acquired_at": now - dt.timedelta(days=700), **roles})
        for i in range(6):
            Order.objects.create(
                party=party, ref=f"PL-{kind}-{i}", ordered_at=now - dt.timedelta(days=100 * i + 5),
                total_amount=Decimal("50"), total_cost=Decimal("49"), currency="PLN",
                status="returned" if i == 0 else "completed",
            )
            Interaction.objects.create(party=party, channel="phone", direction="outbound", subject="Call",
                                       occurred_at=now - dt.timedelta(days=30 * i + 1), cost=Decimal("900"))
        if kind == "archived":
            actions.archive_party(admin, party, expected_version=party.version)
        planted[kind] = party
    return planted


def test_other_kinds_are_never_customers(company: dict[str, Any]) -> None:
    admin = User.objects.create_user(username="root", role="admin", is_staff=True)
    planted = _plant(admin)
    run = run_scoring(None)
    ids = {p.pk for p in planted.values()}

    # Scoring: no score, so no CLV, segment, ladder stage or next best action ("Managed exit").
    assert not CustomerScore.objects.filter(run=run, party_id__in=ids).exists()
    scored = CustomerScore.objects.filter(run=run).count()
    base = Party.objects.exclude(OUTSIDE_CUSTOMER_BASE).count()
    assert scored == base
    # Customer counts and KPIs of the run are over those scores only.
    summary = run.summary
    assert sum(summary["loyalty_ladder"]["counts"].values()) == scored
    assert sum(summary["next_best_actions"].values()) == scored
    assert summary["kpis"]["active_customers"] <= scored

    # Lists and search, every sort.
    c = Client()
    c.force_login(admin)
    for sort in ("clv", "p_alive", "name"):
        assert not ids & _listed(c, sort=sort), sort
        assert not ids & _listed(c, sort=sort, q="planted"), sort
    # Segments: sizes and members.
    everyone = SegmentDefinition()
    assert segment_size(admin, everyone, run) == scored
    assert not set(segment_scores(admin, everyone, run).values_list("party_id", flat=True)) & ids
    size = c.get("/segments/size/").content.decode()
    assert f"{scored:,}".replace(",", "\u202f") in size or str(scored) in size or f"{scored:,}" in size
    # They have their own list.
    for kind in ("supplier", "partner", "internal"):
        assert f"Planted {kind}" in c.get("/parties/", {"kind": kind}).content.decode()
    assert "Planted archived" in c.get("/parties/", {"archived": "1"}).content.decode()


def test_leaving_the_base_after_the_run_takes_effect_at_once(company: dict[str, Any]) -> None:
    """A customer archived, or found to be a supplier only, since the run: gone from the
    list and the segments before the next run."""
    admin = User.objects.create_user(username="root2", role="admin")
    run = company["run"]
    gone, supplier = list(
        Party.objects.filter(scores__run=run, scores__clv__isnull=False).order_by("-scores__clv")[:2]
    )
    actions.archive_party(admin, gone, expected_version=gone.version)
    roles = {f: False for f in ROLE_FIELDS} | {"is_supplier": True}
    actions.update_party(admin, supplier, expected_version=supplier.version, changes=roles)
    c = Client()
    c.force_login(admin)
    ids = {gone.pk, supplier.pk}
    for sort in ("clv", "name"):
        assert not ids & _listed(c, sort=sort)
    assert not set(segment_scores(admin, SegmentDefinition(), run).values_list("party_id", flat=True)) & ids
    assert segment_size(admin, SegmentDefinition(), run) == CustomerScore.objects.filter(run=run).count() - 2


def test_the_rule_over_records_and_over_frames_agree(db: None) -> None:
    admin = User.objects.create_user(username="root3", role="admin")
    rows = []
    for mask in range(2 ** len(ROLE_FIELDS)):
        roles = {f: bool(mask >> i & 1) for i, f in enumerate(ROLE_FIELDS)}
        for archived in (False, True):
            party = actions.create_party(admin, {"name": f"P{mask}-{archived}", **roles})
            if archived:
                actions.archive_party(admin, party, expected_version=party.version)
            rows.append({"party_id": party.pk, "archived": archived, **roles})
    frame = pd.DataFrame(rows)
    inside = set(frame.loc[insight.in_customer_base(frame), "party_id"])
    planted = Party.objects.filter(pk__in=list(frame.party_id))
    assert inside == set(planted.exclude(OUTSIDE_CUSTOMER_BASE).values_list("pk", flat=True))
    assert inside == {p.pk for p in planted if p.in_customer_base}
    assert len(inside) == 2 ** (len(ROLE_FIELDS) - 3) * 2 ** 3 - (2 ** 3 - 1)  # not archived, minus other-only
    # A partner who also buys stays a customer (the ladder's "partner" rung); one who does not, leaves.
    partner_customer = frame[(frame.is_partner) & (frame.is_customer) & ~frame.archived & ~frame.is_supplier]
    assert set(partner_customer.party_id) <= inside
