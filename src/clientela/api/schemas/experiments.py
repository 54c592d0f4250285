"""Experiments (control groups of campaigns and playbooks), their groups, outcome reports
and the global holdout."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from clientela.api.schemas.parties import Strict


class ExperimentOut(Schema):
    id: int
    name: str
    kind: str = Field(description="campaign or playbook")
    subject_id: int = Field(description="The campaign's or playbook's id")
    control_share: float = Field(description="Share of each value tier held out as the control group")
    seed: int = Field(description="The randomization's seed (replays the draw)")
    measure_days: int
    treated: int
    control: int
    created_at: datetime


class AssignmentOut(Schema):
    party_id: int
    group: str = Field(description="treated or control")
    stratum: str = Field(description="The party's value tier when assigned: top, middle, rest or empty")
    assigned_at: datetime


class EffectOut(Schema):
    metric: str = Field(description="repurchase, revenue, margin, retention, clv or equity")
    treated: int = Field(description="Treated customers with a value of the metric")
    control: int = Field(description="Control customers with a value of the metric")
    treated_mean: float
    control_mean: float
    difference: float = Field(description="Treated mean minus control mean")
    ci_low: float = Field(description="Lower end of the 95 % interval of the difference")
    ci_high: float = Field(description="Upper end of the 95 % interval of the difference")
    mde: float = Field(description="Minimum detectable effect at 80 % power, 5 % significance")


class OutcomeOut(Schema):
    """The outcome report; money figures the caller's role may not see are null, their
    metrics absent."""

    id: int
    name: str
    kind: str
    subject_id: int
    control_share: float
    measure_days: int
    treated: int = Field(description="Treated customers whose window has ended")
    control: int
    pending: int = Field(description="Assigned customers still inside the window")
    enough_data: bool = Field(description="False: not enough data yet (fewer than 30 per group)")
    window_ends: datetime | None
    currency: str
    metrics: list[EffectOut]
    repurchase_mde: float | None = Field(description="The power note: the smallest repurchase-rate "
                                                     "difference these group sizes can see")
    by_stratum: dict[str, Any] = Field(description="Repurchase-rate effect per value tier")
    cost: float | None = None
    incremental_margin: float | None = None
    incremental_profit: float | None = None
    roi: float | None = None
    incremental_equity: EffectOut | None = None


class HoldoutOut(Schema):
    enabled: bool
    share: float
    members: int = Field(description="Customers held out now")
    changed_at: datetime | None


class HoldoutUpdate(Strict):
    enabled: bool
    share: float = Field(ge=0, le=0.5, description="Share of all customers held out (0–0.5)")
