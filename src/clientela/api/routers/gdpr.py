"""/parties/{id}/personal-data and /parties/{id}/erasure (admins: the gdpr capability)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status

from clientela.api.fields import PathId
from clientela.api.responses import answers
from clientela.api.routers.jobs import accepted
from clientela.api.schemas.jobs import JobOut
from clientela.crm.privacy import actions
from clientela.crm.privacy.access import access_party_for_gdpr
from clientela.crm.privacy.jobs import queue_erasure

router = Router(tags=["gdpr"])


class PersonalDataOut(Schema):
    party_id: int
    exported_at: str
    sections: dict[str, list[dict[str, Any]]]


@router.get("/parties/{party_id}/personal-data", response=answers(200, PersonalDataOut))
def export_personal_data(request: HttpRequest, party_id: PathId) -> dict[str, Any]:
    """Everything held about the party (GDPR art. 15/20). Audited."""
    party = access_party_for_gdpr(request.auth, party_id)
    return actions.export_party(request.auth, party)


@router.post("/parties/{party_id}/erasure", response=answers(202, JobOut))
def erase_personal_data(request: HttpRequest, response: HttpResponse, party_id: PathId) -> Status[JobOut]:
    """Queue the anonymisation of every personal field about the party (GDPR art. 17;
    orders stay) as a job: 202 with the job in ``Location``; ``GET /jobs/{id}`` gives its
    status and, when done, the rows touched per section. Audited (the request and the
    erasure). An erasure of the party queued or running already is answered instead."""
    party = access_party_for_gdpr(request.auth, party_id)
    return accepted(response, queue_erasure(request.auth, party))
