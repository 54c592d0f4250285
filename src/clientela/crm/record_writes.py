"""Validated, audited writes of one record: the create / update / delete steps that the
actions of parties (contacts, consents) and engagement (interactions, campaign members)
share. Each validates the record (``InvalidInput`` naming the field), saves it, reads
it back (database defaults and normalised values) and records the change in the audit
trail through ``crm.audit.actions.record_change``; the caller's transaction
(``@transaction.atomic`` on the action) makes the write and its audit entry one."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.db.models import Model

from clientela.crm.audit.actions import (
    audit_change,
    created,
    deleted,
    diff,
    field_values,
    record_change,
)
from clientela.crm.validation import only_fields, validate_instance

M = TypeVar("M", bound=Model)


def create_recorded(actor: Any, record: M, *, entity: str, fields: Iterable[str], party_id: int | None) -> M:
    """Validate and save a new ``record``; audit its fields' first values."""
    fields = tuple(fields)
    validate_instance(record)
    record.save()
    record.refresh_from_db()
    record_change(
        actor, entity=entity, object_id=record.pk, action="create",
        changes=created(field_values(record, fields)), party_id=party_id,
    )
    return record


def update_recorded(
    actor: Any, record: M, changes: Mapping[str, Any], *, entity: str, fields: Iterable[str],
    party_id: int | None,
) -> M:
    """Set the ``changes`` among ``fields``, validate and save; audit the fields whose value
    changed (no entry when none did)."""
    fields = tuple(fields)
    before = field_values(record, fields)
    for name, value in only_fields(changes, fields).items():
        setattr(record, name, value)
    validate_instance(record)
    record.save()
    record.refresh_from_db()
    changed = diff(before, field_values(record, fields))
    if changed:
        record_change(
            actor, entity=entity, object_id=record.pk, action="update", changes=changed, party_id=party_id,
        )
    return record


def delete_recorded(actor: Any, record: Model, *, entity: str, fields: Iterable[str], party_id: int | None) -> None:
    """Delete ``record``; audit its fields' last values."""
    before, record_id = field_values(record, tuple(fields)), record.pk
    record.delete()
    record_change(
        actor, entity=entity, object_id=record_id, action="delete", changes=deleted(before), party_id=party_id,
    )


def save_audited(actor: Any, record: M, changes: Mapping[str, Any], fields: Iterable[str]) -> M:
    """Set ``changes`` (already checked by the caller) on ``record``, save it and audit
    ``fields`` before and after (the entry lists only the ones whose value changed)."""
    fields = tuple(fields)
    before = {f: getattr(record, f) for f in fields}
    for field, value in changes.items():
        setattr(record, field, value)
    record.save()
    audit_change(actor, record, before, {f: getattr(record, f) for f in fields})
    return record


def save_versioned(actor: Any, record: M, changes: Mapping[str, Any]) -> M:
    """Set ``changes`` (already checked by the caller) on a record locked for update, bump
    its ``version`` (the optimistic lock the API's ETags and the pages' forms carry), save
    it and audit the fields whose value changed."""
    before = {f: getattr(record, f) for f in changes}
    for field, value in changes.items():
        setattr(record, field, value)
    record.version += 1  # type: ignore[attr-defined]
    record.save()
    audit_change(actor, record, before, {f: getattr(record, f) for f in changes})
    return record
