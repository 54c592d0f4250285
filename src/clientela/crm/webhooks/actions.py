"""Every write of webhooks a user makes: subscriptions (add, change, remove), replaying a
delivery, sending a test event, and the log's purge. Audited; the secret never is."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.crm.audit.actions import created, deleted, diff, record_change
from clientela.crm.errors import InvalidInput
from clientela.crm.webhooks.delivery import queue_delivery
from clientela.crm.webhooks.events import ALL_EVENTS, EVENT_TYPES, TEST_EVENT
from clientela.crm.webhooks.models import Delivery, Event, Subscription
from clientela.crm.webhooks.outbound import check_url

AUDITED = ("name", "url", "event_types", "active")


def _new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def _event_types(values: Iterable[str] | str) -> list[str]:
    if isinstance(values, str):
        values = values.replace(",", " ").split()
    chosen = sorted({str(v).strip() for v in values if str(v).strip()})
    if not chosen:
        raise InvalidInput({"event_types": _("choose at least one event type")})
    unknown = [v for v in chosen if v != ALL_EVENTS and v not in EVENT_TYPES]
    if unknown:
        raise InvalidInput({"event_types": _("unknown event type %(type)s") % {"type": repr(unknown[0])}})
    return [ALL_EVENTS] if ALL_EVENTS in chosen else chosen


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if "name" in data:
        name = str(data["name"] or "").strip()
        if not name:
            raise InvalidInput({"name": _("give the subscription a name")})
        values["name"] = name[:200]
    if "url" in data:
        url = check_url(str(data["url"] or ""))
        if len(url) > 2000:
            raise InvalidInput({"url": _("the address is longer than 2000 characters")})
        values["url"] = url
    if "event_types" in data:
        values["event_types"] = _event_types(data["event_types"] or [])
    if "active" in data:
        values["active"] = bool(data["active"])
    return values


def _audited(subscription: Subscription) -> dict[str, Any]:
    return {name: getattr(subscription, name) for name in AUDITED}


@transaction.atomic
def create_subscription(actor: Any, *, name: str, url: str, event_types: Iterable[str] | str,
                        secret: str = "", active: bool = True) -> Subscription:
    """A new subscription; its secret is ``secret`` or a new random one (the caller shows
    it once)."""
    values = _clean({"name": name, "url": url, "event_types": event_types, "active": active})
    secret = (secret or "").strip() or _new_secret()
    if len(secret) < 16 or len(secret) > 200:
        raise InvalidInput({"secret": _("the secret must have 16 to 200 characters")})
    now = timezone.now()
    subscription = Subscription.objects.create(
        **values, secret=secret, created_at=now, updated_at=now,
        created_by=actor if getattr(actor, "pk", None) else None)
    record_change(actor, entity="webhook_subscription", object_id=subscription.pk, action="create",
                  changes=created(_audited(subscription)))
    return subscription


@transaction.atomic
def update_subscription(actor: Any, subscription: Subscription, changes: Mapping[str, Any]) -> Subscription:
    before = _audited(subscription)
    for name, value in _clean(changes).items():
        setattr(subscription, name, value)
    subscription.updated_at = timezone.now()
    subscription.save()
    changed = diff(before, _audited(subscription))
    if changed:
        record_change(actor, entity="webhook_subscription", object_id=subscription.pk,
                      action="update", changes=changed)
    return subscription


@transaction.atomic
def rotate_secret(actor: Any, subscription: Subscription) -> str:
    """A new secret for the subscription (returned once); the audit says only that it changed."""
    subscription.secret = _new_secret()
    subscription.updated_at = timezone.now()
    subscription.save(update_fields=["secret", "updated_at"])
    record_change(actor, entity="webhook_subscription", object_id=subscription.pk, action="update",
                  changes={"secret": ("[hidden]", "[new]")})
    return subscription.secret


@transaction.atomic
def delete_subscription(actor: Any, subscription: Subscription) -> None:
    """Remove the subscription and its delivery log."""
    record_change(actor, entity="webhook_subscription", object_id=subscription.pk, action="delete",
                  changes=deleted(_audited(subscription)))
    subscription.delete()


@transaction.atomic
def replay_delivery(actor: Any, delivery: Delivery) -> Delivery:
    """Send a delivery's event again to its subscription, as a new delivery (same event id)."""
    if not delivery.subscription.active:
        raise InvalidInput({"subscription": _("the subscription is inactive; activate it first")})
    replay = queue_delivery(delivery.subscription, delivery.event, replay_of=delivery, actor=actor)
    record_change(actor, entity="webhook_delivery", object_id=replay.pk, action="create",
                  changes=created({"replay_of": delivery.pk, "event": str(delivery.event.uid)}))
    return replay


@transaction.atomic
def send_test_event(actor: Any, subscription: Subscription) -> Delivery:
    """Queue a ``webhook.test`` event to this subscription alone."""
    if not subscription.active:
        raise InvalidInput({"subscription": _("the subscription is inactive; activate it first")})
    now = timezone.now()
    event = Event.objects.create(type=TEST_EVENT, occurred_at=now, created_at=now,
                                 payload={"subscription_id": subscription.pk, "message": "test"})
    delivery = queue_delivery(subscription, event, actor=actor)
    record_change(actor, entity="webhook_delivery", object_id=delivery.pk, action="create",
                  changes=created({"event": str(event.uid), "type": TEST_EVENT}))
    return delivery


def purge_webhook_log(actor: Any, now: datetime) -> int:
    """Delete events (and their deliveries) older than ``WEBHOOK_KEEP_DAYS`` whose
    deliveries all ended (the webhook-log schedule)."""
    from clientela.crm.webhooks.models import DeliveryStatus

    cutoff = now - timedelta(days=settings.WEBHOOK_KEEP_DAYS)
    open_events = Delivery.objects.filter(status__in=(DeliveryStatus.PENDING, DeliveryStatus.RETRYING))
    old = Event.objects.filter(created_at__lt=cutoff).exclude(pk__in=open_events.values("event_id"))
    _total, counts = old.delete()
    return counts.get("webhooks.Event", 0)
