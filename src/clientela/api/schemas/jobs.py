"""The job resource (what a caller polls after a 202: a send, an erasure, an export, survey
invitations) and the requests answered by a job."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from clientela.api.fields import Text
from clientela.api.schemas.parties import Strict
from clientela.crm.input_bounds import MAX_ID


class JobOut(Schema):
    id: int
    kind: str = Field(description="campaign.send, privacy.erase, export.csv, survey.invite, scoring.run, schedule")
    label: str
    status: str = Field(description="queued, running, retrying, succeeded or failed")
    progress_done: int
    progress_total: int | None
    attempts: int
    max_attempts: int
    last_error: str = Field(description="The last attempt's error (its type; the message only for input errors)")
    result: dict[str, Any] = Field(description="What the job reports when it has succeeded (counts)")
    result_url: str | None = Field(None, description="Where the job's product is fetched, once it succeeded "
                                                     "(an export's file)")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class InvitationCreate(Strict):
    """Whom to invite to a survey, and how: ``party_ids`` or a ``segment_id`` (its members
    the caller may see, when the job runs)."""

    party_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None = Field(
        None, max_length=10_000, description="Parties to invite (at most 10,000; use a segment for more)")
    segment_id: int | None = Field(None, ge=1, le=MAX_ID, description="A saved segment whose members are invited")
    channel: Literal["email", "sms"] = "email"
    subject: Text(200) = Field("", description="The mail's subject (default: the survey's name)")  # type: ignore[valid-type]
    body: Text(5000) = Field("", description="The text before the answer link; merge fields "  # type: ignore[valid-type]
                                             "{{ first_name }}, {{ name }}, {{ question }} (default: the question)")


class ExportCreate(Strict):
    kind: Literal["customers", "orders", "interactions", "scores"] = Field(
        description="What to export: the rows you may see, in the columns `clientela import` reads")


class ExportOut(Schema):
    id: int
    kind: str
    status: str = Field(description="pending (the worker is writing it), ready or failed")
    rows: int
    size: int = Field(description="Bytes of CSV")
    created_at: datetime
    expires_at: datetime = Field(description="The file is deleted after this")
    job_id: int | None = Field(None, description="The job writing a large export (GET /jobs/{id})")
    file_url: str | None = Field(None, description="Where the CSV is fetched once ready (you or an administrator)")
