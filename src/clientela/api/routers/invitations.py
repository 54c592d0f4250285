"""/surveys/{id}/invitations: invite parties or a segment to a survey (a job)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from clientela.api.fields import PathId
from clientela.api.responses import answers
from clientela.api.routers.jobs import accepted
from clientela.api.schemas.jobs import InvitationCreate, JobOut
from clientela.crm.engagement.access import access_segment_by_id
from clientela.crm.errors import InvalidInput, RecordNotFound
from clientela.crm.feedback.access import access_survey_by_id
from clientela.crm.feedback.invitations import invite_to_survey
from clientela.crm.parties.access import visible_parties

router = Router(tags=["surveys"])


@router.post("/surveys/{survey_id}/invitations", response=answers(202, JobOut))
def invite(request: HttpRequest, response: HttpResponse, survey_id: PathId,
           payload: InvitationCreate) -> Status[JobOut]:
    """Queue invitations to the survey as a job: each party (or each member of the
    segment the caller may see) gets one invitation with its single-use answer link, by
    email or SMS, when it holds a *surveys* consent on that channel; a party invited to
    the survey already is not invited again, and one reminder follows after
    ``CLIENTELA_SURVEY_REMINDER_DAYS`` days without an answer. 202 with the job in
    ``Location`` (``GET /jobs/{id}``: progress, then counts sent, suppressed, failed)."""
    user = request.auth
    survey = access_survey_by_id(user, survey_id, op="update")
    parties = segment = None
    if payload.party_ids is not None:
        wanted = set(payload.party_ids)
        parties = list(visible_parties(user).filter(pk__in=wanted))
        missing = sorted(wanted - {p.pk for p in parties})
        if missing:
            raise InvalidInput({"party_ids": f"no party {missing[0]}"})
    if payload.segment_id is not None:
        try:
            segment = access_segment_by_id(user, payload.segment_id)
        except RecordNotFound:
            raise InvalidInput({"segment_id": f"no segment {payload.segment_id}"}) from None
    job = invite_to_survey(user, survey, parties=parties, segment=segment, channel=payload.channel,
                           subject=payload.subject, body=payload.body)
    return accepted(response, job)
