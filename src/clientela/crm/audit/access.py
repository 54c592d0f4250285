"""Who may read the audit trail: admins (the ``audit`` capability)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from clientela.crm.accounts.permissions import can, has_capability
from clientela.crm.audit.models import AuditEntry
from clientela.crm.errors import NotPermitted, RecordNotFound


def access_audit_entries(user: Any, qs: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
    """The trail for a user allowed to read it; others are refused (403)."""
    if not has_capability(user, "audit"):
        raise NotPermitted("reading the audit trail needs the audit capability")
    return qs


def access_audit_entry_by_id(user: Any, entry_id: int) -> AuditEntry:
    if not (has_capability(user, "audit") and can(user, "audit_entry", "view")):
        raise RecordNotFound("audit entry")
    try:
        return AuditEntry.objects.get(pk=entry_id)
    except AuditEntry.DoesNotExist:
        raise RecordNotFound("audit entry") from None
