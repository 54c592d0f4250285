"""GDPR: the playbooks that met a party (export). The history holds no free text about the
person — the playbook, the group drawn, the outcome and the ids of what was done — so
erasure leaves it (the tasks, cases and mails it made are erased by their own apps)."""

from __future__ import annotations

from typing import Any

from clientela.crm.playbooks.models import Firing
from clientela.crm.playbooks.queries import firing_json


def export(party: Any) -> list[dict[str, Any]]:
    return [firing_json(f) | {"playbook": f.playbook.name}
            for f in Firing.objects.filter(party=party).select_related("playbook").order_by("at", "id")]


def erase(party: Any, actor: Any) -> int:
    return 0
