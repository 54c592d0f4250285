"""/interactions, /campaigns, /campaigns/{id}/members, /campaign-members."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from clientela.api.conditional import (
    change_if_match,
    delete_if_match,
)
from clientela.api.fields import MAX_ID, PathId, Text, Timestamp
from clientela.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, page_of
from clientela.api.patching import patch_values
from clientela.api.responses import answers, created, no_content, with_etag
from clientela.api.schemas.engagement import (
    CAMPAIGN_NULLABLE,
    MEMBER_NULLABLE,
    CampaignCreate,
    CampaignKindValue,
    CampaignOut,
    CampaignUpdate,
    DirectionValue,
    InteractionCreate,
    InteractionOut,
    InteractionUpdate,
    MemberCreate,
    MemberOut,
    MemberUpdate,
)
from clientela.api.schemas.parties import ChannelValue
from clientela.crm.accounts.permissions import require, visible_values
from clientela.crm.engagement import access, actions, queries
from clientela.crm.engagement.models import Campaign, CampaignMember, Interaction
from clientela.crm.parties.access import access_party_for_child

router = Router(tags=["interactions"])



def _interaction_out(user: Any, x: Interaction) -> InteractionOut:
    return InteractionOut(**visible_values(user, "interaction", {
        "id": x.pk, "party_id": x.party_id, "channel": x.channel, "direction": x.direction,
        "occurred_at": x.occurred_at, "subject": x.subject, "notes": x.notes, "user_id": x.user_id,
        "cost": x.cost,
    }))


def _campaign_out(user: Any, c: Campaign) -> CampaignOut:
    return CampaignOut(**visible_values(user, "campaign", {
        "id": c.pk, "name": c.name, "kind": c.kind, "channel": c.channel, "budget": c.budget,
        "spend": c.spend, "currency": c.currency, "starts_on": c.starts_on, "ends_on": c.ends_on,
    }))


def _member_out(m: CampaignMember) -> MemberOut:
    return MemberOut(
        id=m.pk, campaign_id=m.campaign_id, party_id=m.party_id, sent_at=m.sent_at,
        responded_at=m.responded_at, converting_order_id=m.converting_order_id,
    )


# -- interactions --------------------------------------------------------------------
@router.get("/interactions", response=answers(200, Page[InteractionOut]))
def list_interactions(
    request: HttpRequest,
    party_id: int | None = Query(None, ge=1, le=MAX_ID),  # noqa: B008
    channel: ChannelValue | None = None,
    direction: DirectionValue | None = None,
    occurred_from: Timestamp | None = None,
    occurred_to: Timestamp | None = None,
    ordering: Literal["occurred_at", "-occurred_at"] = "-occurred_at",
    cursor: Text(1000) | None = None,  # type: ignore[valid-type]
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),  # noqa: B008
) -> Page[InteractionOut]:
    """Interactions (email, phone, SMS, meeting, web, chat, letter) with the parties you may see,
    newest first by default."""
    require(request.auth, "interaction")
    qs = queries.list_interactions(
        request.auth, party_id=party_id, channel=channel, direction=direction,
        occurred_from=occurred_from, occurred_to=occurred_to,
    )
    return page_of(
        Page[InteractionOut], qs, lambda x: _interaction_out(request.auth, x),
        ordering=ordering, allowed=("occurred_at",), cursor=cursor, limit=limit,
    )


@router.post("/interactions", response=answers(201, InteractionOut))
def create_interaction(
    request: HttpRequest, response: HttpResponse, payload: InteractionCreate
) -> Status[InteractionOut]:
    """Log an interaction with a party you may see: channel, direction, time, subject. Audited."""
    values = payload.model_dump()
    party = access_party_for_child(request.auth, values.pop("party_id"), entity="interaction", op="create")
    return created(response, _interaction_out(request.auth, actions.create_interaction(request.auth, party, values)), "/api/v1/interactions")


@router.get("/interactions/{interaction_id}", response=answers(200, InteractionOut))
def get_interaction(request: HttpRequest, response: HttpResponse, interaction_id: PathId) -> InteractionOut:
    """One interaction with its ``ETag``; 404 when its party is outside your scope."""
    return with_etag(response, _interaction_out(request.auth, access.access_interaction_by_id(request.auth, interaction_id)))


@router.patch("/interactions/{interaction_id}", response=answers(200, InteractionOut))
def update_interaction(
    request: HttpRequest, response: HttpResponse, interaction_id: PathId, payload: InteractionUpdate
) -> InteractionOut:
    """Change some fields of an interaction; ``If-Match`` with the ``ETag`` you read."""
    return with_etag(response, change_if_match(
        request,
        lambda op: access.access_interaction_by_id(request.auth, interaction_id, op=op),
        lambda x: _interaction_out(request.auth, x),
        lambda x: actions.update_interaction(request.auth, x, patch_values(payload)),
    ))


@router.delete("/interactions/{interaction_id}", response=no_content())
def delete_interaction(request: HttpRequest, interaction_id: PathId) -> Status[None]:
    """Delete an interaction (``If-Match`` required); the audit trail keeps its last values."""
    return delete_if_match(
        request,
        lambda op: access.access_interaction_by_id(request.auth, interaction_id, op=op),
        lambda x: _interaction_out(request.auth, x),
        lambda x: actions.delete_interaction(request.auth, x),
    )


# -- campaigns -----------------------------------------------------------------------
@router.get("/campaigns", response=answers(200, Page[CampaignOut]), tags=["campaigns"])
def list_campaigns(
    request: HttpRequest,
    q: Text(100) | None = None,  # type: ignore[valid-type]
    kind: CampaignKindValue | None = None,
    ordering: Literal["starts_on", "-starts_on", "name", "-name"] = "-starts_on",
    cursor: Text(1000) | None = None,  # type: ignore[valid-type]
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),  # noqa: B008
) -> Page[CampaignOut]:
    """Campaigns (acquisition, retention, add-on, win-back) you may see, with their channel and
    dates."""
    require(request.auth, "campaign")
    qs = queries.list_campaigns(request.auth, q=q, kind=kind)
    return page_of(
        Page[CampaignOut], qs, lambda c: _campaign_out(request.auth, c),
        ordering=ordering, allowed=("starts_on", "name"), cursor=cursor, limit=limit,
    )


@router.post("/campaigns", response=answers(201, CampaignOut), tags=["campaigns"])
def create_campaign(request: HttpRequest, response: HttpResponse, payload: CampaignCreate) -> Status[CampaignOut]:
    """Create a campaign: kind, message channel, subject and body, dates, optionally its segment."""
    access.check_campaign_create(request.auth)
    return created(response, _campaign_out(request.auth, actions.create_campaign(request.auth, payload.model_dump())), "/api/v1/campaigns")


@router.get("/campaigns/{campaign_id}", response=answers(200, CampaignOut), tags=["campaigns"])
def get_campaign(request: HttpRequest, response: HttpResponse, campaign_id: PathId) -> CampaignOut:
    """One campaign with its ``ETag``."""
    return with_etag(response, _campaign_out(request.auth, access.access_campaign_by_id(request.auth, campaign_id)))


@router.patch("/campaigns/{campaign_id}", response=answers(200, CampaignOut), tags=["campaigns"])
def update_campaign(
    request: HttpRequest, response: HttpResponse, campaign_id: PathId, payload: CampaignUpdate
) -> CampaignOut:
    """Change some fields of a campaign; ``If-Match`` with the ``ETag`` you read."""
    return with_etag(response, change_if_match(
        request,
        lambda op: access.access_campaign_by_id(request.auth, campaign_id, op=op),
        lambda c: _campaign_out(request.auth, c),
        lambda c: actions.update_campaign(request.auth, c, patch_values(payload, CAMPAIGN_NULLABLE)),
    ))


@router.delete("/campaigns/{campaign_id}", response=no_content(), tags=["campaigns"])
def delete_campaign(request: HttpRequest, campaign_id: PathId) -> Status[None]:
    """Delete a campaign and its members (``If-Match`` required)."""
    return delete_if_match(
        request,
        lambda op: access.access_campaign_by_id(request.auth, campaign_id, op=op),
        lambda c: _campaign_out(request.auth, c),
        lambda c: actions.delete_campaign(request.auth, c),
    )


# -- members -------------------------------------------------------------------------
@router.get("/campaigns/{campaign_id}/members", response=answers(200, Page[MemberOut]), tags=["campaigns"])
def list_members(
    request: HttpRequest,
    campaign_id: PathId,
    party_id: int | None = Query(None, ge=1, le=MAX_ID),  # noqa: B008
    cursor: Text(1000) | None = None,  # type: ignore[valid-type]
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),  # noqa: B008
) -> Page[MemberOut]:
    """The members of a campaign whose parties you may see, with their response and send status."""
    campaign = access.access_campaign_for_members(request.auth, campaign_id, op="view")
    qs = queries.list_members(request.auth, campaign_id=campaign.pk, party_id=party_id)
    return page_of(
        Page[MemberOut], qs, _member_out,
        ordering="id", allowed=("id",), cursor=cursor, limit=limit,
    )


@router.post("/campaigns/{campaign_id}/members", response=answers(201, MemberOut), tags=["campaigns"])
def add_member(
    request: HttpRequest, response: HttpResponse, campaign_id: PathId, payload: MemberCreate
) -> Status[MemberOut]:
    """Add a party you may see to a campaign (409 when it is a member already)."""
    values = payload.model_dump()
    campaign = access.access_campaign_for_members(request.auth, campaign_id, op="create")
    party = access_party_for_child(request.auth, values.pop("party_id"), entity="campaign_member", op="create")
    return created(response, _member_out(actions.add_member(request.auth, campaign, party, values)), "/api/v1/campaign-members")


@router.get("/campaign-members/{member_id}", response=answers(200, MemberOut), tags=["campaigns"])
def get_member(request: HttpRequest, response: HttpResponse, member_id: PathId) -> MemberOut:
    """One campaign member with its ``ETag``."""
    return with_etag(response, _member_out(access.access_member_by_id(request.auth, member_id)))


@router.patch("/campaign-members/{member_id}", response=answers(200, MemberOut), tags=["campaigns"])
def update_member(
    request: HttpRequest, response: HttpResponse, member_id: PathId, payload: MemberUpdate
) -> MemberOut:
    """Record when a member was sent to, when it responded and the order it converted into (``If-Match`` with the ``ETag`` you read)."""
    return with_etag(response, change_if_match(
        request,
        lambda op: access.access_member_by_id(request.auth, member_id, op=op),
        _member_out,
        lambda m: actions.update_member(request.auth, m, patch_values(payload, MEMBER_NULLABLE)),
    ))


@router.delete("/campaign-members/{member_id}", response=no_content(), tags=["campaigns"])
def remove_member(request: HttpRequest, member_id: PathId) -> Status[None]:
    """Take a party out of a campaign (``If-Match`` required)."""
    return delete_if_match(
        request,
        lambda op: access.access_member_by_id(request.auth, member_id, op=op),
        _member_out,
        lambda m: actions.remove_member(request.auth, m),
    )
