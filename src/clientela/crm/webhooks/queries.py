"""Reads of the webhooks page, the API and the CLI."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from clientela.crm.webhooks.models import Delivery, DeliveryStatus, Subscription


def subscriptions() -> QuerySet[Subscription]:
    return Subscription.objects.annotate(
        delivered=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.SUCCEEDED)),
        failed=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
    ).order_by("name", "id")


def deliveries(*, subscription_id: int | None = None, status: str = "") -> QuerySet[Delivery]:
    rows = (Delivery.objects.select_related("event", "subscription").prefetch_related("attempt_log")
            .order_by("-created_at", "-id"))
    if subscription_id is not None:
        rows = rows.filter(subscription_id=subscription_id)
    return rows.filter(status=status) if status else rows
