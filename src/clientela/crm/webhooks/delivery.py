"""Deliveries as jobs: ``queue_delivery`` records one and queues its job (kind
``webhook.deliver``); ``deliver_job`` is that job's handler — one signed POST per
attempt, logged as a ``DeliveryAttempt``; an answer other than 2xx raises, so the job
queue retries it with its exponential backoff (``jobs.attempts.backoff``) until the job's
attempts are spent. A delivery already delivered is not sent again (a job taken up
after its worker died). Receivers de-duplicate on the event id all the same: a worker
killed between the receiver's 2xx and its record sends that attempt again.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clientela.crm.jobs.models import Job
from clientela.crm.webhooks import outbound, signing
from clientela.crm.webhooks.models import (
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Event,
    Subscription,
)

KIND = "webhook.deliver"


class NotDelivered(Exception):  # noqa: N818 - the attempt's outcome, named for the log
    """The receiver did not answer 2xx (the job is retried); the message is the status."""


def subject_of(delivery_id: int) -> str:
    return f"webhook-delivery:{delivery_id}"


@transaction.atomic
def queue_delivery(subscription: Subscription, event: Event, *, replay_of: Delivery | None = None,
                   actor: Any = None) -> Delivery:
    """Record a delivery of ``event`` to ``subscription`` and queue its job."""
    from clientela.crm.jobs.actions import enqueue_job

    delivery = Delivery.objects.create(event=event, subscription=subscription, replay_of=replay_of,
                                       created_at=timezone.now())
    job = enqueue_job(actor, kind=KIND, params={"delivery_id": delivery.pk},
                      label=f"Webhook {event.type} to subscription {subscription.pk}",
                      subject=subject_of(delivery.pk), max_attempts=settings.WEBHOOK_MAX_ATTEMPTS)
    Delivery.objects.filter(pk=delivery.pk).update(job=job)
    delivery.job = job
    return delivery


def _max_attempts(job_id: int) -> int:
    found = Job.objects.filter(pk=job_id).values_list("max_attempts", flat=True).first()
    return int(found or 1)


def deliver_job(job: Any, *, delivery_id: int) -> dict[str, Any]:
    """The handler of a ``webhook.deliver`` job: one attempt of delivery ``delivery_id``."""
    delivery = Delivery.objects.select_related("event", "subscription").filter(pk=delivery_id).first()
    if delivery is None:
        return {"gone": True}  # its subscription was removed meanwhile
    if delivery.status in (DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED):
        return {"status": delivery.status, "skipped": True}
    subscription, event = delivery.subscription, delivery.event
    if not subscription.active:
        return _finish(delivery, status=DeliveryStatus.FAILED, code=None, duration_ms=0,
                       error="subscription inactive", started=timezone.now())
    body = signing.event_body(event)
    headers = signing.signed_headers(secret=subscription.secret, event=event,
                                     delivery_id=delivery.pk, body=body)
    started, clock = timezone.now(), time.monotonic()
    try:
        answer = outbound.post(subscription.url, body, headers)
    except outbound.RefusedAddress:
        return _finish(delivery, status=DeliveryStatus.FAILED, code=None, duration_ms=0,
                       error="address refused", started=started)
    duration_ms = int((time.monotonic() - clock) * 1000)
    if not answer.error:
        return _finish(delivery, status=DeliveryStatus.SUCCEEDED, code=answer.status,
                       duration_ms=duration_ms, error="", started=started)
    last = job.attempt >= _max_attempts(job.job_id)
    _finish(delivery, status=DeliveryStatus.FAILED if last else DeliveryStatus.RETRYING,
            code=answer.status, duration_ms=duration_ms, error=answer.error, started=started)
    raise NotDelivered(answer.error)


@transaction.atomic
def _finish(delivery: Delivery, *, status: str, code: int | None, duration_ms: int, error: str,
            started: Any) -> dict[str, Any]:
    number = delivery.attempts + 1
    DeliveryAttempt.objects.create(delivery=delivery, number=number, started_at=started,
                                   response_code=code, duration_ms=duration_ms, error=error[:300])
    done = status in (DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=status, attempts=number, response_code=code, duration_ms=duration_ms,
        last_error=error[:300], finished_at=timezone.now() if done else None)
    return {"status": status, "response_code": code}
