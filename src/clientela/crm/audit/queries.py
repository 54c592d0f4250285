"""Reads of the audit trail."""

from __future__ import annotations

from django.db.models import QuerySet

from clientela.crm.audit.models import AuditEntry
from clientela.crm.query_filters import filter_given


def audit_entries(
    *,
    entity: str | None = None,
    object_id: str | None = None,
    party_id: int | None = None,
    action: str | None = None,
) -> QuerySet[AuditEntry]:
    return filter_given(AuditEntry.objects.all(), entity=entity, object_id=object_id, party_id=party_id,
                        action=action)
