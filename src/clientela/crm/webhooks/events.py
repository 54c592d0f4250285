"""The event types webhooks carry, and ``emit``: what other apps call when one happens.

``emit`` stores the event once and queues one delivery job per active subscription that
listens to its type; called inside an action's transaction, it sends nothing when the
action rolls back (the jobs are rows of that transaction). Payloads name records by id
with a few fields that are not personal (receivers fetch the rest through the API, with
a token of their own): what leaves the system is what a subscription's owner chose.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from clientela.crm.webhooks.models import Event, Subscription

TEST_EVENT = "webhook.test"

EVENT_TYPES: dict[str, str | Promise] = {
    "party.created": _("A customer or other party was created"),
    "party.updated": _("A party was changed"),
    "order.created": _("An order was recorded"),
    "deal.stage_changed": _("A deal moved to another stage"),
    "deal.won": _("A deal was won"),
    "deal.lost": _("A deal was lost"),
    "case.opened": _("A service case was opened"),
    "case.sla_breached": _("A service case breached its SLA"),
    "survey.answered": _("A survey was answered"),
    "campaign.sent": _("A campaign send finished"),
    "playbook.fired": _("A playbook fired for a customer"),
    "import.completed": _("A file import finished"),
    TEST_EVENT: _("Test event (sent from the webhooks page)"),
}

ALL_EVENTS = "*"


def json_safe(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The payload as plain JSON values (Decimal and datetime as strings)."""
    return json.loads(json.dumps(dict(payload), cls=DjangoJSONEncoder))  # type: ignore[no-any-return]


def party_payload(party: Any) -> dict[str, Any]:
    """What ``party.created`` / ``party.updated`` say of a party: its id, reference and roles
    (no personal data)."""
    return {"party_id": party.pk, "ref": party.ref, "kind": party.kind, "is_customer": party.is_customer,
            "owner_id": party.owner_id, "team_id": party.team_id}


def order_payload(order: Any) -> dict[str, Any]:
    """What ``order.created`` says of an order: ids, codes and the total."""
    return {
        "order_id": order.pk, "ref": order.ref, "party_id": order.party_id, "party_ref": order.party.ref,
        "ordered_at": order.ordered_at, "channel": order.channel, "status": order.status,
        "currency": order.currency, "total_amount": order.total_amount,
    }


def listened_to(event_types: Iterable[str]) -> bool:
    """Does an active subscription listen to one of ``event_types``?"""
    wanted = set(event_types)
    return any(s.listens_to(t) for s in Subscription.objects.filter(active=True) for t in wanted)


@transaction.atomic
def emit(event_type: str, payload: Mapping[str, Any], *, at: datetime | None = None) -> int:
    """Announce an event of ``event_type`` (a key of ``EVENT_TYPES``) with ``payload``
    (JSON-able; Decimal and datetime are written as strings) that happened ``at`` (now
    when not given). Returns the number of deliveries queued (0 when nobody listens:
    nothing is stored then)."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"event_type: unknown event type {event_type!r}")
    subscribers = [s for s in Subscription.objects.filter(active=True) if s.listens_to(event_type)]
    if not subscribers:
        return 0
    from clientela.crm.webhooks.delivery import queue_delivery

    now = timezone.now()
    event = Event.objects.create(type=event_type, payload=json_safe(payload), occurred_at=at or now,
                                 created_at=now)
    for subscription in subscribers:
        queue_delivery(subscription, event)
    return len(subscribers)
