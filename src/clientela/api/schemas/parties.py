"""Input and output schemas of parties, contacts and consents."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Schema
from pydantic import ConfigDict, Field, StringConstraints

from clientela.api.fields import Country, Email, EventTime, RefId, Text

PartyKindValue = Literal["person", "organisation"]
ChannelValue = Literal["email", "phone", "sms", "meeting", "web", "chat", "letter"]
# A word of the company's acquisition channels (GET /vocabularies/acquisition_channels),
# checked by the action (422 naming the field).
AcquisitionValue = Text(20)
PurposeValue = Literal["marketing", "newsletter", "surveys", "profiling"]
BasisValue = Literal["consent", "contract", "legal_obligation", "legitimate_interest"]


# A tag: at most 40 characters, blanks around it stripped (Text(40), spelt out so that
# mypy reads the alias as a type).
Tags = list[Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]]


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class PartyCreate(Strict):
    ref: Text(64, min_length=1)  # type: ignore[valid-type]
    name: Text(200, min_length=1)  # type: ignore[valid-type]
    kind: PartyKindValue = "person"
    email: Email = ""
    phone: Text(40) = ""  # type: ignore[valid-type]
    street: Text(200) = ""  # type: ignore[valid-type]
    postal_code: Text(20) = ""  # type: ignore[valid-type]
    country: Country = ""
    city: Text(100) = ""  # type: ignore[valid-type]
    tags: Tags = Field(default_factory=list, max_length=20)
    language: Text(8) = ""  # type: ignore[valid-type]
    preferred_channel: ChannelValue | Literal[""] = ""
    is_customer: bool = False
    is_prospect: bool = False
    is_supplier: bool = False
    is_partner: bool = False
    is_internal: bool = False
    owner_id: RefId | None = None
    team_id: RefId | None = None
    acquired_at: EventTime | None = None
    acquisition_channel: AcquisitionValue = ""  # type: ignore[valid-type]
    acquisition_campaign_id: RefId | None = None
    referred_by_id: RefId | None = None


class PartyUpdate(Strict):
    ref: Text(64, min_length=1) | None = None  # type: ignore[valid-type]
    name: Text(200, min_length=1) | None = None  # type: ignore[valid-type]
    kind: PartyKindValue | None = None
    email: Email | None = None
    phone: Text(40) | None = None  # type: ignore[valid-type]
    street: Text(200) | None = None  # type: ignore[valid-type]
    postal_code: Text(20) | None = None  # type: ignore[valid-type]
    country: Country | None = None
    city: Text(100) | None = None  # type: ignore[valid-type]
    tags: Tags | None = Field(None, max_length=20)
    language: Text(8) | None = None  # type: ignore[valid-type]
    preferred_channel: ChannelValue | Literal[""] | None = None
    is_customer: bool | None = None
    is_prospect: bool | None = None
    is_supplier: bool | None = None
    is_partner: bool | None = None
    is_internal: bool | None = None
    owner_id: RefId | None = None
    team_id: RefId | None = None
    acquired_at: EventTime | None = None
    acquisition_channel: AcquisitionValue | None = None  # type: ignore[valid-type]
    acquisition_campaign_id: RefId | None = None
    referred_by_id: RefId | None = None


# Fields a PATCH may set to null; for the others null means "leave unchanged" is refused.
PARTY_NULLABLE = frozenset(
    {"owner_id", "team_id", "acquired_at", "acquisition_campaign_id", "referred_by_id"}
)


class PartyOut(Schema):
    id: int
    ref: str
    kind: str
    name: str
    email: str
    phone: str
    street: str
    postal_code: str
    country: str
    city: str
    tags: list[str]
    language: str
    preferred_channel: str
    is_customer: bool
    is_prospect: bool
    is_supplier: bool
    is_partner: bool
    is_internal: bool
    owner_id: int | None
    team_id: int | None
    acquired_at: dt.datetime | None
    acquisition_channel: str
    acquisition_campaign_id: int | None
    referred_by_id: int | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ContactCreate(Strict):
    party_id: RefId
    name: Text(200, min_length=1)  # type: ignore[valid-type]
    job_title: Text(120) = ""  # type: ignore[valid-type]
    email: Email = ""
    phone: Text(40) = ""  # type: ignore[valid-type]
    is_primary: bool = False
    consent_email: bool = False
    consent_phone: bool = False


class ContactUpdate(Strict):
    name: Text(200, min_length=1) | None = None  # type: ignore[valid-type]
    job_title: Text(120) | None = None  # type: ignore[valid-type]
    email: Email | None = None
    phone: Text(40) | None = None  # type: ignore[valid-type]
    is_primary: bool | None = None
    consent_email: bool | None = None
    consent_phone: bool | None = None


class ContactOut(Schema):
    id: int
    party_id: int
    name: str
    job_title: str
    email: str
    phone: str
    is_primary: bool
    consent_email: bool
    consent_phone: bool
    person_id: int | None


class ConsentCreate(Strict):
    party_id: RefId
    purpose: PurposeValue
    channel: ChannelValue
    lawful_basis: BasisValue = "consent"
    source: Text(120) = ""  # type: ignore[valid-type]
    given_at: EventTime
    withdrawn_at: EventTime | None = None


class ConsentUpdate(Strict):
    purpose: PurposeValue | None = None
    channel: ChannelValue | None = None
    lawful_basis: BasisValue | None = None
    source: Text(120) | None = None  # type: ignore[valid-type]
    given_at: EventTime | None = None
    withdrawn_at: EventTime | None = None


CONSENT_NULLABLE = frozenset({"withdrawn_at"})


class ConsentOut(Schema):
    id: int
    party_id: int
    purpose: str
    channel: str
    lawful_basis: str
    source: str
    given_at: dt.datetime
    withdrawn_at: dt.datetime | None
    recorded_by_id: int | None
    is_active: bool
