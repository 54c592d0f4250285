"""What a delivery sends: the JSON body of an event and the headers that sign it.

The signature is HMAC-SHA256, keyed with the subscription's secret, over the timestamp,
a dot and the raw body (``f"{timestamp}.".encode() + body``), hex-encoded, in
``Clientela-Signature: v1=<hex>``. Each attempt is signed afresh, so a receiver can
refuse old timestamps (a replayed capture) and still accept a retry. docs/webhooks.md
shows the receiver's side.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from clientela.crm.webhooks.models import Event

EVENT_ID = "Clientela-Event-Id"
EVENT_TYPE = "Clientela-Event-Type"
DELIVERY_ID = "Clientela-Delivery-Id"
TIMESTAMP = "Clientela-Timestamp"
SIGNATURE = "Clientela-Signature"
SCHEME = "v1"


def event_body(event: Event) -> bytes:
    """The request body: the event's id, type, time and data, as compact JSON."""
    document: dict[str, Any] = {
        "id": str(event.uid), "type": event.type, "occurred_at": event.occurred_at.isoformat(),
        "data": event.payload,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"{SCHEME}={mac.hexdigest()}"


def signed_headers(*, secret: str, event: Event, delivery_id: int, body: bytes,
                   now: float | None = None) -> dict[str, str]:
    timestamp = str(int(time.time() if now is None else now))
    return {
        "Content-Type": "application/json",
        "User-Agent": "Clientela-Webhooks/1",
        EVENT_ID: str(event.uid),
        EVENT_TYPE: event.type,
        DELIVERY_ID: str(delivery_id),
        TIMESTAMP: timestamp,
        SIGNATURE: signature(secret, timestamp, body),
    }


def verify(secret: str, *, timestamp: str, body: bytes, header: str, now: float | None = None,
           tolerance: int = 300) -> bool:
    """Does ``header`` sign ``body`` at ``timestamp`` with ``secret``, within ``tolerance``
    seconds of ``now``? (What a receiver in Python does; docs/webhooks.md.)"""
    try:
        age = abs((time.time() if now is None else now) - int(timestamp))
    except ValueError:
        return False
    return age <= tolerance and hmac.compare_digest(signature(secret, timestamp, body), header)
