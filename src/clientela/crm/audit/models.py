"""The audit trail: one append-only row per changed field.

Rows cannot be changed or deleted through the ORM (``save`` of an existing row,
``delete`` and queryset ``update``/``delete`` raise); on PostgreSQL a trigger refuses
UPDATE and DELETE as well. The only sanctioned change is the GDPR erasure's redaction
of a person's values (``clientela.crm.audit.actions.redact_party``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class AppendOnlyError(RuntimeError):
    """Audit entries are never changed or deleted."""


class AuditAction(models.TextChoices):
    CREATE = "create", "Create"
    UPDATE = "update", "Update"
    DELETE = "delete", "Delete"
    EXPORT = "export", "Personal data export"
    ERASE = "erase", "Personal data erasure"


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("audit entries cannot be updated")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit entries cannot be deleted")


class AuditEntry(models.Model):
    at = models.DateTimeField(db_index=True, help_text="UTC")
    # No foreign-key constraint and no cascade: deleting a user must not touch the trail.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(max_length=150, blank=True)
    entity = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64)
    action = models.CharField(max_length=8, choices=AuditAction.choices)
    field = models.CharField(max_length=64, blank=True)
    old = models.TextField(null=True, blank=True)
    new = models.TextField(null=True, blank=True)
    # The person the entry is about, so a GDPR export or erasure finds it.
    party_id = models.BigIntegerField(null=True, blank=True, db_index=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["entity", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.entity}#{self.object_id} {self.field}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit entries cannot be deleted")
