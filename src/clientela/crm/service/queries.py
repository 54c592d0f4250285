"""Reads shared by pages and the API: case lists and SLA breaches."""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.db.models import BooleanField, F, Q, QuerySet, Value, When

from clientela.crm.service.models import UNRESOLVED, Case


def cases() -> QuerySet[Case]:
    return Case.objects.select_related("party", "owner", "team")


def breach_condition(now: datetime) -> Q:
    """Unresolved past the due time, or resolved after it."""
    return Q(resolved_at__isnull=True, status__in=UNRESOLVED, sla_due_at__lt=now) | Q(
        resolved_at__isnull=False, resolved_at__gt=F("sla_due_at")
    )


def breached(now: datetime) -> QuerySet[Case]:
    """Cases whose SLA is breached at ``now``."""
    return cases().filter(breach_condition(now))


def with_breach_flag(qs: QuerySet[Case], now: datetime) -> QuerySet[Case]:
    """Annotate ``sla_breached`` (bool) so a list can show and sort by it in one query."""
    return qs.annotate(
        sla_breached_flag=models.Case(
            When(breach_condition(now), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )

