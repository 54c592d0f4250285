"""/parties/{id}/personal-data and /parties/{id}/erasure (admins: the gdpr capability)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from clientela.api.fields import PathId
from clientela.api.responses import answers
from clientela.crm.privacy import actions
from clientela.crm.privacy.access import access_party_for_gdpr

router = Router(tags=["gdpr"])


class PersonalDataOut(Schema):
    party_id: int
    exported_at: str
    sections: dict[str, list[dict[str, Any]]]


class ErasureOut(Schema):
    party_id: int
    rows: dict[str, int]


@router.get("/parties/{party_id}/personal-data", response=answers(200, PersonalDataOut))
def export_personal_data(request: HttpRequest, party_id: PathId) -> dict[str, Any]:
    """Everything held about the party (GDPR art. 15/20). Audited."""
    party = access_party_for_gdpr(request.auth, party_id)
    return actions.export_party(request.auth, party)


@router.post("/parties/{party_id}/erasure", response=answers(200, ErasureOut))
def erase_personal_data(request: HttpRequest, party_id: PathId) -> dict[str, Any]:
    """Anonymise every personal field about the party (GDPR art. 17); orders stay. Audited."""
    party = access_party_for_gdpr(request.auth, party_id)
    return {"party_id": party.pk, "rows": actions.erase_party(request.auth, party)}
