"""/parties, /contacts, /consents."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from clientela.api.conditional import (
    change_if_match,
    delete_if_match,
    require_if_match_present,
    require_version,
    version_etag,
)
from clientela.api.fields import MAX_ID, PathId, Text
from clientela.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, page_of
from clientela.api.patching import patch_values
from clientela.api.responses import answers, created, no_content, with_etag
from clientela.api.schemas.parties import (
    CONSENT_NULLABLE,
    PARTY_NULLABLE,
    ConsentCreate,
    ConsentOut,
    ConsentUpdate,
    ContactCreate,
    ContactOut,
    ContactUpdate,
    PartyCreate,
    PartyOut,
    PartyUpdate,
    PurposeValue,
)
from clientela.crm.accounts.permissions import require
from clientela.crm.parties import access, actions, queries
from clientela.crm.parties.models import Consent, ContactPerson, Party

router = Router(tags=["parties"])

PartyOrdering = Literal["name", "-name", "ref", "-ref", "created_at", "-created_at"]
SimpleOrdering = Literal["name", "-name"]



# -- parties -------------------------------------------------------------------------
@router.get("/parties", response=answers(200, Page[PartyOut]), tags=["parties"])
def list_parties(
    request: HttpRequest,
    q: Text(100) | None = None,  # type: ignore[valid-type]
    kind: Literal["person", "organisation"] | None = None,
    country: Text(2) | None = None,  # type: ignore[valid-type]
    is_customer: bool | None = None,
    owner_id: int | None = Query(None, ge=1, le=MAX_ID),  # noqa: B008
    ordering: PartyOrdering = "name",
    cursor: Text(1000) | None = None,  # type: ignore[valid-type]
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),  # noqa: B008
) -> Page[PartyOut]:
    """Parties you may see, filtered and ordered; follow ``next_cursor`` for more."""
    require(request.auth, "party")
    qs = queries.list_parties(
        request.auth, q=q, kind=kind, country=country, is_customer=is_customer, owner_id=owner_id
    )
    return page_of(
        Page[PartyOut], qs, PartyOut.model_validate,
        ordering=ordering, allowed=("name", "ref", "created_at"), cursor=cursor, limit=limit,
    )


@router.post("/parties", response=answers(201, PartyOut))
def create_party(request: HttpRequest, response: HttpResponse, payload: PartyCreate) -> Status[Party]:
    """Create a party. Owner defaults to you, team to the owner's team."""
    user = request.auth
    values = payload.model_dump()
    owner_id = values["owner_id"] if values["owner_id"] is not None else user.pk
    team_id = values["team_id"] if "team_id" in payload.model_fields_set else (
        user.team_id if owner_id == user.pk else None
    )
    access.check_party_create(user, owner_id=owner_id, team_id=team_id)
    values |= {"owner_id": owner_id, "team_id": team_id}
    party = actions.create_party(user, values)
    response["ETag"] = version_etag(party.version)
    response["Location"] = f"/api/v1/parties/{party.pk}"
    return Status(201, party)


@router.get("/parties/{party_id}", response=answers(200, PartyOut))
def get_party(request: HttpRequest, response: HttpResponse, party_id: PathId) -> Party:
    """One party you may see, with its ``ETag`` (the version) for a later change. 404 when it is
    outside your record scope."""
    party = access.access_party_by_id(request.auth, party_id)
    response["ETag"] = version_etag(party.version)
    return party


def _change_party(request: HttpRequest, party_id: int, values: dict[str, object]) -> Party:
    user = request.auth
    version = require_version(request)
    party = access.access_party_by_id(user, party_id, op="update")
    if "owner_id" in values or "team_id" in values:
        access.check_party_assignment(
            user,
            owner_id=values.get("owner_id", party.owner_id),  # type: ignore[arg-type]
            team_id=values.get("team_id", party.team_id),  # type: ignore[arg-type]
        )
    return actions.update_party(user, party, expected_version=version, changes=values)


