"""Subscriptions, the events emitted to them, and the delivery log.

An ``Event`` is stored once per emit that has at least one subscriber; each subscriber
gets a ``Delivery`` (one job of the queue), whose HTTP attempts are ``DeliveryAttempt``
rows. A replay is a new ``Delivery`` of the same event (``replay_of`` the original), so
the receiver sees the same event id and can tell it already has it. The signing secret
is stored (it must be, to sign) but never logged, audited or shown after creation.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Subscription(models.Model):
    name = models.CharField(max_length=200)
    url = models.URLField(max_length=2000)
    secret = models.CharField(max_length=200, help_text="The HMAC-SHA256 key; never shown after creation")
    event_types = models.JSONField(default=list, help_text='Keys of events.EVENT_TYPES, or ["*"] for every event')
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def listens_to(self, event_type: str) -> bool:
        return "*" in self.event_types or event_type in self.event_types


class Event(models.Model):
    uid = models.UUIDField(unique=True, default=uuid.uuid4, editable=False,
                           help_text="The event id receivers de-duplicate on")
    type = models.CharField(max_length=60)
    payload = models.JSONField(default=dict)
    occurred_at = models.DateTimeField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.type} {self.uid}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RETRYING = "retrying", "Waiting to retry"
    SUCCEEDED = "succeeded", "Delivered"
    FAILED = "failed", "Failed"


class Delivery(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    replay_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replays")
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["subscription", "-created_at"]),
            models.Index(fields=["status", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"Delivery {self.pk} {self.status}"


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField()
    error = models.CharField(max_length=300, blank=True, help_text="An error type or HTTP status; no bodies")

    class Meta:
        ordering = ["number", "id"]

    def __str__(self) -> str:
        return f"Attempt {self.number} of delivery {self.delivery_id}"
