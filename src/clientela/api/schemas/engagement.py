"""Input and output schemas of interactions, campaigns and campaign members."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from clientela.api.fields import Currency, Day, EventTime, Money, RefId, Text
from clientela.api.schemas.parties import ChannelValue, Strict

DirectionValue = Literal["inbound", "outbound"]
CampaignKindValue = Literal["acquisition", "retention", "add_on", "win_back"]
InteractionCost = Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2)]


class InteractionCreate(Strict):
    party_id: RefId
    channel: ChannelValue
    direction: DirectionValue
    occurred_at: EventTime
    subject: Text(200) = ""  # type: ignore[valid-type]
    notes: Text(20_000) = ""  # type: ignore[valid-type]
    cost: InteractionCost = Decimal("0")


class InteractionUpdate(Strict):
    channel: ChannelValue | None = None
    direction: DirectionValue | None = None
    occurred_at: EventTime | None = None
    subject: Text(200) | None = None  # type: ignore[valid-type]
    notes: Text(20_000) | None = None  # type: ignore[valid-type]
    cost: InteractionCost | None = None


class InteractionOut(Schema):
    id: int
    party_id: int
    channel: str
    direction: str
    occurred_at: dt.datetime
    subject: str
    notes: str
    user_id: int | None
    cost: Decimal | None = Field(None, description="null when your role may not see cost")


class CampaignCreate(Strict):
    name: Text(200, min_length=1)  # type: ignore[valid-type]
    kind: CampaignKindValue
    channel: Text(20, min_length=1)  # type: ignore[valid-type]
    budget: Money = Decimal("0")
    spend: Money = Decimal("0")
    currency: Currency = "PLN"
    starts_on: Day
    ends_on: Day | None = None


class CampaignUpdate(Strict):
    name: Text(200, min_length=1) | None = None  # type: ignore[valid-type]
    kind: CampaignKindValue | None = None
    channel: Text(20, min_length=1) | None = None  # type: ignore[valid-type]
    budget: Money | None = None
    spend: Money | None = None
    currency: Currency | None = None
    starts_on: Day | None = None
    ends_on: Day | None = None


CAMPAIGN_NULLABLE = frozenset({"ends_on"})


class CampaignOut(Schema):
    id: int
    name: str
    kind: str
    channel: str
    budget: Decimal
    spend: Decimal | None = Field(None, description="null when your role may not see cost")
    currency: str
    starts_on: dt.date
    ends_on: dt.date | None


class MemberCreate(Strict):
    party_id: RefId
    sent_at: EventTime | None = None
    responded_at: EventTime | None = None
    converting_order_id: RefId | None = None


class MemberUpdate(Strict):
    sent_at: EventTime | None = None
    responded_at: EventTime | None = None
    converting_order_id: RefId | None = None


MEMBER_NULLABLE = frozenset({"sent_at", "responded_at", "converting_order_id"})


class MemberOut(Schema):
    id: int
    campaign_id: int
    party_id: int
    sent_at: dt.datetime | None
    responded_at: dt.datetime | None
    converting_order_id: int | None