@router.patch("/parties/{party_id}", response=answers(200, PartyOut))
def update_party(
    request: HttpRequest, response: HttpResponse, party_id: PathId, payload: PartyUpdate
) -> Party:
    """Change some fields. ``If-Match: "<version>"`` is required; 412 when stale."""
    require_if_match_present(request)
    party = _change_party(request, party_id, patch_values(payload, PARTY_NULLABLE))
    response["ETag"] = version_etag(party.version)
    return party


@router.put("/parties/{party_id}", response=answers(200, PartyOut))
def replace_party(
    request: HttpRequest, response: HttpResponse, party_id: PathId, payload: PartyCreate
) -> Party:
    """Replace every writable field (omitted ones take their defaults)."""
    require_if_match_present(request)
    party = _change_party(request, party_id, payload.model_dump())
    response["ETag"] = version_etag(party.version)
    return party


@router.delete("/parties/{party_id}", response=no_content())
def delete_party(request: HttpRequest, party_id: PathId) -> Status[None]:
    """Delete a party without orders (409 otherwise: erase its personal data instead)."""
    require_if_match_present(request)
    version = require_version(request)
    party = access.access_party_by_id(request.auth, party_id, op="delete")
    actions.delete_party(request.auth, party, expected_version=version)
    return Status(204, None)


# -- contacts ------------------------------------------------------------------------
def _contact_out(contact: ContactPerson) -> ContactOut:
    return ContactOut(
        id=contact.pk, party_id=contact.organisation_id, name=contact.name,
        job_title=contact.job_title, email=contact.email, phone=contact.phone,
        is_primary=contact.is_primary, consent_email=contact.consent_email,
        consent_phone=contact.consent_phone, person_id=contact.person_id,
    )


@router.get("/contacts", response=answers(200, Page[ContactOut]), tags=["contacts"])
def list_contacts(
    request: HttpRequest,
    party_id: int | None = Query(None, ge=1, le=MAX_ID),  # noqa: B008
    q: Text(100) | None = None,  # type: ignore[valid-type]
    ordering: SimpleOrdering = "name",
    cursor: Text(1000) | None = None,  # type: ignore[valid-type]
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),  # noqa: B008
) -> Page[ContactOut]:
    """Contact persons of the organisations you may see (optionally of one ``party_id``), ordered;
    follow ``next_cursor`` for more."""
    require(request.auth, "contact")
    qs = queries.list_contacts(request.auth, party_id=party_id, q=q)
    return page_of(
        Page[ContactOut], qs, _contact_out,
        ordering=ordering, allowed=("name",), cursor=cursor, limit=limit,
    )


@router.post("/contacts", response=answers(201, ContactOut), tags=["contacts"])
def create_contact(request: HttpRequest, response: HttpResponse, payload: ContactCreate) -> Status[ContactOut]:
    """Add a contact person to an organisation you may see; the change is audited. 201 with
    ``Location``."""
    values = payload.model_dump()
    party = access.access_party_for_child(request.auth, values.pop("party_id"), entity="contact", op="create")
    return created(response, _contact_out(actions.create_contact(request.auth, party, values)), "/api/v1/contacts")


@router.get("/contacts/{contact_id}", response=answers(200, ContactOut), tags=["contacts"])
def get_contact(request: HttpRequest, response: HttpResponse, contact_id: PathId) -> ContactOut:
    """One contact person, with its ``ETag``; 404 when its organisation is outside your scope."""
    return with_etag(response, _contact_out(access.access_contact_by_id(request.auth, contact_id)))


@router.patch("/contacts/{contact_id}", response=answers(200, ContactOut), tags=["contacts"])
def update_contact(
    request: HttpRequest, response: HttpResponse, contact_id: PathId, payload: ContactUpdate
) -> ContactOut:
    """Change some fields of a contact person; send ``If-Match`` with the ``ETag`` you read (412
    when stale)."""
    return with_etag(response, change_if_match(
        request,
        lambda op: access.access_contact_by_id(request.auth, contact_id, op=op),
        _contact_out,
        lambda contact: actions.update_contact(request.auth, contact, patch_values(payload)),
    ))


