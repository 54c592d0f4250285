"""Input and output schemas of the operational resources: pipelines, stages, deals,
tasks, cases, surveys and responses, loyalty accounts and entries, campaign deliveries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field, StringConstraints

from clientela.api.fields import Currency, Day, EventTime, Money, RefId, Text
from clientela.api.schemas.parties import Strict

Probability = Annotated[Decimal, Field(ge=0, le=1, max_digits=5, decimal_places=4)]
Points = Annotated[int, Field(ge=1, le=1_000_000_000)]
SignedPoints = Annotated[int, Field(ge=-1_000_000_000, le=1_000_000_000)]
DealStatusValue = Literal["open", "won", "lost"]
TaskStatusValue = Literal["open", "done", "cancelled"]
PriorityValue = Literal["low", "normal", "high", "urgent"]
CaseStatusValue = Literal["new", "open", "pending", "resolved", "closed"]
SurveyKindValue = Literal["nps", "csat"]
EntryKindValue = Literal["earn", "redeem", "expire", "adjust"]
SendStatusValue = Literal["queued", "sending", "sent", "suppressed", "failed"]


# -- pipelines and stages ------------------------------------------------------------
class StageCreate(Strict):
    name: Text(120, min_length=1)  # type: ignore[valid-type]
    win_probability: Probability
    order: Annotated[int, Field(ge=1, le=1000)] | None = None
    is_won: bool = False
    is_lost: bool = False


class StageUpdate(Strict):
    name: Text(120, min_length=1) | None = None  # type: ignore[valid-type]
    win_probability: Probability | None = None
    order: Annotated[int, Field(ge=1, le=1000)] | None = None


class StageOut(Schema):
    id: int
    pipeline_id: int
    name: str
    order: int
    win_probability: Decimal
    is_won: bool
    is_lost: bool


class PipelineCreate(Strict):
    name: Text(120, min_length=1)  # type: ignore[valid-type]
    stages: list[StageCreate] = Field(min_length=1, max_length=50)


class PipelineUpdate(Strict):
    name: Text(120, min_length=1) | None = None  # type: ignore[valid-type]
    is_active: bool | None = None


class PipelineOut(Schema):
    id: int
    name: str
    is_active: bool
    stages: list[StageOut]


class FunnelStepOut(Schema):
    stage_id: int
    stage: str
    reached: int
    share: Decimal | None
    conversion: Decimal | None


class VelocityOut(Schema):
    mean_days_in_stage: dict[str, Decimal] = Field(description="stage id -> mean days")
    won: int
    lost: int
    win_rate: Decimal | None
    weighted_value: dict[str, Decimal] = Field(description="currency -> amount × probability")
    open_value: dict[str, Decimal]
    mean_days_to_close: Decimal | None


# -- deals ---------------------------------------------------------------------------
class DealCreate(Strict):
    party_id: RefId
    pipeline_id: RefId
    stage_id: RefId | None = None
    name: Text(200, min_length=1)  # type: ignore[valid-type]
    amount: Money = Decimal("0")
    currency: Currency = "PLN"
    expected_close: Day | None = None
    owner_id: RefId | None = None
    team_id: RefId | None = None


class DealUpdate(Strict):
    name: Text(200, min_length=1) | None = None  # type: ignore[valid-type]
    amount: Money | None = None
    currency: Currency | None = None
    expected_close: Day | None = None
    owner_id: RefId | None = None
    team_id: RefId | None = None
    stage_id: RefId | None = Field(None, description="move the deal; a won/lost stage closes it")
    close_reason: Text(300) | None = Field(None, description="why the deal was won or lost: required with a stage_id of a won or lost stage")  # type: ignore[valid-type]


DEAL_NULLABLE = frozenset({"expected_close", "owner_id", "team_id"})


class DealOut(Schema):
    id: int
    party_id: int
    pipeline_id: int
    stage_id: int
    name: str
    amount: Decimal
    currency: str
    expected_close: dt.date | None
    owner_id: int | None
    team_id: int | None
    status: str
    close_reason: str
    closed_at: dt.datetime | None
    version: int
    created_at: dt.datetime


# -- tasks ---------------------------------------------------------------------------
class TaskCreate(Strict):
    title: Text(200, min_length=1)  # type: ignore[valid-type]
    description: Text(20_000) = ""  # type: ignore[valid-type]
    due_on: Day | None = None
    assignee_id: RefId | None = None
    party_id: RefId | None = None
    deal_id: RefId | None = None
    case_id: RefId | None = None


class TaskUpdate(Strict):
    title: Text(200, min_length=1) | None = None  # type: ignore[valid-type]
    description: Text(20_000) | None = None  # type: ignore[valid-type]
    due_on: Day | None = None
    assignee_id: RefId | None = None
    status: TaskStatusValue | None = None


TASK_NULLABLE = frozenset({"due_on", "assignee_id"})


class TaskOut(Schema):
    id: int
    title: str
    description: str
    due_on: dt.date | None
    assignee_id: int | None
    created_by_id: int | None
    status: str
    completed_at: dt.datetime | None
    party_id: int | None
    deal_id: int | None
    case_id: int | None
    version: int


# -- cases ---------------------------------------------------------------------------
class CaseCreate(Strict):
    party_id: RefId
    subject: Text(200, min_length=1)  # type: ignore[valid-type]
    description: Text(20_000) = ""  # type: ignore[valid-type]
    priority: PriorityValue = "normal"
    # A word of the company's case categories (GET /vocabularies/case_categories), or "".
    category: Text(20) = ""  # type: ignore[valid-type]
    owner_id: RefId | None = None
    team_id: RefId | None = None


class CaseUpdate(Strict):
    subject: Text(200, min_length=1) | None = None  # type: ignore[valid-type]
    description: Text(20_000) | None = None  # type: ignore[valid-type]
    priority: PriorityValue | None = None
    category: Text(20) | None = None  # type: ignore[valid-type]
    owner_id: RefId | None = None
    team_id: RefId | None = None
    status: CaseStatusValue | None = None
    resolution: Text(20_000) | None = None  # type: ignore[valid-type]


CASE_NULLABLE = frozenset({"owner_id", "team_id"})


class CaseOut(Schema):
    id: int
    party_id: int
    subject: str
    description: str
    priority: str
    category: str
    status: str
    opened_at: dt.datetime
    sla_due_at: dt.datetime
    sla_breached: bool
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    resolution: str
    owner_id: int | None
    team_id: int | None
    version: int


# -- surveys and responses -----------------------------------------------------------
OptionText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
ChoiceOptions = Annotated[list[OptionText], Field(
    max_length=10, description="the options of the choice question: 2 to 10 different texts")]


class SurveyCreate(Strict):
    name: Text(200, min_length=1)  # type: ignore[valid-type]
    kind: SurveyKindValue
    question: Text(500, min_length=1)  # type: ignore[valid-type]
    choice_question: Text(300) = Field("", description="an optional single-choice question "  # type: ignore[valid-type]
                                                       "asked after the score (empty: none)")
    choice_options: ChoiceOptions = []  # noqa: RUF012 - a pydantic default, copied per instance


class SurveyUpdate(Strict):
    name: Text(200, min_length=1) | None = None  # type: ignore[valid-type]
    question: Text(500, min_length=1) | None = None  # type: ignore[valid-type]
    choice_question: Text(300) | None = None  # type: ignore[valid-type]
    choice_options: ChoiceOptions | None = None
    is_active: bool | None = None


class SurveyOut(Schema):
    id: int
    name: str
    kind: str
    question: str
    choice_question: str
    choice_options: list[str]
    is_active: bool
    created_at: dt.datetime


class ResponseCreate(Strict):
    survey_id: RefId
    party_id: RefId | None = None
    score: Annotated[int, Field(ge=0, le=10, description="NPS 0–10, CSAT 1–5")]
    comment: Text(5000) = ""  # type: ignore[valid-type]
    choice: Text(100) = Field("", description="one of the survey's choice options (empty: not answered)")  # type: ignore[valid-type]
    answered_at: EventTime | None = None


class ResponseOut(Schema):
    id: int
    survey_id: int
    party_id: int | None
    invitation_id: int | None
    kind: str
    score: int
    comment: str
    choice: str
    answered_at: dt.datetime


# -- loyalty -------------------------------------------------------------------------
class ProgrammeOut(Schema):
    id: int
    name: str
    currency: str
    points_per_unit: Decimal
    tier_basis: str
    referral_points: int
    points_valid_days: int = Field(description="days after which earned points expire, oldest first (0: never)")
    is_active: bool


class AccountCreate(Strict):
    party_id: RefId
    programme_id: RefId


class AccountOut(Schema):
    id: int
    party_id: int
    programme_id: int
    balance: int
    lifetime_points: int
    lifetime_spend: Decimal
    tier: str | None
    opened_at: dt.datetime


class EntryCreate(Strict):
    kind: EntryKindValue
    points: SignedPoints = Field(description="positive; for adjust the sign says which way")
    reason: Text(300) = ""  # type: ignore[valid-type]
    reward: Text(200) = Field("", description="what was redeemed (redeem only)")  # type: ignore[valid-type]


class EntryOut(Schema):
    id: int
    account_id: int
    kind: str
    points: int
    balance_after: int
    occurred_at: dt.datetime
    reason: str
    order_id: int | None


# -- campaign deliveries -------------------------------------------------------------
class SendRequest(Strict):
    resend: bool = Field(False, description="process members already sent to again")


class SendSummaryOut(Schema):
    sent: int
    suppressed: int
    failed: int
    skipped: int
    stopped: bool = Field(False, description="A stop was requested during the send; the members not reached stay queued")


class StopOut(Schema):
    queued: int = Field(description="Members not yet sent to, left queued for the next send")


class DeliveryOut(Schema):
    member_id: int
    party_id: int
    send_status: str
    send_reason: str
    sent_at: dt.datetime | None
    status_at: dt.datetime | None
