"""Service cases with a service-level agreement (SLA) due time set from the priority."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clientela.crm.service import sla
from clientela.crm.vocabularies.validators import InVocabulary


class Priority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class CaseStatus(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    PENDING = "pending", "Pending"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


UNRESOLVED = (CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.PENDING)

# The steps a case may take from each status: forward through the work, or back to
# ``open`` (reopen) from resolved and closed. Closing an unresolved case resolves it.
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    CaseStatus.NEW: (CaseStatus.OPEN, CaseStatus.PENDING, CaseStatus.RESOLVED, CaseStatus.CLOSED),
    CaseStatus.OPEN: (CaseStatus.PENDING, CaseStatus.RESOLVED, CaseStatus.CLOSED),
    CaseStatus.PENDING: (CaseStatus.OPEN, CaseStatus.RESOLVED, CaseStatus.CLOSED),
    CaseStatus.RESOLVED: (CaseStatus.CLOSED, CaseStatus.OPEN),
    CaseStatus.CLOSED: (CaseStatus.OPEN,),
}


class Case(models.Model):
    """A customer's request or complaint.

    ``sla_due_at`` is fixed when the case is opened: ``opened_at`` plus the hours
    for its priority in ``settings.SERVICE_SLA_HOURS``. The SLA is breached when
    the case is still unresolved after that time, or was resolved after it.
    """

    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="cases")
    subject = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    priority = models.CharField(max_length=6, choices=Priority.choices, default=Priority.NORMAL)
    # A word of the company's case categories (crm/vocabularies), or empty.
    category = models.CharField(max_length=20, blank=True, validators=[InVocabulary("case_categories")])
    status = models.CharField(max_length=8, choices=CaseStatus.choices, default=CaseStatus.NEW)
    opened_at = models.DateTimeField(default=timezone.now)
    sla_due_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_cases",
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    version = models.PositiveIntegerField(default=1, help_text="Optimistic concurrency counter")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["status", "sla_due_at"]),
            models.Index(fields=["party", "opened_at"]),
            models.Index(fields=["owner"]),
            models.Index(fields=["team"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(version__gte=1), name="case_version_positive"),
            models.CheckConstraint(
                condition=Q(sla_due_at__gte=models.F("opened_at")), name="case_sla_after_open"
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(resolved_at__gte=models.F("opened_at")),
                name="case_resolved_after_open",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["new", "open", "pending"], resolved_at__isnull=True)
                | Q(status__in=["resolved", "closed"], resolved_at__isnull=False),
                name="case_resolved_at_iff_resolved",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A case is never stored without its SLA due time: a path that did not set it
        (a form, a fixture) gets ``opened_at`` plus the hours for its priority."""
        if self.opened_at is None:
            self.opened_at = timezone.now()
        if self.sla_due_at is None:
            self.sla_due_at = sla.due_at(self.opened_at, self.priority)
        super().save(*args, **kwargs)

    @property
    def next_statuses(self) -> tuple[str, ...]:
        return NEXT_STATUSES.get(self.status, ())

    def sla_breached(self, now: datetime | None = None) -> bool:
        """True when unresolved past the due time, or resolved after it."""
        if self.resolved_at is not None:
            return self.resolved_at > self.sla_due_at
        return (now or timezone.now()) > self.sla_due_at

    @property
    def is_sla_breached(self) -> bool:
        return self.sla_breached()


class CaseNote(models.Model):
    """A note on a case by the agent working it (what was tried, what the customer said).
    Notes are added, never edited: the case's history reads in order."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="case_note_body_not_empty"),
        ]

    def __str__(self) -> str:
        return self.body[:60]
