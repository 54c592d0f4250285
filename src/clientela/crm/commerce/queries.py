"""Reads of products, orders and exchange rates that pages and the API share."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from clientela.crm.commerce.access import visible_orders, visible_products
from clientela.crm.commerce.models import ExchangeRate, Order, Product


def list_products(
    user: Any, *, q: str | None = None, category: str | None = None, is_active: bool | None = None
) -> QuerySet[Product]:
    qs = visible_products(user)
    if q:
        qs = qs.filter(Q(sku__icontains=q) | Q(name__icontains=q))
    if category:
        qs = qs.filter(category=category)
    if is_active is not None:
        qs = qs.filter(is_active=is_active)
    return qs


def list_orders(
    user: Any,
    *,
    party_id: int | None = None,
    status: str | None = None,
    ordered_from: dt.datetime | None = None,
    ordered_to: dt.datetime | None = None,
) -> QuerySet[Order]:
    qs = visible_orders(user).prefetch_related("lines")
    if party_id is not None:
        qs = qs.filter(party_id=party_id)
    if status:
        qs = qs.filter(status=status)
    if ordered_from:
        qs = qs.filter(ordered_at__gte=ordered_from)
    if ordered_to:
        qs = qs.filter(ordered_at__lt=ordered_to)
    return qs


def latest_rates(currencies: set[str], *, on: dt.date | None = None) -> dict[str, Decimal]:
    """Base-currency units per unit of each currency: 1 for the base currency, else the
    latest ``ExchangeRate`` on or before ``on`` (today); currencies without one are left
    out. One query."""
    base = settings.BASE_CURRENCY
    rates = {base: Decimal("1")} if base in currencies else {}
    foreign = sorted(currencies - {base})
    if foreign:
        day = on or timezone.localdate()
        latest = ExchangeRate.objects.filter(currency=OuterRef("currency"), date__lte=day).order_by("-date")
        rows = (
            ExchangeRate.objects.filter(currency__in=foreign, date__lte=day)
            .filter(pk=Subquery(latest.values("pk")[:1]))
            .values_list("currency", "rate")
        )
        rates.update(dict(rows))
    return rates
