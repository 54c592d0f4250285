"""/cases: service cases with their SLA due time and breach flag."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
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
    CASE_NULLABLE,
    CaseCreate,
    CaseOut,
    CaseStatusValue,
    CaseUpdate,
    PriorityValue,
)
from clientela.crm.accounts.permissions import require
from clientela.crm.accounts.queries import owner_and_team
from clientela.crm.errors import InvalidInput
from clientela.crm.parties.access import access_party_for_child
from clientela.crm.query_filters import filter_given
from clientela.crm.service import access, actions, queries
from clientela.crm.service.models import Case

router = Router(tags=["cases"])


def _out(c: Case) -> CaseOut:
    return CaseOut(
        id=c.pk, party_id=c.party_id, subject=c.subject, description=c.description,
        priority=c.priority, category=c.category, status=c.status, opened_at=c.opened_at, sla_due_at=c.sla_due_at,
        sla_breached=c.sla_breached(), resolved_at=c.resolved_at, closed_at=c.closed_at,
        resolution=c.resolution, owner_id=c.owner_id, team_id=c.team_id, version=c.version,
    )


@router.get("/cases", response=answers(200, Page[CaseOut]))
def list_cases(
    request: HttpRequest,
    status: CaseStatusValue | None = None,
    priority: PriorityValue | None = None,
    party_id: int | None = Query(None, ge=1, le=MAX_ID),  # noqa: B008
    owner_id: int | None = Query(None, ge=1, le=MAX_ID),  # noqa: B008
    sla_breached: bool | None = None,
    ordering: Literal["opened_at", "-opened_at", "sla_due_at", "-sla_due_at"] = "-opened_at",
    cursor: Text(1000) | None = None,  # type: ignore[valid-type]
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),  # noqa: B008
) -> Page[CaseOut]:
    """Service cases you may see, by status, priority, assignee, party and SLA breach; each with
    its SLA due time."""
    require(request.auth, "case")
    qs = access.visible_cases(request.auth)
    qs = filter_given(qs, status=status, priority=priority, party_id=party_id, owner_id=owner_id)
    if sla_breached is not None:
        condition = queries.breach_condition(timezone.now())
        qs = qs.filter(condition) if sla_breached else qs.exclude(condition)
    return page_of(
        Page[CaseOut], qs, _out,
        ordering=ordering, allowed=("opened_at", "sla_due_at"), cursor=cursor, limit=limit,
    )


@router.post("/cases", response=answers(201, CaseOut))
def create_case(request: HttpRequest, response: HttpResponse, payload: CaseCreate) -> Status[CaseOut]:
    """Open a case for a party you may see; its SLA due time follows from its priority
    (``CLIENTELA_SLA_HOURS``)."""
    user: Any = request.auth
    party = access_party_for_child(user, payload.party_id, entity="case", op="create")
    owner_id = payload.owner_id if payload.owner_id is not None else user.pk
    owner, team = owner_and_team(owner_id, payload.team_id)
    access.check_case_assignment(
        user, owner_id=owner_id, team_id=team.pk if team else (owner.team_id if owner else None)
    )
    case = actions.open_case(
        user, party=party, subject=payload.subject, description=payload.description,
        priority=payload.priority, category=payload.category, owner=owner, team=team,
    )
    return created(response, _out(case), "/api/v1/cases")


@router.get("/cases/{case_id}", response=answers(200, CaseOut))
def get_case(request: HttpRequest, response: HttpResponse, case_id: PathId) -> CaseOut:
    """One case with its SLA state and ``ETag``."""
    return with_etag(response, _out(access.access_case_by_id(request.auth, case_id)))


@router.patch("/cases/{case_id}", response=answers(200, CaseOut))
def update_case(request: HttpRequest, response: HttpResponse, case_id: PathId, payload: CaseUpdate) -> CaseOut:
    """Change a case's subject, description, priority, owner and team, status or resolution; ``If-Match`` with the ``ETag`` you read."""
    require_if_match_present(request)
    user: Any = request.auth
    values = patch_values(payload, CASE_NULLABLE)

    def change(case: Any) -> Any:
        status = values.pop("status", None)
        resolution = values.pop("resolution", None)
        if "owner_id" in values or "team_id" in values:
            owner_id = values.pop("owner_id", case.owner_id)
            team_id = values.pop("team_id", case.team_id)
            owner, team = owner_and_team(owner_id, team_id)
            access.check_case_assignment(user, owner_id=owner_id, team_id=team_id)
            values["owner"], values["team"] = owner, team
        if values:
            case = actions.update_case(user, case, **values)
        if status is not None:
            case = actions.set_case_status(user, case, status, resolution=resolution)
        elif resolution is not None:
            raise InvalidInput({"resolution": "give it together with status"})
        return case

    return with_etag(response, change_if_match(
        request,
        lambda op: access.access_case_by_id(user, case_id, op=op),
        _out,
        change,
    ))


@router.delete("/cases/{case_id}", response=no_content())
def delete_case(request: HttpRequest, case_id: PathId) -> Status[None]:
    """Delete a case (``If-Match`` required); audited."""
    return delete_if_match(
        request,
        lambda op: access.access_case_by_id(request.auth, case_id, op=op),
        _out,
        lambda case: actions.delete_case(request.auth, case),
    )
