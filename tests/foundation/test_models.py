"""Database constraints of the customer record hold on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from clientela.crm.commerce.models import ExchangeRate, Order, OrderLine, Product
from clientela.crm.engagement.models import Campaign, CampaignMember, Interaction
from clientela.crm.parties.models import Consent, Party

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def _party(ref: str = "C1", **kw: object) -> Party:
    return Party.objects.create(ref=ref, name=f"Party {ref}", is_customer=True, **kw)


def _violates(fn) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


def test_party_ref_is_unique() -> None:
    _party("C1")
    _violates(lambda: _party("C1"))


def test_party_roles_and_version() -> None:
    party = _party("C2", is_partner=True)
    assert party.roles == ["customer", "partner"]
    assert party.version == 1
    _violates(lambda: Party.objects.filter(pk=party.pk).update(version=0))


def test_party_cannot_refer_itself() -> None:
    party = _party("C3")
    _violates(lambda: Party.objects.filter(pk=party.pk).update(referred_by=party))


def test_consent_cannot_be_withdrawn_before_given() -> None:
    party = _party()
    Consent.objects.create(party=party, purpose="marketing", channel="email", given_at=NOW)
    _violates(
        lambda: Consent.objects.create(
            party=party,
            purpose="marketing",
            channel="sms",
            given_at=NOW,
            withdrawn_at=NOW - timedelta(days=1),
        )
    )


def test_order_ref_unique_and_lines_constrained() -> None:
    party = _party()
    product = Product.objects.create(sku="SKU-1", name="Kettle", list_price=Decimal("199.00"))
    order = Order.objects.create(ref="O1", party=party, ordered_at=NOW)
    _violates(lambda: Order.objects.create(ref="O1", party=party, ordered_at=NOW))
    OrderLine.objects.create(order=order, line_no=1, product=product, quantity=2, unit_price=Decimal("10.50"))
    _violates(
        lambda: OrderLine.objects.create(order=order, line_no=1, product=product, quantity=1, unit_price=1)
    )
    _violates(
        lambda: OrderLine.objects.create(order=order, line_no=2, product=product, quantity=0, unit_price=1)
    )
    _violates(
        lambda: OrderLine.objects.create(
            order=order, line_no=3, product=product, quantity=1, unit_price=Decimal("-1")
        )
    )


def test_money_is_decimal_to_the_cent() -> None:
    party = _party()
    product = Product.objects.create(sku="SKU-2", name="Lamp", list_price=Decimal("0.10"))
    order = Order.objects.create(ref="O2", party=party, ordered_at=NOW)
    for i in range(10):
        OrderLine.objects.create(
            order=order, line_no=i + 1, product=product, quantity=1, unit_price=Decimal("0.10")
        )
    total = sum((line.net_amount for line in order.lines.all()), Decimal("0"))
    assert total == Decimal("1.00")
    assert isinstance(OrderLine.objects.first().unit_price, Decimal)


def test_party_with_orders_cannot_be_deleted() -> None:
    from django.db.models import ProtectedError

    party = _party()
    Order.objects.create(ref="O3", party=party, ordered_at=NOW)
    with pytest.raises(ProtectedError):
        party.delete()


def test_exchange_rate_unique_and_positive() -> None:
    ExchangeRate.objects.create(date=NOW.date(), currency="EUR", rate=Decimal("4.27"))
    _violates(lambda: ExchangeRate.objects.create(date=NOW.date(), currency="EUR", rate=Decimal("4.3")))
    _violates(lambda: ExchangeRate.objects.create(date=NOW.date(), currency="USD", rate=Decimal("0")))


def test_campaign_member_unique_and_dates() -> None:
    party = _party()
    campaign = Campaign.objects.create(name="Spring", kind="retention", channel="email", starts_on=NOW.date())
    CampaignMember.objects.create(campaign=campaign, party=party)
    _violates(lambda: CampaignMember.objects.create(campaign=campaign, party=party))
    _violates(
        lambda: Campaign.objects.create(
            name="Bad", kind="retention", channel="email", starts_on=NOW.date(),
            ends_on=NOW.date() - timedelta(days=1),
        )
    )


def test_interaction_cost_nonnegative() -> None:
    party = _party()
    Interaction.objects.create(party=party, channel="phone", direction="inbound", occurred_at=NOW, cost=Decimal("12"))
    _violates(
        lambda: Interaction.objects.create(
            party=party, channel="phone", direction="inbound", occurred_at=NOW, cost=Decimal("-1")
        )
    )
