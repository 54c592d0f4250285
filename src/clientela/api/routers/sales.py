"""/pipelines, /stages, /deals: the sales pipeline, its funnel and velocity."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from clientela.api.conditional import (
    change_if_match,
    delete_if_match,
    require_if_match_present,
)
from clientela.api.fields import MAX_ID, PathId, Text
from clientela.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, page_of
from clientela.api.patching import patch_values
from clientela.api.responses import answers, created, no_content, with_etag
from clientela.api.schemas.operations import (
    DEAL_NULLABLE,
    DealCreate,
    DealOut,
    DealStatusValue,
    DealUpdate,
    FunnelStepOut,
    PipelineCreate,
    PipelineOut,
    PipelineUpdate,
    StageCreate,
    StageOut,
    StageUpdate,
    VelocityOut,
)
from clientela.crm.accounts.permissions import require
from clientela.crm.accounts.queries import owner_and_team
from clientela.crm.errors import InvalidInput
from clientela.crm.parties.access import access_party_for_child
from clientela.crm.query_filters import filter_given
from clientela.crm.sales import access, actions, queries
from clientela.crm.sales.models import Deal, Pipeline, Stage

router = Router(tags=["sales"])


def _stage_out(s: Stage) -> StageOut:
    return StageOut(
        id=s.pk, pipeline_id=s.pipeline_id, name=s.name, order=s.order,
        win_probability=s.win_probability, is_won=s.is_won, is_lost=s.is_lost,
    )


def _pipeline_out(p: Pipeline) -> PipelineOut:
    return PipelineOut(
        id=p.pk, name=p.name, is_active=p.is_active,
        # From ``stages.all()``: one query for the stages of a whole page of pipelines.
        stages=[_stage_out(s) for s in sorted(p.stages.all(), key=lambda s: (s.order, s.pk))],
    )


def _deal_out(d: Deal) -> DealOut:
    return DealOut(
        id=d.pk, party_id=d.party_id, pipeline_id=d.pipeline_id, stage_id=d.stage_id, name=d.name,
        amount=d.amount, currency=d.currency, expected_close=d.expected_close, owner_id=d.owner_id,
        team_id=d.team_id, status=d.status, close_reason=d.close_reason, closed_at=d.closed_at,
        version=d.version, created_at=d.created_at,
    )



# -- pipelines -----------------------------------------------------------------------
@router.get("/pipelines", response=answers(200, Page[PipelineOut]))
def list_pipelines(
    request: HttpRequest,
    is_active: bool | None = None,
    ordering: Literal["name", "-name"] = "name",
    cursor: Text(1000) | None = None,  # type: ignore[valid-type]
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),  # noqa: B008
) -> Page[PipelineOut]:
    """Sales pipelines with their stages in order (one query for all stages); filter by
    ``is_active``."""
    require(request.auth, "pipeline")
    qs = access.visible_pipelines(request.auth).prefetch_related("stages")
    qs = filter_given(qs, is_active=is_active)
    return page_of(
        Page[PipelineOut], qs, _pipeline_out,
        ordering=ordering, allowed=("name",), cursor=cursor, limit=limit,
    )


@router.post("/pipelines", response=answers(201, PipelineOut))
def create_pipeline(request: HttpRequest, response: HttpResponse, payload: PipelineCreate) -> Status[PipelineOut]:
    """Create a pipeline with its stages (names, win probabilities, which stage is won and which
    lost)."""
    require(request.auth, "pipeline", "create")
    specs = [actions.StageSpec(s.name, s.win_probability, s.is_won, s.is_lost) for s in payload.stages]
    return created(response, _pipeline_out(actions.create_pipeline(request.auth, payload.name, specs)), "/api/v1/pipelines")


@router.get("/pipelines/{pipeline_id}", response=answers(200, PipelineOut))
def get_pipeline(request: HttpRequest, response: HttpResponse, pipeline_id: PathId) -> PipelineOut:
    """One pipeline with its stages and ``ETag``."""
    return with_etag(response, _pipeline_out(access.access_pipeline_by_id(request.auth, pipeline_id)))


@router.patch("/pipelines/{pipeline_id}", response=answers(200, PipelineOut))
def update_pipeline(
    request: HttpRequest, response: HttpResponse, pipeline_id: PathId, payload: PipelineUpdate
) -> PipelineOut:
    """Rename a pipeline or (de)activate it; ``If-Match`` with the ``ETag`` you read."""
    return with_etag(response, change_if_match(
        request,
        lambda op: access.access_pipeline_by_id(request.auth, pipeline_id, op=op),
        _pipeline_out,
        lambda p: actions.update_pipeline(request.auth, p, **patch_values(payload)),
    ))


@router.delete("/pipelines/{pipeline_id}", response=no_content())
def delete_pipeline(request: HttpRequest, pipeline_id: PathId) -> Status[None]:
    """Delete a pipeline that holds no deals (409 otherwise: deactivate it)."""
    return delete_if_match(
        request,
        lambda op: access.access_pipeline_by_id(request.auth, pipeline_id, op=op),
        _pipeline_out,
        lambda p: actions.delete_pipeline(request.auth, p),
    )


@router.post("/pipelines/{pipeline_id}/stages", response=answers(201, StageOut))
def add_stage(
    request: HttpRequest, response: HttpResponse, pipeline_id: PathId, payload: StageCreate
) -> Status[StageOut]:
    """Add a stage at the end of a pipeline (or at ``order``)."""
    p = access.access_pipeline_by_id(request.auth, pipeline_id, op="update")
    return created(response, _stage_out(actions.add_stage(request.auth, p, **payload.model_dump())), "/api/v1/stages")


@router.get("/stages/{stage_id}", response=answers(200, StageOut))
def get_stage(request: HttpRequest, response: HttpResponse, stage_id: PathId) -> StageOut:
    """One stage with its ``ETag``."""
    return with_etag(response, _stage_out(access.access_stage_by_id(request.auth, stage_id)))


@router.patch("/stages/{stage_id}", response=answers(200, StageOut))
def update_stage(request: HttpRequest, response: HttpResponse, stage_id: PathId, payload: StageUpdate) -> StageOut:
    """Change a stage; ``If-Match`` with the ``ETag`` you read."""
    return with_etag(response, change_if_match(
        request,
        lambda op: access.access_stage_by_id(request.auth, stage_id, op=op),
        _stage_out,
        lambda s: actions.update_stage(request.auth, s, **patch_values(payload)),
    ))


@router.delete("/stages/{stage_id}", response=no_content())
def delete_stage(request: HttpRequest, stage_id: PathId) -> Status[None]:
    """Delete a stage no deal has ever been in (409 otherwise)."""
    return delete_if_match(
        request,
        lambda op: access.access_stage_by_id(request.auth, stage_id, op=op),
        _stage_out,
        lambda s: actions.delete_stage(request.auth, s),
    )


@router.get("/pipelines/{pipeline_id}/funnel", response=answers(200, list[FunnelStepOut]))
def pipeline_funnel(request: HttpRequest, pipeline_id: PathId) -> list[FunnelStepOut]:
    """The funnel of a pipeline over the deals you may see: per stage the deals that reached it,
    their share and the conversion from the previous stage."""
    p = access.access_pipeline_by_id(request.auth, pipeline_id)
    require(request.auth, "deal")
    return [
        FunnelStepOut(stage_id=s.stage.pk, stage=s.stage.name, reached=s.reached, share=s.share,
                      conversion=s.conversion)
        for s in queries.funnel(p)
    ]


@router.get("/pipelines/{pipeline_id}/velocity", response=answers(200, VelocityOut))
def pipeline_velocity(request: HttpRequest, pipeline_id: PathId) -> VelocityOut:
    """The velocity of a pipeline over the deals you may see: mean days in each stage (from the stage history), won and lost counts, win rate, open and probability-weighted value per currency, mean days to close."""
    p = access.access_pipeline_by_id(request.auth, pipeline_id)
    require(request.auth, "deal")
    v = queries.velocity(p)
    return VelocityOut(
        mean_days_in_stage={str(k): d for k, d in v.mean_days_in_stage.items()}, won=v.won, lost=v.lost,
        win_rate=v.win_rate, weighted_value=v.weighted_value, open_value=v.open_value,
        mean_days_to_close=v.mean_days_to_close,
    )


# -- deals ---------------------------------------------------------------------------
@router.get("/deals", response=answers(200, Page[DealOut]))
def list_deals(
    request: HttpRequest,
    q: Text(100) | None = None,  # type: ignore[valid-type]
    pipeline_id: int | None = Query(None, ge=1, le=MAX_ID),  # noqa: B008
    stage_id: int | None = Query(None, ge=1, le=MAX_ID),  # noqa: B008
    party_id: int | None = Query(None, ge=1, le=MAX_ID),  # noqa: B008
    owner_id: int | None = Query(None, ge=1, le=MAX_ID),  # noqa: B008
    status: DealStatusValue | None = None,
    ordering: Literal["created_at", "-created_at", "amount", "-amount", "expected_close", "-expected_close"] = "-created_at",
    cursor: Text(1000) | None = None,  # type: ignore[valid-type]
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),  # noqa: B008
) -> Page[DealOut]:
    """Deals you may see (your own, your team's or all, by role), filtered by pipeline, stage,
    status, party and owner."""
    require(request.auth, "deal")
    qs = access.visible_deals(request.auth)
    qs = filter_given(qs, pipeline_id=pipeline_id, stage_id=stage_id, party_id=party_id,
                      owner_id=owner_id, status=status)
    if q:
        qs = qs.filter(name__icontains=q)
    return page_of(
        Page[DealOut], qs, _deal_out,
        ordering=ordering, allowed=("created_at", "amount", "expected_close"), cursor=cursor, limit=limit,
    )


@router.post("/deals", response=answers(201, DealOut))
def create_deal(request: HttpRequest, response: HttpResponse, payload: DealCreate) -> Status[DealOut]:
    """Open a deal for a party you may see in a pipeline's stage (the first open stage by default).
    Owner defaults to you; you may only assign within your scope."""
    user = request.auth
    party = access_party_for_child(user, payload.party_id, entity="deal", op="create")
    pipeline = access.access_pipeline_by_id(user, payload.pipeline_id)
    stage = None
    if payload.stage_id is not None:
        stage = pipeline.stages.filter(pk=payload.stage_id).first()
        if stage is None:
            raise InvalidInput({"stage_id": "not a stage of this pipeline"})
    owner_id = payload.owner_id if payload.owner_id is not None else user.pk
    owner, team = owner_and_team(owner_id, payload.team_id)
    team_id = team.pk if team else (owner.team_id if owner else None)
    access.check_deal_assignment(user, owner_id=owner_id, team_id=team_id)
    deal = actions.create_deal(user,
        party=party, name=payload.name, pipeline=pipeline, stage=stage, amount=payload.amount,
        currency=payload.currency, expected_close=payload.expected_close, owner=owner, team=team,
    )
    return created(response, _deal_out(deal), "/api/v1/deals")


@router.get("/deals/{deal_id}", response=answers(200, DealOut))
def get_deal(request: HttpRequest, response: HttpResponse, deal_id: PathId) -> DealOut:
    """One deal with its ``ETag``; 404 when it is outside your record scope."""
    return with_etag(response, _deal_out(access.access_deal_by_id(request.auth, deal_id)))


@router.patch("/deals/{deal_id}", response=answers(200, DealOut))
def update_deal(request: HttpRequest, response: HttpResponse, deal_id: PathId, payload: DealUpdate) -> DealOut:
    """Change a deal: plain fields, owner and team, and ``stage_id`` to move it. Moving to a won or
    lost stage closes the deal and needs ``close_reason``, as on the pages (422 without). ``If-
    Match`` required."""
    require_if_match_present(request)
    user = request.auth
    values = patch_values(payload, DEAL_NULLABLE)

    def change(deal: Any) -> Any:
        if "owner_id" in values or "team_id" in values:
            access.check_deal_assignment(
                user, owner_id=values.get("owner_id", deal.owner_id), team_id=values.get("team_id", deal.team_id)
            )
        return actions.patch_deal(user, deal, values)

    return with_etag(response, change_if_match(
        request,
        lambda op: access.access_deal_by_id(user, deal_id, op=op),
        _deal_out,
        change,
    ))


@router.delete("/deals/{deal_id}", response=no_content())
def delete_deal(request: HttpRequest, deal_id: PathId) -> Status[None]:
    """Delete a deal (``If-Match`` required); audited."""
    return delete_if_match(
        request,
        lambda op: access.access_deal_by_id(request.auth, deal_id, op=op),
        _deal_out,
        lambda deal: actions.delete_deal(request.auth, deal),
    )
