"""The loyalty programme's configuration: the programme with its earn rule (points per unit
spent, points per referral, how long points stay valid) and its tiers."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from clientela.api.fields import Currency, Money, Text
from clientela.api.schemas.parties import Strict

EarnRate = Annotated[Decimal, Field(ge=0, max_digits=8, decimal_places=4,
                                    description="points earned per unit of currency spent (rounded down)")]
ReferralPoints = Annotated[int, Field(ge=0, le=1_000_000, description="points for the referrer of a new customer")]
ValidDays = Annotated[int, Field(ge=0, le=36500, description="days after which earned points expire (0: never)")]


class ProgrammeCreate(Strict):
    name: Text(120, min_length=1)  # type: ignore[valid-type]
    currency: Currency = "PLN"
    points_per_unit: EarnRate = Decimal(1)
    tier_basis: Literal["points", "spend"] = Field("points", description="what tiers are reached by: lifetime "
                                                                        "points earned or lifetime spend")
    referral_points: ReferralPoints = 0
    points_valid_days: ValidDays = 0


class ProgrammeUpdate(Strict):
    """The earn rule, referral reward, validity, name and whether members earn; the currency
    and the tier basis stay (balances and tiers were counted in them)."""

    name: Text(120, min_length=1) | None = None  # type: ignore[valid-type]
    points_per_unit: EarnRate | None = None
    referral_points: ReferralPoints | None = None
    points_valid_days: ValidDays | None = None
    is_active: bool | None = None


class TierCreate(Strict):
    name: Text(60, min_length=1)  # type: ignore[valid-type]
    threshold: Money = Field(description="lifetime points or spend (the programme's tier basis) from which it holds")
    benefits: Text(2000) = ""  # type: ignore[valid-type]


class TierUpdate(Strict):
    name: Text(60, min_length=1) | None = None  # type: ignore[valid-type]
    threshold: Money | None = None
    benefits: Text(2000) | None = None  # type: ignore[valid-type]


class TierOut(Schema):
    id: int
    programme_id: int
    name: str
    threshold: Decimal
    benefits: str
