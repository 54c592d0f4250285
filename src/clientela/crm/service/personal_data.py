"""GDPR: the service cases about a party (export) and their free text (erase)."""

from __future__ import annotations

from typing import Any

from clientela.crm.service.models import Case, CaseNote

ERASED = "[erased]"


def export(party: Any) -> list[dict[str, Any]]:
    return [
        {"id": c.pk, "subject": c.subject, "description": c.description, "priority": c.priority,
         "status": c.status, "opened_at": c.opened_at.isoformat(), "resolution": c.resolution,
         "resolved_at": c.resolved_at and c.resolved_at.isoformat(),
         "notes": [{"at": n.created_at.isoformat(), "body": n.body} for n in c.notes.all()]}
        for c in Case.objects.filter(party=party).prefetch_related("notes")
    ]


def erase(party: Any, actor: Any) -> int:
    """Blank subject, description, resolution and the notes' text; timings stay for the
    SLA figures."""
    CaseNote.objects.filter(case__party=party).update(body=ERASED)
    return Case.objects.filter(party=party).update(subject=ERASED, description="", resolution="")
