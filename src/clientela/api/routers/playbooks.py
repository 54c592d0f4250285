"""/playbooks: triggers, conditions, actions and limits that act on value signals; their
versions, dry run and the customers each met (``/parties/{id}/playbooks``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from clientela.api.fields import PathId, Text
from clientela.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, page_of
from clientela.api.responses import answers, created
from clientela.api.schemas.playbooks import (
    DryRunOut,
    FiringOut,
    PlaybookCreate,
    PlaybookOut,
    PlaybookUpdate,
    PlaybookVersionOut,
)
from clientela.crm.accounts.permissions import can_see, require
from clientela.crm.parties.access import access_party_by_id
from clientela.crm.playbooks import access, actions, engine, queries
from clientela.crm.playbooks.models import Firing, Playbook

router = Router(tags=["playbooks"])


def _out(p: Playbook) -> PlaybookOut:
    return PlaybookOut(id=p.pk, name=p.name, enabled=p.enabled, version=p.version, owner_id=p.owner_id,
                       definition=p.definition, created_at=p.created_at, updated_at=p.updated_at)


def _firing(f: Firing) -> FiringOut:
    return FiringOut(**queries.firing_json(f))


@router.get("/playbooks", response=answers(200, Page[PlaybookOut]))
def list_playbooks(
    request: HttpRequest,
    cursor: Text(1000) | None = None,  # type: ignore[valid-type]
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),  # noqa: B008
) -> Page[PlaybookOut]:
    """The playbooks (administrators, marketers, managers and analysts)."""
    require(request.auth, "playbook")
    return page_of(Page[PlaybookOut], access.visible_playbooks(request.auth), _out, ordering="created_at",
                   allowed=("created_at",), cursor=cursor, limit=limit)


@router.post("/playbooks", response=answers(201, PlaybookOut))
def create_playbook(request: HttpRequest, response: HttpResponse, payload: PlaybookCreate) -> Status[PlaybookOut]:
    """A playbook owned by you (its actions are done in your name); 422 names a bad field."""
    access.check_playbook_create(request.auth)
    data: dict[str, Any] = payload.dict(exclude={"name", "enabled"}, exclude_none=True)
    playbook = actions.create_playbook(request.auth, name=payload.name, definition=data, enabled=payload.enabled)
    return created(response, _out(playbook), "/api/v1/playbooks")


@router.get("/playbooks/{playbook_id}", response=answers(200, PlaybookOut))
def get_playbook(request: HttpRequest, playbook_id: PathId) -> PlaybookOut:
    """One playbook with its current definition and version; 404 for a role that may not read playbooks."""
    return _out(access.access_playbook_by_id(request.auth, playbook_id))


@router.patch("/playbooks/{playbook_id}", response=answers(200, PlaybookOut))
def update_playbook(request: HttpRequest, playbook_id: PathId, payload: PlaybookUpdate) -> PlaybookOut:
    """A new version (``name``, ``definition``) and/or on/off (``enabled``)."""
    playbook = access.access_playbook_by_id(request.auth, playbook_id, op="update")
    if payload.name is not None or payload.definition is not None:
        playbook = actions.update_playbook(request.auth, playbook, name=payload.name, definition=payload.definition)
    if payload.enabled is not None:
        playbook = actions.set_enabled(request.auth, playbook, payload.enabled)
    return _out(playbook)


@router.get("/playbooks/{playbook_id}/versions", response=answers(200, list[PlaybookVersionOut]))
def list_versions(request: HttpRequest, playbook_id: PathId) -> list[PlaybookVersionOut]:
    """Every version of the playbook (each edit made one), newest first."""
    playbook = access.access_playbook_by_id(request.auth, playbook_id)
    return [PlaybookVersionOut(number=v.number, name=v.name, definition=v.definition, created_at=v.created_at,
                               created_by_id=v.created_by_id) for v in queries.versions(playbook)]


@router.post("/playbooks/{playbook_id}/dry-run", response=answers(200, DryRunOut))
def dry_run(request: HttpRequest, playbook_id: PathId) -> DryRunOut:
    """Who the playbook would act on now and their CLV; writes nothing."""
    playbook = access.access_playbook_by_id(request.auth, playbook_id)
    figures = engine.dry_run(playbook.definition, playbook=playbook)
    return DryRunOut(customers=figures.customers, treated=figures.treated, control=figures.control,
                     clv=figures.clv if can_see(request.auth, "clv") else None, currency=figures.currency,
                     has_run=figures.has_run)


@router.get("/playbooks/{playbook_id}/firings", response=answers(200, Page[FiringOut]))
def list_firings(
    request: HttpRequest, playbook_id: PathId,
    cursor: Text(1000) | None = None,  # type: ignore[valid-type]
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),  # noqa: B008
) -> Page[FiringOut]:
    """The customers the playbook met: acted on, held out (control group), waiting or capped."""
    playbook = access.access_playbook_by_id(request.auth, playbook_id)
    return page_of(Page[FiringOut], Firing.objects.filter(playbook=playbook), _firing, ordering="-at",
                   allowed=("at",), cursor=cursor, limit=limit)


@router.get("/parties/{party_id}/playbooks", response=answers(200, list[FiringOut]))
def party_history(request: HttpRequest, party_id: PathId) -> list[FiringOut]:
    """A customer's playbook history (the latest 100), as on the 360."""
    party = access_party_by_id(request.auth, party_id)
    require(request.auth, "playbook")
    return [_firing(f) for f in queries.history(access.party_firings(request.auth, party), limit=100)]
