"""/audit-entries (admins only, read-only)."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router

from clientela.api.fields import MAX_ID, PathId, Text
from clientela.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, page_of
from clientela.api.responses import answers
from clientela.api.schemas.audit import AuditEntryOut
from clientela.crm.audit import access, queries
from clientela.crm.audit.models import AuditEntry

router = Router(tags=["audit"])


@router.get("/audit-entries", response=answers(200, Page[AuditEntryOut]))
def list_audit_entries(
    request: HttpRequest,
    entity: Text(40) | None = None,  # type: ignore[valid-type]
    object_id: Text(64) | None = None,  # type: ignore[valid-type]
    party_id: int | None = Query(None, ge=1, le=MAX_ID),  # noqa: B008
    action: Literal["create", "update", "delete", "export", "erase"] | None = None,
    ordering: Literal["at", "-at"] = "-at",
    cursor: Text(1000) | None = None,  # type: ignore[valid-type]
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),  # noqa: B008
) -> Page[AuditEntryOut]:
    """The audit trail, newest first by default."""
    qs = access.access_audit_entries(
        request.auth,
        queries.audit_entries(entity=entity, object_id=object_id, party_id=party_id, action=action),
    )
    return page_of(
        Page[AuditEntryOut], qs, AuditEntryOut.model_validate,
        ordering=ordering, allowed=("at",), cursor=cursor, limit=limit,
    )


@router.get("/audit-entries/{entry_id}", response=answers(200, AuditEntryOut))
def get_audit_entry(request: HttpRequest, entry_id: PathId) -> AuditEntry:
    """One audit entry: who changed which field of which record, when, from what to what.
    Administrators only (the ``audit`` capability)."""
    return access.access_audit_entry_by_id(request.auth, entry_id)
