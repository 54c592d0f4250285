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
from clientela.crm.query_filters import filter_given


def list_products(
    user: Any, *, q: str | None = None, category: str | None = None, is_active: bool | None = None
) -> QuerySet[Product]:
    qs = visible_products(user)
    if q:
        qs = qs.filter(Q(sku__icontains=q) | Q(name__icontains=q))
    return filter_given(qs, category=category, is_active=is_active)


def list_orders(
    user: Any,
    *,
    party_id: int | None = None,
    status: str | None = None,
    ordered_from: dt.datetime | None = None,
    ordered_to: dt.datetime | None = None,
) -> QuerySet[Order]:
    return filter_given(visible_orders(user).prefetch_related("lines"), party_id=party_id, status=status,
                        ordered_at__gte=ordered_from, ordered_at__lt=ordered_to)


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
