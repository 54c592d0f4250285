"""Every write to service cases and their notes. Each function owns its transaction,
takes the acting user first and writes its audit entry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from clientela.crm.accounts.models import Team, User
from clientela.crm.audit.actions import (
    audit_change,
    audit_create,
    audit_delete,
    created,
    field_values,
    record_change,
)
from clientela.crm.errors import InvalidInput, StaleRecord
from clientela.crm.parties.models import Party
from clientela.crm.record_writes import save_versioned
from clientela.crm.service import sla
from clientela.crm.service.models import NEXT_STATUSES, Case, CaseNote, CaseStatus, Priority
from clientela.crm.webhooks.events import emit


class CaseError(InvalidInput):
    """A case write was refused; the message starts with the offending field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__({field: message})
        self.field = field



AUDITED = ("party_id", "subject", "description", "priority", "category", "status", "sla_due_at",
           "resolution", "owner_id", "team_id")


def _check_category(category: str) -> None:
    """The category is empty or a word of the company's case categories."""
    from django.core.exceptions import ValidationError

    from clientela.crm.vocabularies.validators import InVocabulary

    try:
        InVocabulary("case_categories")(category)
    except ValidationError as exc:
        raise CaseError("category", " ".join(exc.messages)) from None


def _case_event(case: Case) -> dict[str, Any]:
    """What a webhook says of a case: ids, priority, category and SLA due time (the subject
    and description, written by customers, stay in the system)."""
    return {"case_id": case.pk, "party_id": case.party_id, "priority": case.priority,
            "category": case.category, "status": case.status, "opened_at": case.opened_at,
            "sla_due_at": case.sla_due_at, "owner_id": case.owner_id, "team_id": case.team_id}


@transaction.atomic
def open_case(
    actor: User | None,
    *,
    party: Party,
    subject: str,
    description: str = "",
    priority: str = Priority.NORMAL,
    category: str = "",
    owner: User | None = None,
    team: Team | None = None,
    at: datetime | None = None,
) -> Case:
    """Open a case; its SLA due time is ``at`` plus the hours for its priority."""
    subject = subject.strip()
    if not subject:
        raise CaseError("subject", "must not be empty")
    if priority not in Priority.values:
        raise CaseError("priority", f"must be one of {', '.join(Priority.values)}")
    _check_category(category)
    opened_at = at or timezone.now()
    case = Case.objects.create(
        party=party,
        subject=subject,
        description=description,
        priority=priority,
        category=category,
        opened_at=opened_at,
        sla_due_at=sla.due_at(opened_at, priority),
        owner=owner,
        team=team if team is not None else (owner.team if owner is not None else None),
    )
    audit_create(actor, case, AUDITED)
    emit("case.opened", _case_event(case), at=opened_at)
    return case


def _lock(case: Case, expected_version: int | None) -> Case:
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleRecord(f"version: the record is at version {locked.version}")
    return locked


EDITABLE = ("subject", "description", "priority", "category", "owner", "team", "party")


@transaction.atomic
def update_case(
    actor: User | None, case: Case, *, expected_version: int | None = None, **changes: Any
) -> Case:
    """Change a case's plain fields. A new priority does not move the SLA due time:
    the agreement is the one made when the case was opened."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise CaseError(sorted(unknown)[0], "cannot be changed here")
    locked = _lock(case, expected_version)
    if "subject" in changes:
        changes["subject"] = str(changes["subject"]).strip()
        if not changes["subject"]:
            raise CaseError("subject", "must not be empty")
    if "priority" in changes and changes["priority"] not in Priority.values:
        raise CaseError("priority", f"must be one of {', '.join(Priority.values)}")
    if "category" in changes:
        _check_category(changes["category"])
    return save_versioned(actor, locked, changes)


@transaction.atomic
def set_case_status(
    actor: User | None,
    case: Case,
    status: str,
    *,
    resolution: str | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Case:
    """Move a case through new → open → pending → resolved → closed (or reopen it), one
    of the steps ``models.NEXT_STATUSES`` allows; the same status again only changes the
    resolution text.

    Resolving needs a resolution text and stamps ``resolved_at``; closing an
    unresolved case resolves it at the same moment; reopening clears both.
    """
    if status not in CaseStatus.values:
        raise CaseError("status", f"must be one of {', '.join(CaseStatus.values)}")
    locked = _lock(case, expected_version)
    if status != locked.status and status not in NEXT_STATUSES[locked.status]:
        allowed = ", ".join(NEXT_STATUSES[locked.status])
        raise CaseError("status", f"a {locked.status} case can move to {allowed}, not {status}")
    at = at or timezone.now()
    before = {"status": locked.status, "resolution": locked.resolution,
              "resolved_at": locked.resolved_at, "closed_at": locked.closed_at}
    if resolution is not None:
        locked.resolution = resolution.strip()
    if status in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        if not locked.resolution:
            raise CaseError("resolution", "say how the case was resolved")
        if locked.resolved_at is None:
            if at < locked.opened_at:
                raise CaseError("resolved_at", "cannot be before the case was opened")
            locked.resolved_at = at
        locked.closed_at = at if status == CaseStatus.CLOSED else None
    else:
        locked.resolved_at = None
        locked.closed_at = None
    locked.status = status
    locked.version += 1
    locked.save()
    audit_change(actor, locked, before, {"status": locked.status, "resolution": locked.resolution,
                                         "resolved_at": locked.resolved_at, "closed_at": locked.closed_at})
    return locked


@transaction.atomic
def delete_case(actor: User | None, case: Case, *, expected_version: int | None = None) -> None:
    locked = _lock(case, expected_version)
    audit_delete(actor, locked)
    locked.delete()


NOTE_FIELDS = ("case_id", "body")


@transaction.atomic
def add_case_note(actor: User | None, case: Case, *, body: str) -> CaseNote:
    """Add a note to ``case``, written by ``actor``."""
    body = body.strip()
    if not body:
        raise CaseError("body", "must not be empty")
    note = CaseNote.objects.create(case=case, author=actor, body=body)
    record_change(actor, action="create", changes=created(field_values(note, NOTE_FIELDS)),
                  instance=note, party_id=case.party_id)
    return note
