"""Every write to configuration records made in the Django admin.

Configuration — pipelines and their stages, products, exchange rates, teams, loyalty
programmes and tiers, surveys — has no rules beyond its model's validation, so one pair
of actions serves all of it: ``save_configuration`` and ``delete_configuration`` save or
delete a record with the acting user and write its audit entry (entity: the model's
name in snake case, ``ExchangeRate`` → ``exchange_rate``) in one transaction. A delete
also records every row it cascades to, and every row whose link it clears (deleting a
team leaves its members, parties, deals and cases without a team: each is recorded as
an update by the acting user). ``crm.admin_bases.ConfigurationAdmin`` calls them
for every form, inline row and bulk delete of the admin; records that belong to the
operational apps (parties, deals, cases, tasks, orders …) are never written by the admin.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import router, transaction
from django.db.models import Model
from django.db.models.deletion import Collector

from clientela.crm.audit.actions import created, deleted, diff, field_values, record_change

M = TypeVar("M", bound=Model)


def _fields(record: Model) -> list[str]:
    return [f.attname for f in record._meta.concrete_fields if not f.primary_key]


def _party_id(row: Model) -> int | None:
    """The person a row is about, so a GDPR export or erasure finds its entry."""
    if row._meta.label == "parties.Party":
        return int(row.pk)
    party_id = getattr(row, "party_id", None)
    return int(party_id) if party_id is not None else None


@transaction.atomic
def save_configuration(actor: Any, record: M) -> M:
    """Create or update ``record`` as it stands; audit the values set or changed."""
    fields = _fields(record)
    if record._state.adding or record.pk is None:
        record.save()
        record_change(actor, instance=record, action="create", changes=created(field_values(record, fields)))
        return record
    stored = type(record)._default_manager.filter(pk=record.pk).first()
    before = field_values(stored, fields) if stored is not None else {}
    record.save()
    changed = diff(before, field_values(record, fields))
    if changed:
        record_change(actor, instance=record, action="update", changes=changed)
    return record


@transaction.atomic
def delete_configuration(actor: Any, record: Model) -> None:
    """Delete ``record`` and what cascades from it; audit each row's last values."""
    collector = Collector(using=router.db_for_write(type(record)))
    collector.collect([record])
    doomed: list[Model] = [row for rows in collector.data.values() for row in rows]
    for queryset in collector.fast_deletes:
        doomed.extend(queryset)
    for row in doomed:
        record_change(actor, instance=row, action="delete", changes=deleted(field_values(row, _fields(row))),
                      party_id=_party_id(row))
    for (field, value), batches in collector.field_updates.items():
        for batch in batches:
            for row in batch:
                old = getattr(row, field.attname)
                if old != value:
                    record_change(actor, instance=row, action="update", changes={field.attname: (old, value)},
                                  party_id=_party_id(row))
    record.delete()