@router.delete("/contacts/{contact_id}", response=no_content(), tags=["contacts"])
def delete_contact(request: HttpRequest, contact_id: PathId) -> Status[None]:
    """Remove a contact person (``If-Match`` required); the audit trail keeps its last values."""
    return delete_if_match(
        request,
        lambda op: access.access_contact_by_id(request.auth, contact_id, op=op),
        _contact_out,
        lambda contact: actions.delete_contact(request.auth, contact),
    )


# -- consents ------------------------------------------------------------------------
def _consent_out(consent: Consent) -> ConsentOut:
    return ConsentOut(
        id=consent.pk, party_id=consent.party_id, purpose=consent.purpose, channel=consent.channel,
        lawful_basis=consent.lawful_basis, source=consent.source, given_at=consent.given_at,
        withdrawn_at=consent.withdrawn_at, recorded_by_id=consent.recorded_by_id,
        is_active=consent.is_active,
    )


@router.get("/consents", response=answers(200, Page[ConsentOut]), tags=["consents"])
def list_consents(
    request: HttpRequest,
    party_id: int | None = Query(None, ge=1, le=MAX_ID),  # noqa: B008
    purpose: PurposeValue | None = None,
    active: bool | None = None,
    ordering: Literal["given_at", "-given_at"] = "-given_at",
    cursor: Text(1000) | None = None,  # type: ignore[valid-type]
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),  # noqa: B008
) -> Page[ConsentOut]:
    """Consents (purpose × channel, given or withdrawn) of the parties you may see; filter by
    party, purpose or channel."""
    require(request.auth, "consent")
    qs = queries.list_consents(request.auth, party_id=party_id, purpose=purpose, active=active)
    return page_of(
        Page[ConsentOut], qs, _consent_out,
        ordering=ordering, allowed=("given_at",), cursor=cursor, limit=limit,
    )


@router.post("/consents", response=answers(201, ConsentOut), tags=["consents"])
def create_consent(request: HttpRequest, response: HttpResponse, payload: ConsentCreate) -> Status[ConsentOut]:
    """Record a consent for a party you may see: purpose, channel, given or withdrawn, and its
    source. Audited."""
    values = payload.model_dump()
    party = access.access_party_for_child(request.auth, values.pop("party_id"), entity="consent", op="create")
    return created(response, _consent_out(actions.record_consent(request.auth, party, values)), "/api/v1/consents")


@router.get("/consents/{consent_id}", response=answers(200, ConsentOut), tags=["consents"])
def get_consent(request: HttpRequest, response: HttpResponse, consent_id: PathId) -> ConsentOut:
    """One consent, with its ``ETag``; 404 when its party is outside your scope."""
    return with_etag(response, _consent_out(access.access_consent_by_id(request.auth, consent_id)))


@router.patch("/consents/{consent_id}", response=answers(200, ConsentOut), tags=["consents"])
def update_consent(
    request: HttpRequest, response: HttpResponse, consent_id: PathId, payload: ConsentUpdate
) -> ConsentOut:
    """Change a consent — to withdraw it, set ``withdrawn_at``."""
    return with_etag(response, change_if_match(
        request,
        lambda op: access.access_consent_by_id(request.auth, consent_id, op=op),
        _consent_out,
        lambda consent: actions.update_consent(request.auth, consent, patch_values(payload, CONSENT_NULLABLE)),
    ))


@router.delete("/consents/{consent_id}", response=no_content(), tags=["consents"])
def delete_consent(request: HttpRequest, consent_id: PathId) -> Status[None]:
    """Remove a consent record (``If-Match`` required); sending then treats the channel as without
    consent."""
    return delete_if_match(
        request,
        lambda op: access.access_consent_by_id(request.auth, consent_id, op=op),
        _consent_out,
        lambda consent: actions.delete_consent(request.auth, consent),
    )

