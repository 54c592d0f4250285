"""Every write to parties, contacts and consents; each change is audited.

A change of a party's owner or team is copied onto its score in the current run in the
same transaction (``scoring.scope``: the customer lists read that copy's indexes).

Party updates use optimistic concurrency: the caller names the version it read, and the
write is one ``UPDATE … WHERE id = %s AND version = %s`` that also increments the
version. No row updated means someone else changed the party first (``StaleRecord``).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, ProtectedError

from clientela.crm.audit.actions import created, deleted, diff, field_values, record_change
from clientela.crm.errors import Conflict, InvalidInput, StaleRecord
from clientela.crm.parties.models import Consent, ContactPerson, Party, PartyKind
from clientela.crm.parties.tags import clean_tags
from clientela.crm.record_writes import create_recorded, delete_recorded, update_recorded
from clientela.crm.scoring.scope import sync_party_scope
from clientela.crm.validation import only_fields, validate_instance
from clientela.crm.webhooks.events import emit, party_payload

PARTY_FIELDS = (
    "ref", "kind", "name", "email", "phone", "street", "postal_code", "country", "city",
    "tags", "language", "preferred_channel", "is_customer", "is_prospect", "is_supplier", "is_partner",
    "is_internal", "owner_id", "team_id", "acquired_at", "acquisition_channel",
    "acquisition_campaign_id", "referred_by_id",
)  # fmt: skip
CONTACT_FIELDS = (
    "name", "job_title", "email", "phone", "is_primary", "consent_email", "consent_phone", "person_id",
)
ARCHIVE_FIELDS = ("archived_at", "archived_by_id")
CONSENT_FIELDS = ("purpose", "channel", "lawful_basis", "source", "given_at", "withdrawn_at")


def _new_ref() -> str:
    return f"CL-{secrets.token_hex(5).upper()}"


def default_assignment(actor: Any, data: Mapping[str, Any]) -> tuple[int | None, int | None]:
    """The owner and team a new party gets: the owner defaults to the actor, the team to
    the actor's team when the actor owns it."""
    owner_id = data["owner_id"] if "owner_id" in data else getattr(actor, "pk", None)
    if "team_id" in data:
        return owner_id, data["team_id"]
    return owner_id, (getattr(actor, "team_id", None) if owner_id == getattr(actor, "pk", None) else None)


@transaction.atomic
def create_party(
    actor: Any, data: Mapping[str, Any], *, consents: Iterable[tuple[str, str]] = (), consent_source: str = ""
) -> Party:
    """Create a party; the owner defaults to the actor and the team to the owner's team.
    Without a ``ref`` one is made up (``CL-`` and ten hexadecimal digits). ``consents``:
    (purpose, channel) pairs the party gives now, recorded in the same transaction."""
    values = only_fields(data, PARTY_FIELDS)
    if not values.get("ref"):
        values["ref"] = _new_ref()
    if "tags" in values:
        values["tags"] = clean_tags(values["tags"])
    values["owner_id"], values["team_id"] = default_assignment(actor, values)
    party = Party(**values)
    validate_instance(party, exclude=("version",))
    try:
        with transaction.atomic():
            party.save()
    except IntegrityError:
        raise Conflict(f"ref: a party {values.get('ref')!r} already exists") from None
    party.refresh_from_db()
    record_change(
        actor, entity="party", object_id=party.pk, action="create",
        changes=created(field_values(party, PARTY_FIELDS)), party_id=party.pk,
    )
    now = dt.datetime.now(dt.UTC)
    for purpose, channel in consents:
        record_consent(actor, party, {
            "purpose": purpose, "channel": channel, "given_at": now, "source": consent_source,
        })
    emit("party.created", party_payload(party))
    return party


@transaction.atomic
def update_party(
    actor: Any, party: Party, *, expected_version: int, changes: Mapping[str, Any]
) -> Party:
    """Apply ``changes`` to ``party`` if it is still at ``expected_version``; version += 1."""
    values = only_fields(changes, PARTY_FIELDS)
    if "tags" in values:
        values["tags"] = clean_tags(values["tags"])
    if party.version != expected_version:
        raise StaleRecord(f"party {party.pk} is at version {party.version}")
    before = field_values(party, PARTY_FIELDS)
    candidate = Party(**(field_values(party) | values), pk=party.pk)
    candidate._state.adding = False
    validate_instance(candidate, exclude=("version",))
    now = dt.datetime.now(dt.UTC)
    try:
        with transaction.atomic():
            updated = Party.objects.filter(pk=party.pk, version=expected_version).update(
                **values, version=F("version") + 1, updated_at=now
            )
    except IntegrityError:
        raise Conflict(f"ref: a party {values.get('ref')!r} already exists") from None
    if updated == 0:
        raise StaleRecord(f"party {party.pk} changed since version {expected_version}")
    party.refresh_from_db()
    changed = diff(before, field_values(party, PARTY_FIELDS))
    if changed:
        record_change(
            actor, entity="party", object_id=party.pk, action="update",
            changes=changed, party_id=party.pk,
        )
    if {"owner_id", "team_id"} & values.keys():
        # The customer lists read a representative's / team's page from the scores' copy
        # of owner and team: move the party between lists now, in this transaction.
        sync_party_scope([party.pk])
    if changed:
        emit("party.updated", party_payload(party) | {"changed": sorted(changed)})
    return party


