"""/campaigns/{id}/send, /stop and /deliveries: sending (a job), stopping a send, per-member send status."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from clientela.api.fields import PathId, Text
from clientela.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, page_of
from clientela.api.responses import answers
from clientela.api.routers.jobs import accepted
from clientela.api.schemas.jobs import JobOut
from clientela.api.schemas.operations import (
    DeliveryOut,
    SendRequest,
    SendStatusValue,
    StopOut,
)
from clientela.crm.engagement import access, sending
from clientela.crm.engagement import jobs as send_jobs
from clientela.crm.engagement.models import CampaignMember
from clientela.crm.engagement.sms import SmsError
from clientela.crm.errors import Conflict, InvalidInput
from clientela.crm.query_filters import filter_given

router = Router(tags=["campaigns"])


def _out(m: CampaignMember) -> DeliveryOut:
    return DeliveryOut(member_id=m.pk, party_id=m.party_id, send_status=m.send_status,
                       send_reason=m.send_reason, sent_at=m.sent_at, status_at=m.status_at)


@router.get("/campaigns/{campaign_id}/deliveries", response=answers(200, Page[DeliveryOut]))
def list_deliveries(
    request: HttpRequest,
    campaign_id: PathId,
    send_status: SendStatusValue | None = None,
    ordering: Literal["status_at", "-status_at"] = "-status_at",
    cursor: Text(1000) | None = None,  # type: ignore[valid-type]
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),  # noqa: B008
) -> Page[DeliveryOut]:
    """Per member of a campaign you may see: send status (queued, sent, suppressed, failed), when
    it was sent and why it was not."""
    campaign = access.access_campaign_for_members(request.auth, campaign_id, op="view")
    qs = access.visible_members(request.auth).filter(campaign=campaign)
    qs = filter_given(qs, send_status=send_status)
    return page_of(
        Page[DeliveryOut], qs, _out,
        ordering=ordering, allowed=("status_at",), cursor=cursor, limit=limit,
    )


@router.post("/campaigns/{campaign_id}/send", response=answers(202, JobOut))
def send_campaign(request: HttpRequest, response: HttpResponse, campaign_id: PathId,
                  payload: SendRequest) -> Status[JobOut]:
    """Queue the send of the campaign's message to members with marketing consent on its
    channel, as a job for the worker: 202 with the job in ``Location`` (``GET /jobs/{id}``
    gives its progress and, when done, the counts sent, suppressed, failed and skipped).
    When a send of the campaign is queued or running already, that job is answered."""
    campaign = access.access_campaign_by_id(request.auth, campaign_id, op="update")
    try:
        job = send_jobs.queue_send(request.auth, campaign, resend=payload.resend)
    except sending.SendingError as exc:
        field, _, reason = str(exc).partition(": ")
        raise InvalidInput({field: reason}) from None
    except SmsError as exc:
        raise Conflict(str(exc)) from None
    return accepted(response, job or send_jobs.running_send(campaign.pk))


@router.post("/campaigns/{campaign_id}/stop", response=answers(200, StopOut))
def stop_sending(request: HttpRequest, campaign_id: PathId) -> StopOut:
    """Stop the campaign's sends running now (from this API, the web page or the CLI)
    before their next member; the members not reached stay queued for the next send."""
    campaign = access.access_campaign_by_id(request.auth, campaign_id, op="update")
    return StopOut(queued=sending.request_stop(campaign))
