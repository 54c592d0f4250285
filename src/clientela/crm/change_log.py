"""Audit entries for the operational apps (deals, cases, survey responses, loyalty entries).

The actions of ``sales``, ``service``, ``feedback``, ``loyalty`` and campaign sending
call these three functions inside their transaction; they hand the change to
``crm.audit.actions.record_change`` so the audit trail has one writer. The entity
names are those of ``crm.accounts.permissions``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from clientela.crm.audit.actions import diff, record_change

# Model name -> entity name where the two differ.
ENTITY = {"PointsEntry": "loyalty_entry"}


def _party_id(instance: models.Model) -> int | None:
    party_id = getattr(instance, "party_id", None)
    if party_id is None and hasattr(instance, "account"):
        party_id = instance.account.party_id
    return party_id


def _record(actor: Any, instance: models.Model, action: str, changes: dict[str, tuple[Any, Any]]) -> None:
    record_change(
        actor,
        action=action,
        changes=changes,
        entity=ENTITY.get(type(instance).__name__),
        instance=instance,
        party_id=_party_id(instance),
    )


def audit_create(actor: Any, instance: models.Model, fields: Iterable[str]) -> None:
    """Record the creation of ``instance`` with the initial value of each field."""
    _record(actor, instance, "create", {f: (None, getattr(instance, f)) for f in fields})


def audit_change(
    actor: Any, instance: models.Model, before: Mapping[str, Any], after: Mapping[str, Any]
) -> None:
    """Record the fields whose value changed (nothing when none did)."""
    changes = diff(dict(before), dict(after))
    if changes:
        _record(actor, instance, "update", changes)


def audit_delete(actor: Any, instance: models.Model, fields: Iterable[str] = ()) -> None:
    """Record the deletion of ``instance`` with the last value of each field given."""
    _record(actor, instance, "delete", {f: (getattr(instance, f), None) for f in fields})