@transaction.atomic
def delete_party(actor: Any, party: Party, *, expected_version: int) -> None:
    """Delete a party with its contacts, consents, interactions and memberships; a party
    with orders is kept (``Conflict``) so revenue history stays."""
    before = field_values(party, PARTY_FIELDS)
    party_id = party.pk
    deleted_rows = Party.objects.filter(pk=party_id, version=expected_version)
    # Lock the row at the expected version so no update slips in before the delete.
    if not deleted_rows.select_for_update().exists():
        raise StaleRecord(f"party {party_id} changed since version {expected_version}")
    try:
        with transaction.atomic():
            deleted_rows.delete()
    except ProtectedError:
        raise Conflict("party has orders; it cannot be deleted (erase personal data instead)") from None
    record_change(
        actor, entity="party", object_id=party_id, action="delete",
        changes=deleted(before), party_id=party_id,
    )


def _set_archived(
    actor: Any, party: Party, *, expected_version: int, archived_at: dt.datetime | None
) -> Party:
    before = field_values(party, ARCHIVE_FIELDS)
    archived_by = getattr(actor, "pk", None) if archived_at is not None else None
    updated = Party.objects.filter(pk=party.pk, version=expected_version).update(
        archived_at=archived_at, archived_by_id=archived_by, version=F("version") + 1,
        updated_at=dt.datetime.now(dt.UTC),
    )
    if updated == 0:
        raise StaleRecord(f"party {party.pk} changed since version {expected_version}")
    party.refresh_from_db()
    record_change(
        actor, entity="party", object_id=party.pk, action="update",
        changes=diff(before, field_values(party, ARCHIVE_FIELDS)), party_id=party.pk,
    )
    return party


@transaction.atomic
def archive_party(actor: Any, party: Party, *, expected_version: int) -> Party:
    """Archive (soft-delete) a party: it leaves every list, search, segment and KPI, keeps
    its history, and can be restored (``restore_party``)."""
    if party.archived_at is not None:
        raise Conflict("party is archived already")
    return _set_archived(actor, party, expected_version=expected_version, archived_at=dt.datetime.now(dt.UTC))


@transaction.atomic
def restore_party(actor: Any, party: Party) -> Party:
    """Bring an archived party back to the lists."""
    if party.archived_at is None:
        raise Conflict("party is not archived")
    return _set_archived(actor, party, expected_version=party.version, archived_at=None)


def _check_contact(contact: ContactPerson) -> None:
    """The contact's own party, if any, is a person and not the organisation itself."""
    if contact.person_id is None:
        return
    if contact.person_id == contact.organisation_id:
        raise InvalidInput({"person_id": "a contact cannot be the organisation itself"})
    kind = Party.objects.filter(pk=contact.person_id).values_list("kind", flat=True).first()
    if kind != PartyKind.PERSON:
        raise InvalidInput({"person_id": "the linked party must be a person"})


@transaction.atomic
def create_contact(actor: Any, party: Party, data: Mapping[str, Any]) -> ContactPerson:
    contact = ContactPerson(organisation=party, **only_fields(data, CONTACT_FIELDS))
    _check_contact(contact)
    return create_recorded(actor, contact, entity="contact", fields=CONTACT_FIELDS, party_id=party.pk)


@transaction.atomic
def update_contact(actor: Any, contact: ContactPerson, changes: Mapping[str, Any]) -> ContactPerson:
    if "person_id" in changes:
        _check_contact(ContactPerson(organisation_id=contact.organisation_id, person_id=changes["person_id"]))
    return update_recorded(
        actor, contact, changes, entity="contact", fields=CONTACT_FIELDS, party_id=contact.organisation_id,
    )


@transaction.atomic
def delete_contact(actor: Any, contact: ContactPerson) -> None:
    delete_recorded(actor, contact, entity="contact", fields=CONTACT_FIELDS, party_id=contact.organisation_id)


@transaction.atomic
def record_consent(actor: Any, party: Party, data: Mapping[str, Any]) -> Consent:
    """Record a consent given by ``party``; ``recorded_by`` is the actor."""
    consent = Consent(party=party, recorded_by_id=getattr(actor, "pk", None), **only_fields(data, CONSENT_FIELDS))
    return create_recorded(actor, consent, entity="consent", fields=CONSENT_FIELDS, party_id=party.pk)


@transaction.atomic
def update_consent(actor: Any, consent: Consent, changes: Mapping[str, Any]) -> Consent:
    """Change a consent, typically to withdraw it (``withdrawn_at``)."""
    return update_recorded(actor, consent, changes, entity="consent", fields=CONSENT_FIELDS, party_id=consent.party_id)


@transaction.atomic
def delete_consent(actor: Any, consent: Consent) -> None:
    delete_recorded(actor, consent, entity="consent", fields=CONSENT_FIELDS, party_id=consent.party_id)
