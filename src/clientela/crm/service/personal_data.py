"""GDPR: the service cases about a party (export) and their free text (erase)."""

from __future__ import annotations

from typing import Any

from clientela.crm.service.models import Case

ERASED = "[erased]"


def export(party: Any) -> list[dict[str, Any]]:
    return [
        {"id": c.pk, "subject": c.subject, "description": c.description, "priority": c.priority,
         "status": c.status, "opened_at": c.opened_at.isoformat(), "resolution": c.resolution,
         "resolved_at": c.resolved_at and c.resolved_at.isoformat()}
        for c in Case.objects.filter(party=party)
    ]


def erase(party: Any, actor: Any) -> int:
    """Blank subject, description and resolution; timings stay for the SLA figures."""
    return Case.objects.filter(party=party).update(subject=ERASED, description="", resolution="")
