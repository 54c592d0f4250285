"""The event triggers' windows on an empty company (no shared world): an NPS detractor
answer, a case's SLA passing unresolved, no order for N days, the first order's
anniversary — each found in its window and not outside it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest


@pytest.mark.django_db
def test_event_triggers_find_what_happened_in_their_window() -> None:
    from datetime import UTC, datetime

    from clientela.crm.commerce.models import Order
    from clientela.crm.feedback.actions import create_survey, record_response
    from clientela.crm.parties.models import Party
    from clientela.crm.playbooks import triggers
    from clientela.crm.service.actions import open_case

    since, until = datetime(2026, 12, 1, 8, tzinfo=UTC), datetime(2026, 12, 1, 9, tzinfo=UTC)
    inside = since + timedelta(minutes=30)
    anna, ben, cleo, dan = (Party.objects.create(name=n, kind="person", ref=f"EV-{n}") for n in "ABCD")
    survey = create_survey(None, name="NPS", kind="nps", question="Recommend us?")
    record_response(None, survey=survey, party=anna, score=3, answered_at=inside)
    record_response(None, survey=survey, party=ben, score=9, answered_at=inside)  # a promoter
    record_response(None, survey=survey, party=cleo, score=2, answered_at=until + timedelta(minutes=1))  # later
    assert triggers.event_parties({"kind": "nps_detractor"}, since, until) == [anna.pk]
    open_case(None, party=ben, subject="Broken", priority="urgent", at=inside - timedelta(hours=4))  # due in window
    open_case(None, party=cleo, subject="Late", priority="urgent", at=inside)  # due after the window
    assert triggers.event_parties({"kind": "sla_breach"}, since, until) == [ben.pk]
    Order.objects.create(ref="EV-1", party=dan, ordered_at=inside - timedelta(days=90), total_amount=Decimal("5"))
    Order.objects.create(ref="EV-2", party=cleo, ordered_at=datetime(2025, 12, 1, 8, 30, tzinfo=UTC) - timedelta(days=1),
                         total_amount=Decimal("5"))
    assert triggers.event_parties({"kind": "no_order_days", "days": 90}, since, until) == [dan.pk]
    day_after = (since + timedelta(days=1), until + timedelta(days=1))
    # The first order was on 30 Nov 2025 (local): its anniversary began at midnight of 30 Nov 2026.
    assert triggers.event_parties({"kind": "anniversary"}, since - timedelta(days=2), until) == [cleo.pk]
    assert triggers.event_parties({"kind": "anniversary"}, *day_after) == []
