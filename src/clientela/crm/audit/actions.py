"""Every write to the audit trail."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Model

from clientela.crm.audit.models import AuditAction, AuditEntry

REDACTED = "[erased]"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, Model):
        return str(value.pk)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal | int | float | str):
        return str(value)
    return json.dumps(value, default=str, sort_keys=True)


def record_change(
    actor: Any,
    *,
    action: str,
    changes: Mapping[str, tuple[Any, Any]] | None = None,
    entity: str | None = None,
    object_id: Any = None,
    party_id: int | None = None,
    instance: Model | None = None,
) -> list[AuditEntry]:
    """Append the audit entries of one change; call it inside the action's transaction.

    Either name the record with ``entity`` and ``object_id`` (and ``party_id``), or pass
    the model ``instance``: the entity is then the model's name in snake case
    (``SurveyResponse`` → ``"survey_response"``), the id its primary key, and the party
    its ``party_id`` attribute when it has one.

    Parameters
    ----------
    actor : User or None
        Who made the change (``None`` for the system).
    entity : str
        The entity name as in ``crm.accounts.permissions`` (``"party"``, ``"deal"``,
        ``"case"``, ``"survey_response"``, ``"loyalty_entry"`` …).
    object_id : Any
        The record's primary key.
    action : str
        ``"create"``, ``"update"`` or ``"delete"`` (``"export"`` and ``"erase"`` are
        written by the GDPR actions).
    changes : mapping of field name to ``(old, new)``
        One entry is written per field. For a create pass ``(None, value)``, for a delete
        ``(value, None)``; use :func:`field_values` to take them from an instance.
        ``None`` or empty writes a single entry with an empty field name.
    party_id : int, optional
        The person the record belongs to, so GDPR export and erasure find the entries.
        Always pass it for records about a party.
    """
    if instance is not None:
        entity = entity or _snake(type(instance).__name__)
        object_id = instance.pk if object_id is None else object_id
        if party_id is None:
            party_id = getattr(instance, "party_id", None)
    if not entity or object_id is None:
        raise ValueError("record_change needs entity and object_id, or instance")
    if action not in AuditAction.values:
        raise ValueError(f"action: {action!r} is not one of {', '.join(AuditAction.values)}")
    at = dt.datetime.now(dt.UTC)
    actor_id = getattr(actor, "pk", None)
    actor_name = getattr(actor, "username", "") or ""
    rows = [
        AuditEntry(
            at=at,
            actor_id=actor_id,
            actor_name=actor_name,
            entity=entity,
            object_id=str(object_id),
            action=action,
            field=name,
            old=_text(old),
            new=_text(new),
            party_id=party_id,
        )
        for name, (old, new) in (changes or {"": (None, None)}).items()
    ]
    return AuditEntry.objects.bulk_create(rows)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def field_values(instance: Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``instance`` by attribute name (FKs as their ids)."""
    names = fields or [f.attname for f in instance._meta.concrete_fields if not f.primary_key]
    return {name: getattr(instance, name) for name in names}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """``{field: (old, new)}`` for the fields whose values differ."""
    return {k: (before.get(k), after[k]) for k in after if _text(before.get(k)) != _text(after[k])}


def created(values: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {k: (None, v) for k, v in values.items() if v not in (None, "")}


def deleted(values: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {k: (v, None) for k, v in values.items() if v not in (None, "")}


# -- the audit entries of the operational apps' own writes ----------------------------
# The actions of sales, service, feedback, loyalty, tasks and campaign sending save their
# records themselves and call these three inside their transaction. The entity names
# are those of ``crm.accounts.permissions``.

# Model name -> entity name where the snake-cased model name is not the entity's.
ENTITY = {"PointsEntry": "loyalty_entry"}


def _party_of(instance: Model) -> int | None:
    party_id = getattr(instance, "party_id", None)
    if party_id is None and hasattr(instance, "account"):
        party_id = instance.account.party_id
    return party_id


def _record_instance(actor: Any, instance: Model, action: str, changes: dict[str, tuple[Any, Any]]) -> None:
    record_change(
        actor, action=action, changes=changes, entity=ENTITY.get(type(instance).__name__),
        instance=instance, party_id=_party_of(instance),
    )


def audit_create(actor: Any, instance: Model, fields: Iterable[str]) -> None:
    """Record the creation of ``instance`` with the initial value of each field."""
    _record_instance(actor, instance, "create", {f: (None, getattr(instance, f)) for f in fields})


def audit_change(actor: Any, instance: Model, before: Mapping[str, Any], after: Mapping[str, Any]) -> None:
    """Record the fields whose value changed (nothing when none did)."""
    changes = diff(dict(before), dict(after))
    if changes:
        _record_instance(actor, instance, "update", changes)


def audit_delete(actor: Any, instance: Model, fields: Iterable[str] = ()) -> None:
    """Record the deletion of ``instance`` with the last value of each field given."""
    _record_instance(actor, instance, "delete", {f: (getattr(instance, f), None) for f in fields})


@transaction.atomic
def redact_party(party_id: int) -> int:
    """GDPR erasure: blank the recorded values of every entry about one person.

    The one change the trail allows. On PostgreSQL the append-only trigger lets it
    through only inside this transaction (``SET LOCAL clientela.audit_redaction``).
    Returns the number of entries redacted.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL clientela.audit_redaction = 'on'")
        table = AuditEntry._meta.db_table
        cursor.execute(
            f"UPDATE {table} SET old = CASE WHEN old IS NULL THEN NULL ELSE %s END, "  # noqa: S608
            "new = CASE WHEN new IS NULL THEN NULL ELSE %s END "
            "WHERE party_id = %s AND action <> %s",
            [REDACTED, REDACTED, party_id, AuditAction.ERASE],
        )
        count = cursor.rowcount
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL clientela.audit_redaction = 'off'")
    return count


def redact_values(values: dict[int, tuple[str | None, str | None]]) -> int:
    """GDPR erasure: replace the recorded old/new values of the given entries (id: (old,
    new)) — mentions of an erased person in entries about someone else. Allowed through
    the append-only trigger like ``redact_party``. Returns the number of entries changed."""
    if not values:
        return 0
    table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL clientela.audit_redaction = 'on'")
        for entry_id, (old, new) in values.items():
            cursor.execute(f"UPDATE {table} SET old = %s, new = %s WHERE id = %s",  # noqa: S608
                           [old, new, entry_id])
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL clientela.audit_redaction = 'off'")
    return len(values)
