"""Reads of the audit trail."""

from __future__ import annotations

from django.db.models import QuerySet

from clientela.crm.audit.models import AuditEntry


def audit_entries(
    *,
    entity: str | None = None,
    object_id: str | None = None,
    party_id: int | None = None,
    action: str | None = None,
) -> QuerySet[AuditEntry]:
    qs = AuditEntry.objects.all()
    if entity:
        qs = qs.filter(entity=entity)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if party_id is not None:
        qs = qs.filter(party_id=party_id)
    if action:
        qs = qs.filter(action=action)
    return qs
