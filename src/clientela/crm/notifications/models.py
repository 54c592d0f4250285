"""In-app notifications and each user's e-mail digest preference.

A notification tells one user about one record: a task assigned to them by someone
else, a task of theirs due today, a case of theirs past its SLA due time. ``key``
names the occasion (the task's version for an assignment, the due day, the SLA due
time of a breach); the unique (user, kind, key) constraint makes every scan
idempotent — running it twice notifies once. The text is not stored: pages word it
in the reader's language from the kind and the linked record.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class NotificationKind(models.TextChoices):
    TASK_ASSIGNED = "task_assigned", "Task assigned"
    TASK_DUE = "task_due", "Task due"
    SLA_BREACH = "sla_breach", "SLA breached"


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    key = models.CharField(max_length=80, help_text="The occasion; unique per user and kind")
    task = models.ForeignKey("tasks.Task", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey("service.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"]), models.Index(fields=["user", "-created_at"])]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "key"], name="notification_once_per_occasion"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} → {self.user_id}"


class DigestPreference(models.Model):
    """Whether the user wants the daily e-mail digest (off unless they turn it on), in
    which language, and the last day one was sent (so a second run the same day sends
    nothing)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="digest_preference"
    )
    email_digest = models.BooleanField(default=False)
    language = models.CharField(max_length=8, blank=True)
    last_sent_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"digest {'on' if self.email_digest else 'off'} for {self.user_id}"
