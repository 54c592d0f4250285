"""/webhooks: subscriptions (list, add, read, change, remove, a new secret, a test event),
the delivery log (list, read, replay) and the event types. Administrators only."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from clientela.api.fields import MAX_ID, PathId, Text
from clientela.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, page_of
from clientela.api.responses import answers, no_content
from clientela.api.schemas.webhooks import (
    AttemptOut,
    DeliveryOut,
    EventTypeOut,
    SecretOut,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionOut,
    SubscriptionUpdate,
)
from clientela.crm.webhooks import actions, queries
from clientela.crm.webhooks.access import (
    access_delivery_by_id,
    access_subscription_by_id,
    require_webhooks,
)
from clientela.crm.webhooks.events import EVENT_TYPES
from clientela.crm.webhooks.models import Delivery, Subscription

router = Router(tags=["webhooks"])


def _subscription(s: Subscription) -> SubscriptionOut:
    return SubscriptionOut(id=s.pk, name=s.name, url=s.url, event_types=s.event_types, active=s.active,
                           created_at=s.created_at, updated_at=s.updated_at)


def _delivery(d: Delivery) -> DeliveryOut:
    return DeliveryOut(
        id=d.pk, subscription_id=d.subscription_id, event_id=str(d.event.uid), event_type=d.event.type,
        occurred_at=d.event.occurred_at, status=d.status, attempts=d.attempts,  # type: ignore[arg-type]
        response_code=d.response_code, duration_ms=d.duration_ms, last_error=d.last_error,
        replay_of=d.replay_of_id, job_id=d.job_id, created_at=d.created_at, finished_at=d.finished_at,
        attempt_log=[AttemptOut(number=a.number, started_at=a.started_at, response_code=a.response_code,
                                duration_ms=a.duration_ms, error=a.error) for a in d.attempt_log.all()],
    )


@router.get("/webhooks/event-types", response=answers(200, list[EventTypeOut]))
def list_event_types(request: HttpRequest) -> list[EventTypeOut]:
    """The event types a subscription may listen to, with what each announces."""
    require_webhooks(request.auth)
    return [EventTypeOut(type=code, description=str(text)) for code, text in EVENT_TYPES.items()]


@router.get("/webhooks/subscriptions", response=answers(200, list[SubscriptionOut]))
def list_subscriptions(request: HttpRequest) -> list[SubscriptionOut]:
    """Every webhook subscription (secrets are never answered after creation)."""
    require_webhooks(request.auth)
    return [_subscription(s) for s in queries.subscriptions()]


@router.post("/webhooks/subscriptions", response=answers(201, SubscriptionCreated))
def create_subscription(request: HttpRequest, response: HttpResponse,
                        payload: SubscriptionCreate) -> Status[SubscriptionCreated]:
    """Add a subscription; the answer carries its signing secret, this once."""
    require_webhooks(request.auth)
    s = actions.create_subscription(request.auth, **payload.model_dump())
    response["Location"] = f"/api/v1/webhooks/subscriptions/{s.pk}"
    return Status(201, SubscriptionCreated(**_subscription(s).model_dump(), secret=s.secret))


@router.get("/webhooks/subscriptions/{subscription_id}", response=answers(200, SubscriptionOut))
def get_subscription(request: HttpRequest, subscription_id: PathId) -> SubscriptionOut:
    """One subscription."""
    return _subscription(access_subscription_by_id(request.auth, subscription_id))


@router.patch("/webhooks/subscriptions/{subscription_id}", response=answers(200, SubscriptionOut))
def update_subscription(request: HttpRequest, subscription_id: PathId,
                        payload: SubscriptionUpdate) -> SubscriptionOut:
    """Change a subscription's name, URL, event types or whether it is active."""
    subscription = access_subscription_by_id(request.auth, subscription_id)
    changes = payload.model_dump(exclude_unset=True, exclude_none=True)
    return _subscription(actions.update_subscription(request.auth, subscription, changes))


@router.delete("/webhooks/subscriptions/{subscription_id}", response=no_content())
def delete_subscription(request: HttpRequest, subscription_id: PathId) -> Status[None]:
    """Remove a subscription and its delivery log."""
    actions.delete_subscription(request.auth, access_subscription_by_id(request.auth, subscription_id))
    return Status(204, None)


@router.post("/webhooks/subscriptions/{subscription_id}/secret", response=answers(200, SecretOut))
def rotate_secret(request: HttpRequest, subscription_id: PathId) -> SecretOut:
    """Give the subscription a new signing secret (answered this once); the old one stops
    signing at once."""
    subscription = access_subscription_by_id(request.auth, subscription_id)
    return SecretOut(secret=actions.rotate_secret(request.auth, subscription))


@router.post("/webhooks/subscriptions/{subscription_id}/test", response=answers(202, DeliveryOut))
def send_test_event(request: HttpRequest, subscription_id: PathId) -> Status[DeliveryOut]:
    """Queue a ``webhook.test`` event to this subscription; follow its delivery in the log."""
    delivery = actions.send_test_event(request.auth, access_subscription_by_id(request.auth, subscription_id))
    return Status(202, _delivery(access_delivery_by_id(request.auth, delivery.pk)))


@router.get("/webhooks/deliveries", response=answers(200, Page[DeliveryOut]))
def list_deliveries(
    request: HttpRequest,
    subscription_id: int | None = Query(None, ge=1, le=MAX_ID),  # noqa: B008
    status: Literal["pending", "retrying", "succeeded", "failed"] | None = None,
    cursor: Text(1000) | None = None,  # type: ignore[valid-type]
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),  # noqa: B008
) -> Page[DeliveryOut]:
    """The delivery log, newest first: status, attempts, the last response code and duration."""
    require_webhooks(request.auth)
    qs: Any = queries.deliveries(subscription_id=subscription_id, status=status or "")
    return page_of(Page[DeliveryOut], qs, _delivery,
                   ordering="-created_at", allowed=("created_at",), cursor=cursor, limit=limit)


@router.get("/webhooks/deliveries/{delivery_id}", response=answers(200, DeliveryOut))
def get_delivery(request: HttpRequest, delivery_id: PathId) -> DeliveryOut:
    """One delivery with each of its attempts."""
    return _delivery(access_delivery_by_id(request.auth, delivery_id))


@router.post("/webhooks/deliveries/{delivery_id}/replay", response=answers(202, DeliveryOut))
def replay_delivery(request: HttpRequest, delivery_id: PathId) -> Status[DeliveryOut]:
    """Send the delivery's event again, as a new delivery with the same event id."""
    replay = actions.replay_delivery(request.auth, access_delivery_by_id(request.auth, delivery_id))
    return Status(202, _delivery(access_delivery_by_id(request.auth, replay.pk)))
