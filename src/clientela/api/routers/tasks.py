"""/tasks: to-dos with a due date, linked to at most one party, deal or case."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from clientela.api.conditional import (
    change_if_match,
    delete_if_match,
    require_if_match_present,
)
from clientela.api.fields import MAX_ID, Day, PathId, Text
from clientela.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, page_of
from clientela.api.patching import patch_values
from clientela.api.responses import answers, created, no_content, with_etag
from clientela.api.schemas.operations import (
    TASK_NULLABLE,
    TaskCreate,
    TaskOut,
    TaskStatusValue,
    TaskUpdate,
)
from clientela.crm.accounts.models import User
from clientela.crm.accounts.permissions import require
from clientela.crm.errors import InvalidInput
from clientela.crm.parties.access import access_party_by_id
from clientela.crm.query_filters import filter_given
from clientela.crm.sales.access import access_deal_by_id
from clientela.crm.service.access import access_case_by_id
from clientela.crm.tasks import access, actions
from clientela.crm.tasks.models import Task

router = Router(tags=["tasks"])


def _out(t: Task) -> TaskOut:
    return TaskOut(
        id=t.pk, title=t.title, description=t.description, due_on=t.due_on, assignee_id=t.assignee_id,
        created_by_id=t.created_by_id, status=t.status, completed_at=t.completed_at,
        party_id=t.party_id, deal_id=t.deal_id, case_id=t.case_id, version=t.version,
    )


def _assignee(actor: User, assignee_id: int | None) -> User | None:
    """The assignee by id: 422 when no such active user, 403 when outside whom the actor
    may assign tasks to (``tasks.access.assignable_users``)."""
    if assignee_id is None:
        return None
    if not User.objects.filter(pk=assignee_id, is_active=True).exists():
        raise InvalidInput({"assignee_id": "no such active user"})
    return access.access_assignee_by_id(actor, assignee_id)


@router.get("/tasks", response=answers(200, Page[TaskOut]))
def list_tasks(
    request: HttpRequest,
    status: TaskStatusValue | None = None,
    assignee_id: int | None = Query(None, ge=1, le=MAX_ID),  # noqa: B008
    party_id: int | None = Query(None, ge=1, le=MAX_ID),  # noqa: B008
    deal_id: int | None = Query(None, ge=1, le=MAX_ID),  # noqa: B008
    case_id: int | None = Query(None, ge=1, le=MAX_ID),  # noqa: B008
    due_before: Day | None = None,
    ordering: Literal["due_on", "-due_on", "created_at", "-created_at"] = "due_on",
    cursor: Text(1000) | None = None,  # type: ignore[valid-type]
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),  # noqa: B008
) -> Page[TaskOut]:
    """Tasks you may see, by status, assignee, due date and the party, deal or case they are about."""
    require(request.auth, "task")
    qs = access.visible_tasks(request.auth)
    qs = filter_given(qs, status=status, assignee_id=assignee_id, party_id=party_id, deal_id=deal_id,
                      case_id=case_id, due_on__lt=due_before)
    return page_of(
        Page[TaskOut], qs, _out,
        ordering=ordering, allowed=("due_on", "created_at"), cursor=cursor, limit=limit,
    )


@router.post("/tasks", response=answers(201, TaskOut))
def create_task(request: HttpRequest, response: HttpResponse, payload: TaskCreate) -> Status[TaskOut]:
    """Create a task about a party, deal or case you may see and assign it within your scope."""
    user = request.auth
    access.check_task_create(user)
    links = [n for n in ("party_id", "deal_id", "case_id") if getattr(payload, n) is not None]
    if len(links) > 1:
        raise InvalidInput({"link": "a task links to at most one of party, deal or case"})
    party = access_party_by_id(user, payload.party_id) if payload.party_id else None
    deal = access_deal_by_id(user, payload.deal_id) if payload.deal_id else None
    case = access_case_by_id(user, payload.case_id) if payload.case_id else None
    task = actions.create_task(
        user, title=payload.title, description=payload.description, due_on=payload.due_on,
        assignee=_assignee(user, payload.assignee_id if payload.assignee_id is not None else user.pk),
        party=party, deal=deal, case=case,
    )
    return created(response, _out(task), "/api/v1/tasks")


@router.get("/tasks/{task_id}", response=answers(200, TaskOut))
def get_task(request: HttpRequest, response: HttpResponse, task_id: PathId) -> TaskOut:
    """One task with its ``ETag``; 404 outside your scope."""
    return with_etag(response, _out(access.access_task_by_id(request.auth, task_id)))


@router.patch("/tasks/{task_id}", response=answers(200, TaskOut))
def update_task(request: HttpRequest, response: HttpResponse, task_id: PathId, payload: TaskUpdate) -> TaskOut:
    """Change a task (complete, reopen, reschedule, reassign); ``If-Match`` with the ``ETag`` you
    read."""
    require_if_match_present(request)
    values = patch_values(payload, TASK_NULLABLE)

    def change(task: Any) -> Any:
        status = values.pop("status", None)
        if "assignee_id" in values:
            values["assignee"] = _assignee(request.auth, values.pop("assignee_id"))
        if values:
            task = actions.update_task(request.auth, task, **values)
        if status is not None:
            task = actions.set_task_status(request.auth, task, status)
        return task

    return with_etag(response, change_if_match(
        request,
        lambda op: access.access_task_by_id(request.auth, task_id, op=op),
        _out,
        change,
    ))


@router.delete("/tasks/{task_id}", response=no_content())
def delete_task(request: HttpRequest, task_id: PathId) -> Status[None]:
    """Delete a task (``If-Match`` required); audited."""
    return delete_if_match(
        request,
        lambda op: access.access_task_by_id(request.auth, task_id, op=op),
        _out,
        lambda task: actions.delete_task(request.auth, task),
    )
