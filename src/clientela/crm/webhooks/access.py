"""Who may manage webhooks: the roles with the ``webhooks`` capability (administrators).
Subscriptions send the record's events out of the system, so no other role sees them."""

from __future__ import annotations

from typing import Any

from clientela.crm.accounts.permissions import has_capability
from clientela.crm.errors import NotPermitted, RecordNotFound
from clientela.crm.webhooks.models import Delivery, Subscription


def may_manage_webhooks(user: Any) -> bool:
    return has_capability(user, "webhooks")


def require_webhooks(user: Any) -> None:
    """``NotPermitted`` unless the user may manage webhooks."""
    if not may_manage_webhooks(user):
        raise NotPermitted("webhooks")


def access_subscription_by_id(user: Any, subscription_id: int) -> Subscription:
    require_webhooks(user)
    subscription = Subscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        raise RecordNotFound(f"webhook subscription {subscription_id}")
    return subscription


def access_delivery_by_id(user: Any, delivery_id: int) -> Delivery:
    require_webhooks(user)
    delivery = Delivery.objects.select_related("event", "subscription").filter(pk=delivery_id).first()
    if delivery is None:
        raise RecordNotFound(f"webhook delivery {delivery_id}")
    return delivery
