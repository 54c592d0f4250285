"""/surveys and /survey-responses (the public answer page is /s/<token>/, not the API)."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from clientela.api.conditional import (
    change_if_match,
    delete_if_match,
)
from clientela.api.fields import MAX_ID, PathId, Text
from clientela.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, page_of
from clientela.api.patching import patch_values
from clientela.api.responses import answers, created, no_content, with_etag
from clientela.api.schemas.operations import (
    ResponseCreate,
    ResponseOut,
    SurveyCreate,
    SurveyKindValue,
    SurveyOut,
    SurveyUpdate,
)
from clientela.crm.accounts.permissions import require
from clientela.crm.feedback import access, actions
from clientela.crm.feedback.models import Survey, SurveyResponse
from clientela.crm.parties.access import access_party_for_child
from clientela.crm.query_filters import filter_given

router = Router(tags=["surveys"])


def _survey_out(s: Survey) -> SurveyOut:
    return SurveyOut(id=s.pk, name=s.name, kind=s.kind, question=s.question, choice_question=s.choice_question,
                     choice_options=list(s.choice_options or []), is_active=s.is_active, created_at=s.created_at)


def _response_out(r: SurveyResponse) -> ResponseOut:
    return ResponseOut(id=r.pk, survey_id=r.survey_id, party_id=r.party_id, invitation_id=r.invitation_id,
                       kind=r.kind, score=r.score, comment=r.comment, choice=r.choice, answered_at=r.answered_at)



@router.get("/surveys", response=answers(200, Page[SurveyOut]))
def list_surveys(
    request: HttpRequest,
    kind: SurveyKindValue | None = None,
    is_active: bool | None = None,
    ordering: Literal["created_at", "-created_at", "name", "-name"] = "-created_at",
    cursor: Text(1000) | None = None,  # type: ignore[valid-type]
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),  # noqa: B008
) -> Page[SurveyOut]:
    """Surveys (NPS, CSAT) with their question and whether they are open."""
    require(request.auth, "survey")
    qs = access.visible_surveys(request.auth)
    qs = filter_given(qs, kind=kind, is_active=is_active)
    return page_of(
        Page[SurveyOut], qs, _survey_out,
        ordering=ordering, allowed=("created_at", "name"), cursor=cursor, limit=limit,
    )


@router.post("/surveys", response=answers(201, SurveyOut))
def create_survey(request: HttpRequest, response: HttpResponse, payload: SurveyCreate) -> Status[SurveyOut]:
    """Create an NPS or CSAT survey, optionally with one single-choice question asked after the
    score (``choice_question`` and 2 to 10 ``choice_options``; 422 naming the field otherwise)."""
    require(request.auth, "survey", "create")
    return created(response, _survey_out(actions.create_survey(request.auth, **payload.model_dump())), "/api/v1/surveys")


@router.get("/surveys/{survey_id}", response=answers(200, SurveyOut))
def get_survey(request: HttpRequest, response: HttpResponse, survey_id: PathId) -> SurveyOut:
    """One survey with its ``ETag``."""
    return with_etag(response, _survey_out(access.access_survey_by_id(request.auth, survey_id)))


@router.patch("/surveys/{survey_id}", response=answers(200, SurveyOut))
def update_survey(request: HttpRequest, response: HttpResponse, survey_id: PathId, payload: SurveyUpdate) -> SurveyOut:
    """Rename a survey, change its question, its choice question or options, or (de)activate it;
    ``If-Match`` required."""
    return with_etag(response, change_if_match(
        request,
        lambda op: access.access_survey_by_id(request.auth, survey_id, op=op),
        _survey_out,
        lambda s: actions.update_survey(request.auth, s, **patch_values(payload)),
    ))


@router.delete("/surveys/{survey_id}", response=no_content())
def delete_survey(request: HttpRequest, survey_id: PathId) -> Status[None]:
    """Delete a survey that has no responses (422 otherwise: deactivate it with ``is_active=false``)."""
    return delete_if_match(
        request,
        lambda op: access.access_survey_by_id(request.auth, survey_id, op=op),
        _survey_out,
        lambda s: actions.delete_survey(request.auth, s),
    )


@router.get("/survey-responses", response=answers(200, Page[ResponseOut]))
def list_responses(
    request: HttpRequest,
    survey_id: int | None = Query(None, ge=1, le=MAX_ID),  # noqa: B008
    party_id: int | None = Query(None, ge=1, le=MAX_ID),  # noqa: B008
    ordering: Literal["answered_at", "-answered_at", "score", "-score"] = "-answered_at",
    cursor: Text(1000) | None = None,  # type: ignore[valid-type]
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),  # noqa: B008
) -> Page[ResponseOut]:
    """Survey answers of the parties you may see, by survey, party and answer time; score and
    comment."""
    require(request.auth, "survey_response")
    qs = access.visible_responses(request.auth)
    qs = filter_given(qs, survey_id=survey_id, party_id=party_id)
    return page_of(
        Page[ResponseOut], qs, _response_out,
        ordering=ordering, allowed=("answered_at", "score"), cursor=cursor, limit=limit,
    )


@router.post("/survey-responses", response=answers(201, ResponseOut))
def create_response(request: HttpRequest, response: HttpResponse, payload: ResponseCreate) -> Status[ResponseOut]:
    """Record an answer of a party you may see to a survey (score in the survey's range, optional
    comment, optional ``choice`` among the survey's options). Audited."""
    user = request.auth
    require(user, "survey_response", "create")
    survey = access.access_survey_by_id(user, payload.survey_id)
    party = None
    if payload.party_id is not None:
        party = access_party_for_child(user, payload.party_id, entity="survey_response", op="create")
    r = actions.record_response(
        user, survey=survey, party=party, score=payload.score, comment=payload.comment, choice=payload.choice,
        answered_at=payload.answered_at,
    )
    return created(response, _response_out(r), "/api/v1/survey-responses")


@router.get("/survey-responses/{response_id}", response=answers(200, ResponseOut))
def get_response(request: HttpRequest, response: HttpResponse, response_id: PathId) -> ResponseOut:
    """One survey answer with its ``ETag``."""
    return with_etag(response, _response_out(access.access_response_by_id(request.auth, response_id)))


@router.delete("/survey-responses/{response_id}", response=no_content())
def delete_response(request: HttpRequest, response_id: PathId) -> Status[None]:
    """Delete a survey answer (``If-Match`` required); audited."""
    return delete_if_match(
        request,
        lambda op: access.access_response_by_id(request.auth, response_id, op=op),
        _response_out,
        lambda r: actions.delete_response(request.auth, r),
    )
