"""GDPR: tasks about a party (export) and their free text (erase)."""

from __future__ import annotations

from typing import Any

from clientela.crm.tasks.models import Task

ERASED = "[erased]"


def export(party: Any) -> list[dict[str, Any]]:
    return [
        {"id": t.pk, "title": t.title, "description": t.description, "status": t.status,
         "due_on": t.due_on and t.due_on.isoformat()}
        for t in Task.objects.filter(party=party)
    ]


def erase(party: Any, actor: Any) -> int:
    return Task.objects.filter(party=party).update(title=ERASED, description="")
