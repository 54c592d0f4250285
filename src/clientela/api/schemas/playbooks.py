"""Input and output schemas of playbooks (the definition's JSON is checked by
``crm.playbooks.definition``; errors name the field)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema

from clientela.api.fields import Text
from clientela.api.schemas.parties import Strict


class PlaybookCreate(Strict):
    name: Text(200, min_length=1)  # type: ignore[valid-type]
    trigger: dict[str, Any]
    conditions: dict[str, Any] | None = None
    actions: list[Any]
    limits: dict[str, Any] | None = None
    control_share: float | None = None
    enabled: bool = False


class PlaybookUpdate(Strict):
    """A new version (name and/or the whole definition), and/or switching it on or off."""

    name: Text(200, min_length=1) | None = None  # type: ignore[valid-type]
    definition: dict[str, Any] | None = None
    enabled: bool | None = None


class PlaybookOut(Schema):
    id: int
    name: str
    enabled: bool
    version: int
    owner_id: int | None
    definition: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime


class PlaybookVersionOut(Schema):
    number: int
    name: str
    definition: dict[str, Any]
    created_at: dt.datetime
    created_by_id: int | None


class DryRunOut(Schema):
    customers: int
    treated: int
    control: int
    clv: Decimal | None  # null for a role that may not see CLV
    currency: str
    has_run: bool


class FiringOut(Schema):
    id: int
    playbook_id: int
    version: int
    party_id: int
    group: str
    outcome: str
    at: dt.datetime
    done_at: dt.datetime | None
    results: list[Any]
