"""Webhook subscriptions, deliveries and event types in the API (Create / Update / Out)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from ninja import Field, Schema

from clientela.api.fields import Text
from clientela.api.schemas.parties import Strict

EventType = Annotated[str, Field(min_length=1, max_length=60)]


class SubscriptionCreate(Strict):
    name: Text(200, min_length=1)  # type: ignore[valid-type]
    url: Text(2000, min_length=1) = Field(description="http:// or https:// address of the receiver")  # type: ignore[valid-type]
    event_types: list[EventType] = Field(
        min_length=1, max_length=50, description='Event types (GET /webhooks/event-types), or ["*"] for every event')
    secret: Text(200) = Field("", description="The signing secret (16 to 200 characters); "  # type: ignore[valid-type]
                                              "left out, one is made and answered once")
    active: bool = True


class SubscriptionUpdate(Strict):
    name: Text(200, min_length=1) | None = None  # type: ignore[valid-type]
    url: Text(2000, min_length=1) | None = None  # type: ignore[valid-type]
    event_types: list[EventType] | None = Field(None, min_length=1, max_length=50)
    active: bool | None = None


class SubscriptionOut(Schema):
    id: int
    name: str
    url: str
    event_types: list[str]
    active: bool
    created_at: datetime
    updated_at: datetime


class SubscriptionCreated(SubscriptionOut):
    secret: str = Field(description="The signing secret: answered this once, never again")


class SecretOut(Schema):
    secret: str = Field(description="The new signing secret: answered this once, never again")


class AttemptOut(Schema):
    number: int
    started_at: datetime
    response_code: int | None
    duration_ms: int
    error: str


class DeliveryOut(Schema):
    id: int
    subscription_id: int
    event_id: str = Field(description="The event's id (Clientela-Event-Id), the same in a replay")
    event_type: str
    occurred_at: datetime
    status: Literal["pending", "retrying", "succeeded", "failed"]
    attempts: int
    response_code: int | None
    duration_ms: int | None
    last_error: str
    replay_of: int | None
    job_id: int | None
    created_at: datetime
    finished_at: datetime | None
    attempt_log: list[AttemptOut]


class EventTypeOut(Schema):
    type: str
    description: str
