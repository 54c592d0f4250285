"""Reads shared by pages and the API: case lists and SLA breaches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import BooleanField, F, Q, QuerySet, Value, When

from clientela.crm.service.access import visible_cases
from clientela.crm.service.models import UNRESOLVED, Case, CaseNote, CaseStatus, Priority


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



QUEUE_STATUSES = ("active", "new", "open", "pending", "resolved", "closed", "all")
PAGE_SIZE = 25


@dataclass(frozen=True)
class QueueFilters:
    """The case queue's filters. ``status`` is a case status, ``active`` (new, open or
    pending: the default) or ``all``; ``assignee`` a user id, ``"me"`` or ``"none"``."""

    status: str = "active"
    priority: str = ""
    assignee: str = ""
    team: int | None = None
    breached: bool = False
    page: int = 1


@dataclass(frozen=True)
class QueuePage:
    cases: list[Case]
    number: int
    has_next: bool


def case_queue(user: Any, filters: QueueFilters, *, now: datetime) -> QueuePage:
    """One page of the cases the user sees: the active ones by SLA due time (the most
    urgent first), the others newest first; each with ``sla_breached_flag``.

    The page's ids are chosen on the case table alone, then those cases are read with
    their party, owner and team: joining first made PostgreSQL hash-join every party
    (1M in ui_bench) to sort 33,000 open cases, 0.5-0.9 s; apart, a few milliseconds."""
    qs = visible_cases(user)
    if filters.status == "active":
        qs = qs.filter(status__in=UNRESOLVED).order_by("sla_due_at", "id")
    elif filters.status in CaseStatus.values:
        qs = qs.filter(status=filters.status)
        qs = qs.order_by("sla_due_at", "id") if filters.status in UNRESOLVED else qs.order_by("-opened_at", "-id")
    else:
        qs = qs.order_by("-opened_at", "-id")
    if filters.priority in Priority.values:
        qs = qs.filter(priority=filters.priority)
    if filters.assignee == "me":
        qs = qs.filter(owner_id=user.pk)
    elif filters.assignee == "none":
        qs = qs.filter(owner__isnull=True)
    elif filters.assignee.isdigit():
        qs = qs.filter(owner_id=int(filters.assignee))
    if filters.team is not None:
        qs = qs.filter(team_id=filters.team)
    if filters.breached:
        qs = qs.filter(breach_condition(now))
    start = (max(filters.page, 1) - 1) * PAGE_SIZE
    ids = list(qs.values_list("id", flat=True)[start : start + PAGE_SIZE + 1])
    found = {c.pk: c for c in with_breach_flag(_scoped(user).filter(pk__in=ids[:PAGE_SIZE]), now)}
    rows = [found[i] for i in ids[:PAGE_SIZE] if i in found]
    return QueuePage(cases=rows, number=max(filters.page, 1), has_next=len(ids) > PAGE_SIZE)


def _scoped(user: Any) -> QuerySet[Case]:
    return visible_cases(user).select_related("party", "owner", "team")


def case_notes(case: Case) -> list[CaseNote]:
    return list(CaseNote.objects.filter(case=case).select_related("author"))


def search_cases(user: Any, q: str, *, limit: int) -> list[Case]:
    """Cases the user sees whose subject contains ``q``, ignoring case and accents
    (trigram-indexed on PostgreSQL by service migration 0002); unresolved first."""
    return list(
        _scoped(user).filter(subject__fold__contains=q).order_by(F("resolved_at").asc(nulls_first=True), "-opened_at", "-id")[:limit]
    )
