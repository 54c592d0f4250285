"""The loyalty programme's configuration: /loyalty-programmes (create, read, change,
delete) with the earn rule on each programme, and its tiers (/loyalty-programmes/{id}/tiers,
/loyalty-tiers/{id}). Read by whoever sees loyalty accounts; created and changed by admin
and marketer, deleted by admin — the loyalty page's rules (``loyalty.access``)."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from clientela.api.conditional import change_if_match, delete_if_match
from clientela.api.fields import PathId, Text
from clientela.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, page_of
from clientela.api.patching import patch_values
from clientela.api.responses import answers, created, no_content, with_etag
from clientela.api.schemas.loyalty_config import (
    ProgrammeCreate,
    ProgrammeUpdate,
    TierCreate,
    TierOut,
    TierUpdate,
)
from clientela.api.schemas.operations import ProgrammeOut
from clientela.crm.accounts.permissions import require
from clientela.crm.loyalty import access, actions
from clientela.crm.loyalty.models import Programme, Tier

router = Router(tags=["loyalty"])


def programme_out(p: Programme) -> ProgrammeOut:
    return ProgrammeOut(id=p.pk, name=p.name, currency=p.currency, points_per_unit=p.points_per_unit,
                        tier_basis=p.tier_basis, referral_points=p.referral_points,
                        points_valid_days=p.points_valid_days, is_active=p.is_active)


def _tier_out(t: Tier) -> TierOut:
    return TierOut(id=t.pk, programme_id=t.programme_id, name=t.name, threshold=t.threshold, benefits=t.benefits)


@router.get("/loyalty-programmes", response=answers(200, Page[ProgrammeOut]))
def list_programmes(
    request: HttpRequest,
    ordering: Literal["name", "-name"] = "name",
    cursor: Text(1000) | None = None,  # type: ignore[valid-type]
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),  # noqa: B008
) -> Page[ProgrammeOut]:
    """Loyalty programmes: currency, points per unit spent, what the tiers are based on, points per referral."""
    require(request.auth, "loyalty_account")
    qs = access.visible_programmes(request.auth)
    return page_of(
        Page[ProgrammeOut], qs, programme_out,
        ordering=ordering, allowed=("name",), cursor=cursor, limit=limit,
    )


@router.post("/loyalty-programmes", response=answers(201, ProgrammeOut))
def create_programme(request: HttpRequest, response: HttpResponse, payload: ProgrammeCreate) -> Status[ProgrammeOut]:
    """Create a programme with its earn rule: points per unit of its currency spent, points
    for a referral, how many days points stay valid, and whether tiers are reached by
    lifetime points or spend. 422 naming ``name`` when one of that name exists. Audited."""
    require(request.auth, "loyalty_programme", "create")
    programme = actions.create_programme(request.auth, **payload.model_dump())
    return created(response, programme_out(programme), "/api/v1/loyalty-programmes")


@router.get("/loyalty-programmes/{programme_id}", response=answers(200, ProgrammeOut))
def get_programme(request: HttpRequest, response: HttpResponse, programme_id: PathId) -> ProgrammeOut:
    """One programme with its earn rule and ``ETag``."""
    return with_etag(response, programme_out(access.access_programme_by_id(request.auth, programme_id)))


@router.patch("/loyalty-programmes/{programme_id}", response=answers(200, ProgrammeOut))
def update_programme(request: HttpRequest, response: HttpResponse, programme_id: PathId,
                     payload: ProgrammeUpdate) -> ProgrammeOut:
    """Change the earn rule, referral reward, validity, name, or (de)activate the programme
    (``If-Match`` required); the currency and tier basis stay. Audited."""
    return with_etag(response, change_if_match(
        request,
        lambda op: access.access_programme_by_id(request.auth, programme_id, op=op),
        programme_out,
        lambda p: actions.update_programme(request.auth, p, **patch_values(payload)),
    ))


@router.delete("/loyalty-programmes/{programme_id}", response=no_content())
def delete_programme(request: HttpRequest, programme_id: PathId) -> Status[None]:
    """Delete a programme nobody has joined, with its tiers (``If-Match`` required); one with
    members answers 422 naming ``programme``: deactivate it instead. Audited."""
    return delete_if_match(
        request,
        lambda op: access.access_programme_by_id(request.auth, programme_id, op=op),
        programme_out,
        lambda p: actions.delete_programme(request.auth, p),
    )


@router.get("/loyalty-programmes/{programme_id}/tiers", response=answers(200, list[TierOut]))
def list_tiers(request: HttpRequest, programme_id: PathId) -> list[TierOut]:
    """The programme's tiers, lowest threshold first."""
    programme = access.access_programme_by_id(request.auth, programme_id)
    return [_tier_out(t) for t in programme.tiers.order_by("threshold", "id")]


@router.post("/loyalty-programmes/{programme_id}/tiers", response=answers(201, TierOut))
def add_tier(request: HttpRequest, response: HttpResponse, programme_id: PathId,
             payload: TierCreate) -> Status[TierOut]:
    """Add a tier reached at ``threshold`` lifetime points or spend (the programme's basis);
    422 naming ``name`` or ``threshold`` when the programme has one already. Audited."""
    programme = access.access_programme_by_id(request.auth, programme_id, op="update")
    tier = actions.add_tier(request.auth, programme, **payload.model_dump())
    return created(response, _tier_out(tier), "/api/v1/loyalty-tiers")


@router.get("/loyalty-tiers/{tier_id}", response=answers(200, TierOut))
def get_tier(request: HttpRequest, response: HttpResponse, tier_id: PathId) -> TierOut:
    """One tier with its ``ETag``."""
    return with_etag(response, _tier_out(access.access_tier_by_id(request.auth, tier_id)))


@router.patch("/loyalty-tiers/{tier_id}", response=answers(200, TierOut))
def update_tier(request: HttpRequest, response: HttpResponse, tier_id: PathId, payload: TierUpdate) -> TierOut:
    """Rename a tier, move its threshold or change its benefits (``If-Match`` required). Audited."""
    return with_etag(response, change_if_match(
        request,
        lambda op: access.access_tier_by_id(request.auth, tier_id, op=op),
        _tier_out,
        lambda t: actions.update_tier(request.auth, t, **patch_values(payload)),
    ))


@router.delete("/loyalty-tiers/{tier_id}", response=no_content())
def delete_tier(request: HttpRequest, tier_id: PathId) -> Status[None]:
    """Remove a tier (``If-Match`` required); members' tiers follow from those left. Audited."""
    return delete_if_match(
        request,
        lambda op: access.access_tier_by_id(request.auth, tier_id, op=op),
        _tier_out,
        lambda t: actions.delete_tier(request.auth, t),
    )
