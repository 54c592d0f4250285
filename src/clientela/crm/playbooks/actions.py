"""Every write to playbooks: create, edit (a new version each time), switch on or off,
and import from JSON. Each takes the acting user first and writes its audit entry.
(Evaluations and firings are written by ``playbooks.engine``.)"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from clientela.crm.audit.actions import created, record_change
from clientela.crm.errors import InvalidInput
from clientela.crm.playbooks import definition as definitions
from clientela.crm.playbooks.models import Playbook, PlaybookVersion


def _name(value: Any) -> str:
    name = "" if value is None else str(value).strip()
    if not name:
        raise InvalidInput({"name": "must not be empty"})
    if len(name) > 200:
        raise InvalidInput({"name": "at most 200 characters"})
    return name


def _version(actor: Any, playbook: Playbook) -> None:
    PlaybookVersion.objects.create(playbook=playbook, number=playbook.version, name=playbook.name,
                                   definition=playbook.definition, created_at=playbook.updated_at,
                                   created_by=actor if getattr(actor, "pk", None) else None)


@transaction.atomic
def create_playbook(actor: Any, *, name: Any, definition: Mapping[str, Any], enabled: bool = False) -> Playbook:
    """A playbook (version 1) owned by ``actor``; ``definition`` is checked by
    ``playbooks.definition.parse`` (``InvalidInput`` names the field)."""
    checked = definitions.parse(definition)
    now = timezone.now()
    playbook = Playbook.objects.create(
        name=_name(name), owner=actor if getattr(actor, "pk", None) else None, definition=checked,
        enabled=bool(enabled), created_at=now, updated_at=now, checked_until=now if enabled else None)
    _version(actor, playbook)
    record_change(actor, entity="playbook", object_id=playbook.pk, action="create",
                  changes=created({"name": playbook.name, "version": 1, "enabled": playbook.enabled,
                                   "definition": checked}))
    return playbook


@transaction.atomic
def update_playbook(actor: Any, playbook: Playbook, *, name: Any = None,
                    definition: Mapping[str, Any] | None = None) -> Playbook:
    """A new version with the new name and/or definition; the earlier versions are kept.
    Nothing changes (no version) when both are as they were."""
    locked = Playbook.objects.select_for_update().get(pk=playbook.pk)
    new_name = locked.name if name is None else _name(name)
    checked = locked.definition if definition is None else definitions.parse(definition)
    if new_name == locked.name and checked == locked.definition:
        return locked
    before = {"name": locked.name, "version": locked.version, "definition": locked.definition}
    locked.name, locked.definition = new_name, checked
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save()
    _version(actor, locked)
    after = {"name": locked.name, "version": locked.version, "definition": locked.definition}
    record_change(actor, entity="playbook", object_id=locked.pk, action="update",
                  changes={k: (before[k], after[k]) for k in after if before[k] != after[k]})
    return locked


@transaction.atomic
def set_enabled(actor: Any, playbook: Playbook, enabled: bool) -> Playbook:
    """Switch a playbook on or off. Switched on, event triggers look for events from now."""
    locked = Playbook.objects.select_for_update().get(pk=playbook.pk)
    if locked.enabled == enabled:
        return locked
    locked.enabled = enabled
    if enabled:
        locked.checked_until = timezone.now()
    locked.save(update_fields=["enabled", "checked_until"])
    record_change(actor, entity="playbook", object_id=locked.pk, action="update",
                  changes={"enabled": (not enabled, enabled)})
    return locked


@transaction.atomic
def import_playbooks(actor: Any, data: Any) -> list[tuple[Playbook, str]]:
    """Create or update playbooks from their JSON form (``playbooks.transfer``): one
    object or ``{"playbooks": [...]}``; a playbook of the same name gets a new version.
    All or nothing: a bad entry names its index and field, and nothing is written.
    Returns (playbook, "created" | "updated" | "unchanged") per entry."""
    from clientela.crm.playbooks.transfer import read_entries

    done = []
    for index, (name, definition, enabled) in enumerate(read_entries(data)):
        try:
            existing = Playbook.objects.filter(name=name).order_by("id").first()
            if existing is None:
                done.append((create_playbook(actor, name=name, definition=definition, enabled=bool(enabled)),
                             "created"))
                continue
            version = existing.version
            playbook = update_playbook(actor, existing, definition=definition)
            if enabled is not None:
                playbook = set_enabled(actor, playbook, bool(enabled))
            done.append((playbook, "updated" if playbook.version != version else "unchanged"))
        except InvalidInput as exc:
            raise InvalidInput({f"playbooks[{index}].{k}": v for k, v in exc.errors.items()}) from None
    return done
