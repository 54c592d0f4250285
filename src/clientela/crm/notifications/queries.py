"""Reads of notifications shared by the header bell, the notifications page and the digest."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from clientela.crm.notifications.access import notifications_of
from clientela.crm.notifications.models import DigestPreference, Notification
from clientela.crm.service.models import UNRESOLVED, Case
from clientela.crm.tasks.models import Task, TaskStatus

DIGEST_LIMIT = 50


def unread_count(user: Any) -> int:
    return notifications_of(user).filter(read_at__isnull=True).count()


def latest(user: Any, *, limit: int = 50) -> list[Notification]:
    """The user's newest notifications with their task (and its links), case and actor."""
    qs = notifications_of(user).select_related(
        "task", "task__party", "task__deal", "task__case", "case", "case__party", "actor"
    )
    return list(qs[:limit])


def digest_preference(user: Any) -> DigestPreference:
    """The stored preference, or the default (digest off) unsaved."""
    found = DigestPreference.objects.filter(user_id=user.pk).first()
    return found or DigestPreference(user_id=user.pk)


@dataclass
class Digest:
    """What a user's daily digest says: overdue and today's open tasks, breached cases."""

    overdue: list[Task] = field(default_factory=list)
    today: list[Task] = field(default_factory=list)
    breaches: list[Case] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.today or self.breaches)


def _open_tasks_of(user: Any) -> QuerySet[Task]:
    return Task.objects.filter(assignee=user, status=TaskStatus.OPEN).select_related("party", "deal", "case")


def digest_for(user: Any, now: datetime) -> Digest:
    """The digest of ``user`` at ``now`` (days in the site's time zone): three queries."""
    today = timezone.localdate(now)
    return Digest(
        overdue=list(_open_tasks_of(user).filter(due_on__lt=today).order_by("due_on", "id")[:DIGEST_LIMIT]),
        today=list(_open_tasks_of(user).filter(due_on=today).order_by("id")[:DIGEST_LIMIT]),
        breaches=list(
            Case.objects.filter(owner=user, status__in=UNRESOLVED, sla_due_at__lt=now)
            .select_related("party").order_by("sla_due_at", "id")[:DIGEST_LIMIT]
        ),
    )
