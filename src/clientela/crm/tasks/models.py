"""Tasks: something a user has to do by a date, optionally about a party, a deal or a case.

A task links to at most one record: three nullable foreign keys (``party``,
``deal``, ``case``) with a check constraint that no more than one is set. Plain
foreign keys (not a generic relation) keep referential integrity in the database
and let lists join the linked record; a task with none of them is a personal to-do.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


LINK_FIELDS = ("party", "deal", "case")


def _at_most_one_link() -> Q:
    none = Q(party__isnull=True, deal__isnull=True, case__isnull=True)
    only_party = Q(party__isnull=False, deal__isnull=True, case__isnull=True)
    only_deal = Q(party__isnull=True, deal__isnull=False, case__isnull=True)
    only_case = Q(party__isnull=True, deal__isnull=True, case__isnull=False)
    return none | only_party | only_deal | only_case


class Task(models.Model):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    due_on = models.DateField(null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    completed_at = models.DateTimeField(null=True, blank=True)
    party = models.ForeignKey(
        "parties.Party", null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    deal = models.ForeignKey(
        "sales.Deal", null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    case = models.ForeignKey(
        "service.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    version = models.PositiveIntegerField(default=1, help_text="Optimistic concurrency counter")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["status", "due_on", "id"]
        indexes = [
            models.Index(fields=["assignee", "status", "due_on"]),
            models.Index(fields=["due_on"]),
        ]
        constraints = [
            models.CheckConstraint(condition=_at_most_one_link(), name="task_at_most_one_link"),
            models.CheckConstraint(condition=Q(version__gte=1), name="task_version_positive"),
            models.CheckConstraint(
                condition=(Q(status="open") & Q(completed_at__isnull=True))
                | (Q(status__in=["done", "cancelled"]) & Q(completed_at__isnull=False)),
                name="task_completed_at_iff_closed",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def linked(self) -> models.Model | None:
        """The party, deal or case this task is about, if any."""
        for field in LINK_FIELDS:
            if getattr(self, f"{field}_id") is not None:
                return getattr(self, field)  # type: ignore[no-any-return]
        return None
