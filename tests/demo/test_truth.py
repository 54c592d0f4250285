"""The planted truth is present, and consistent with the data it describes.

Every figure is recomputed from the stored rows (orders, lines, rates, interactions),
not taken from the simulation, so a writer or simulation bug shows up here.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import pytest
from django.db.models import F, Sum

from clientela.crm.commerce.models import ExchangeRate, Order, OrderLine
from clientela.crm.engagement.models import Campaign, CampaignMember, Interaction
from clientela.crm.parties.models import Consent, Party
from clientela.demo.contacts import CHANNEL_COST
from clientela.demo.models import CustomerTruth, Trait
from clientela.demo.queries import fact, planted_refs, trait_details

pytestmark = pytest.mark.django_db
CENT = Decimal("0.01")


def _net_by_ref() -> dict[str, Decimal]:
    """Net contribution per party, recomputed by the definition stored in the facts."""
    rates = {(d, c): r for d, c, r in ExchangeRate.objects.values_list("date", "currency", "rate")}
    net: dict[str, Decimal] = defaultdict(Decimal)
    rows = Order.objects.values_list("party__ref", "ordered_at", "currency", "status", "total_amount",
                                     "total_cost")
    for ref, at, currency, status, amount, cost in rows:
        if status in ("cancelled", "returned"):
            continue
        rate = Decimal(1) if currency == "PLN" else rates[(at.astimezone(UTC).date(), currency)]
        net[ref] += (amount * rate).quantize(CENT, ROUND_HALF_EVEN) - (cost * rate).quantize(CENT, ROUND_HALF_EVEN)
    for ref, cost in Interaction.objects.values_list("party__ref").annotate(c=Sum("cost")):
        net[ref] -= cost
    return net


def _revenue_by_ref() -> dict[str, Decimal]:
    rates = {(d, c): r for d, c, r in ExchangeRate.objects.values_list("date", "currency", "rate")}
    revenue: dict[str, Decimal] = defaultdict(Decimal)
    for ref, at, currency, status, amount in Order.objects.values_list(
            "party__ref", "ordered_at", "currency", "status", "total_amount"):
        if status not in ("cancelled", "returned"):
            rate = Decimal(1) if currency == "PLN" else rates[(at.astimezone(UTC).date(), currency)]
            revenue[ref] += amount * rate
    return revenue


def test_every_trait_is_planted_and_the_roles_match(small_company: dict[str, Any]) -> None:
    assert Party.objects.count() == 600
    for trait in Trait.values:
        assert planted_refs(trait), f"no party carries {trait}"
    role_of = {Trait.PROSPECT: "is_prospect", Trait.SUPPLIER: "is_supplier",
               Trait.PARTNER: "is_partner", Trait.INTERNAL: "is_internal"}
    for trait, flag in role_of.items():
        assert planted_refs(trait) == set(Party.objects.filter(**{flag: True}).values_list("ref", flat=True))
    for trait in (Trait.SUPPLIER, Trait.PARTNER):
        orgs = Party.objects.filter(ref__in=planted_refs(trait))
        assert not orgs.exclude(kind="organisation").exists()
        assert not orgs.filter(contacts__isnull=True).exists(), f"a {trait} has no contact person"
    assert not Party.objects.filter(is_internal=True).exclude(email__endswith="@bursztyn.example").exists()


def test_prospects_never_bought(small_company: dict[str, Any]) -> None:
    prospects = Party.objects.filter(is_prospect=True)
    assert prospects.count() >= 50
    assert not Order.objects.filter(party__is_prospect=True).exists()
    assert not prospects.filter(is_customer=True).exists()
    assert not Party.objects.filter(is_customer=True, orders__isnull=True).exists()


def test_order_totals_are_the_sums_of_their_lines(small_company: dict[str, Any]) -> None:
    sums = OrderLine.objects.values("order_id").annotate(
        amount=Sum(F("quantity") * F("unit_price") - F("discount")),
        cost=Sum(F("quantity") * F("unit_cost")),
    )
    lines = {r["order_id"]: (r["amount"], r["cost"]) for r in sums}
    orders = list(Order.objects.values_list("id", "total_amount", "total_cost"))
    assert len(orders) > 500
    assert len(lines) == len(orders), "an order has no lines"
    for oid, amount, cost in orders:
        assert (amount, cost) == (lines[oid][0].quantize(CENT), lines[oid][1].quantize(CENT)), oid
    counts = OrderLine.objects.values("order_id").annotate(n=Sum(1)).values_list("n", flat=True)
    assert set(counts) <= {1, 2, 3, 4}


def test_refs_look_like_a_real_crm(small_company: dict[str, Any]) -> None:
    for ref in Party.objects.values_list("ref", flat=True):
        assert re.fullmatch(r"[CPSBE]\d{6}", ref), ref
    assert not Party.objects.filter(is_customer=True).exclude(ref__startswith="C").exists()
    previous = None
    for ref, at in Order.objects.order_by("ordered_at", "ref").values_list("ref", "ordered_at"):
        assert re.fullmatch(rf"ORD-{at.astimezone(UTC).year}-\d{{6}}", ref), (ref, at)
        if previous and previous[:8] == ref[:8]:
            assert ref > previous, "order refs follow time within a year"
        previous = ref
    phones = Party.objects.filter(country="PL", kind="person").exclude(phone="").values_list("phone", flat=True)
    assert all(re.fullmatch(r"\+48 \d{3} \d{3} \d{3}", p) for p in phones)


def test_planted_loss_makers_lose_money_and_the_rest_do_not(small_company: dict[str, Any]) -> None:
    net = _net_by_ref()
    customers = set(Party.objects.filter(is_customer=True).values_list("ref", flat=True))
    negative = {ref for ref in customers if net[ref] < 0}
    assert planted_refs(Trait.LOSS_MAKER) == negative
    planted_losers = planted_refs(Trait.HEAVY_DISCOUNTER) | planted_refs(Trait.HEAVY_RETURNER)
    assert planted_losers <= negative
    details = trait_details(Trait.LOSS_MAKER)
    assert {r for r, d in details.items() if d["planted"]} == planted_losers
    for ref, detail in details.items():
        assert Decimal(detail["net_contribution"]) == net[ref]
    # Loss-making is the exception: most plain customers make money.
    assert len(negative - planted_losers - planted_refs(Trait.HIGH_COST_TO_SERVE)) < 0.15 * len(customers)
    truth = dict(CustomerTruth.objects.values_list("party__ref", "net_contribution"))
    assert truth == {ref: net[ref] for ref in customers}


def test_discounters_get_big_discounts_and_returners_return(small_company: dict[str, Any]) -> None:
    gross_discount = OrderLine.objects.values_list("order__party__ref").annotate(
        gross=Sum(F("quantity") * F("unit_price")), discount=Sum("discount"))
    share = {ref: d / g for ref, g, d in gross_discount}
    discounters = planted_refs(Trait.HEAVY_DISCOUNTER)
    others = set(share) - discounters
    assert min(share[r] for r in discounters) > 0.25
    assert sorted(share[r] for r in others)[len(others) // 2] < 0.1
    orders: dict[str, list[str]] = defaultdict(list)
    for ref, status in Order.objects.values_list("party__ref", "status"):
        orders[ref].append(status)
    returners = planted_refs(Trait.HEAVY_RETURNER)
    rate = {ref: s.count("returned") / len(s) for ref, s in orders.items()}
    assert sum(rate[r] for r in returners) / len(returners) > 0.5
    assert sum(rate[r] for r in set(rate) - returners) / (len(rate) - len(returners)) < 0.1


def test_high_cost_to_serve_customers_cost_much_more(small_company: dict[str, Any]) -> None:
    cost = dict(Interaction.objects.filter(party__is_customer=True).values_list("party__ref")
                .annotate(c=Sum("cost")))
    costly = planted_refs(Trait.HIGH_COST_TO_SERVE)
    typical = sorted(cost.get(r, Decimal(0)) for r in
                     set(Party.objects.filter(is_customer=True).values_list("ref", flat=True)) - costly)
    median = typical[len(typical) // 2]
    assert sorted(cost[r] for r in costly)[len(costly) // 2] > 10 * median


def test_referred_friends_point_at_planted_promoters(small_company: dict[str, Any]) -> None:
    promoters = planted_refs(Trait.PROMOTER)
    referred = Party.objects.filter(referred_by__isnull=False)
    assert referred.exists()
    pairs = list(referred.values_list("ref", "referred_by__ref", "acquired_at", "referred_by__acquired_at"))
    assert {by for _, by, _, _ in pairs} <= promoters
    assert {ref for ref, *_ in pairs} == planted_refs(Trait.REFERRED)
    assert all(at > by_at for _, _, at, by_at in pairs)
    assert set(Party.objects.filter(acquisition_channel="referral").values_list("ref", flat=True)) == \
        {ref for ref, *_ in pairs}
    by_detail = trait_details(Trait.REFERRED)
    assert all(by_detail[ref]["by"] == by for ref, by, _, _ in pairs)
    # Promoters are active repeat buyers (the ladder's client rung, on the way to advocate).
    end = Order.objects.order_by("-ordered_at").values_list("ordered_at", flat=True).first()
    for ref in promoters:
        dates = list(Order.objects.filter(party__ref=ref).values_list("ordered_at", flat=True))
        assert len(dates) >= 3
        assert (end - max(dates)).days <= 46


def test_a_small_top_group_brings_most_of_the_revenue(small_company: dict[str, Any]) -> None:
    revenue = _revenue_by_ref()
    customers = list(Party.objects.filter(is_customer=True).values_list("ref", flat=True))
    ranked = sorted((revenue.get(r, Decimal(0)) for r in customers), reverse=True)
    total = sum(ranked)
    top20 = sum(ranked[: round(len(ranked) * 0.2)]) / total
    assert 0.55 <= top20 <= 0.9
    top = planted_refs(Trait.TOP_CUSTOMER)
    assert 0.03 * len(customers) <= len(top) <= 0.07 * len(customers)
    assert sum(revenue[r] for r in top) / total > 0.3
    top10 = set(sorted(customers, key=lambda r: revenue.get(r, Decimal(0)), reverse=True)[: len(customers) // 10])
    assert len(top & top10) >= 0.5 * len(top)
    stored = fact("concentration")
    assert abs(stored["top_20_pct_share"] - float(top20)) < 0.01


def test_consents_withdrawn_after_given_and_newsletters_respect_them(small_company: dict[str, Any]) -> None:
    consents = Consent.objects.all()
    assert consents.filter(withdrawn_at__isnull=False).exists()
    assert not consents.filter(withdrawn_at__lt=F("given_at")).exists()
    assert {"marketing", "newsletter", "surveys"} <= set(consents.values_list("purpose", flat=True))
    windows = {ref: (g, w) for ref, g, w in consents.filter(purpose="newsletter", channel="email")
               .values_list("party__ref", "given_at", "withdrawn_at")}
    sent = Interaction.objects.filter(subject__startswith="Newsletter").values_list("party__ref", "occurred_at")
    assert sent.exists()
    for ref, at in sent:
        given, withdrawn = windows[ref]
        assert given <= at and (withdrawn is None or at < withdrawn), ref
    # (Members of a control group were never sent to: demo.experiments.)
    for member in CampaignMember.objects.exclude(campaign__kind="acquisition").exclude(
            sent_at__isnull=True).select_related("campaign"):
        ok = Consent.objects.filter(party_id=member.party_id, purpose="marketing",
                                    channel=member.campaign.channel, given_at__lte=member.sent_at)
        assert ok.exists(), member


def test_interactions_on_every_channel_at_their_cost(small_company: dict[str, Any]) -> None:
    by_channel = dict(Interaction.objects.values_list("channel").annotate(n=Sum(1)))
    assert set(by_channel) == set(CHANNEL_COST)
    for channel, cost in CHANNEL_COST.items():
        assert set(Interaction.objects.filter(channel=channel).values_list("cost", flat=True)) == \
            {Decimal(str(cost)).quantize(CENT)}
    assert not Interaction.objects.filter(occurred_at__gte=f"{fact('generator')['today']}T00:00:00Z").exists()


def test_foreign_orders_have_exchange_rates(small_company: dict[str, Any]) -> None:
    eur = Order.objects.filter(currency="EUR")
    assert eur.count() > 0.03 * Order.objects.count()
    rates = {(d, c): r for d, c, r in ExchangeRate.objects.values_list("date", "currency", "rate")}
    for at, currency in Order.objects.exclude(currency="PLN").values_list("ordered_at", "currency"):
        assert (at.astimezone(UTC).date(), currency) in rates
    eur_rates = [r for (_, c), r in rates.items() if c == "EUR"]
    assert Decimal("4.2") <= min(eur_rates) and max(eur_rates) <= Decimal("4.6")


def test_customers_come_from_campaigns_with_real_spend(small_company: dict[str, Any]) -> None:
    customers = Party.objects.filter(is_customer=True)
    assert not customers.filter(acquired_at__isnull=True).exists()
    paid = customers.exclude(acquisition_channel="direct")
    assert not paid.filter(acquisition_campaign__isnull=True).exists()
    assert not paid.exclude(acquisition_campaign__channel=F("acquisition_channel")).exists()
    assert not customers.filter(acquisition_channel="direct", acquisition_campaign__isnull=False).exists()
    acquisition = Campaign.objects.filter(kind="acquisition")
    assert {"search", "social", "referral"} <= set(acquisition.values_list("channel", flat=True))
    assert not acquisition.filter(spend__lte=0).exists()
    assert {"retention", "add_on", "win_back"} <= set(Campaign.objects.values_list("kind", flat=True))
    converted = CampaignMember.objects.filter(converting_order__isnull=False)
    assert converted.exists()
    assert not converted.exclude(converting_order__party=F("party")).exists()
    assert not converted.filter(responded_at__lt=F("sent_at")).exists()


def test_truth_records_the_generating_process(small_company: dict[str, Any]) -> None:
    process = fact("purchase_process")
    assert {"r", "alpha", "a", "b"} <= set(process)
    assert process["time_unit"] == "day"
    assert len(process["seasonality_by_month"]) == 12
    assert fact("generator")["seed"] == 7
    truth = CustomerTruth.objects.all()
    assert truth.count() == Party.objects.filter(is_customer=True).count()
    assert not truth.filter(alive_at_end=False, dropped_out_at__isnull=True).exists()
    assert not truth.filter(party__demo_traits__trait=Trait.PROMOTER, alive_at_end=False).exists()
    with pytest.raises(KeyError):
        fact("no such fact")
