"""The JSON form of playbooks (``clientela playbook export`` / ``import``), so they can be
versioned in a repository and provisioned::

    {"playbooks": [{"name": "Win back", "enabled": true, "trigger": {...}, "conditions": {...},
                    "actions": [...], "limits": {...}, "control_share": 0.1}]}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from clientela.crm.errors import InvalidInput
from clientela.crm.playbooks.models import Playbook

FORMAT = "clientela.playbooks/1"


def as_json(playbook: Playbook) -> dict[str, Any]:
    return {"name": playbook.name, "enabled": playbook.enabled, "version": playbook.version,
            **playbook.definition}


def export(playbooks: Iterable[Playbook]) -> dict[str, Any]:
    return {"format": FORMAT, "playbooks": [as_json(p) for p in playbooks]}


def read_entries(data: Any) -> list[tuple[Any, dict[str, Any], bool | None]]:
    """(name, definition, enabled or None) of each playbook in ``data``."""
    if isinstance(data, Mapping) and "playbooks" in data:
        entries = data["playbooks"]
        if not isinstance(entries, list):
            raise InvalidInput({"playbooks": "a list is expected"})
    elif isinstance(data, Mapping):
        entries = [data]
    else:
        raise InvalidInput({"playbooks": "an object or {\"playbooks\": [...]} is expected"})
    out = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            raise InvalidInput({f"playbooks[{index}]": "an object is expected"})
        enabled = entry.get("enabled")
        if enabled is not None and not isinstance(enabled, bool):
            raise InvalidInput({f"playbooks[{index}].enabled": "true or false"})
        definition = {k: v for k, v in entry.items() if k not in ("name", "enabled", "version", "format")}
        out.append((entry.get("name"), definition, enabled))
    return out
