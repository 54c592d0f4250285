"""Every write to surveys, invitations and responses. Each function owns its transaction,
takes the acting user first (``None`` for the system; a respondent answering through
their link is anonymous) and writes its audit entry."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from clientela.crm.accounts.models import User
from clientela.crm.audit.actions import audit_create, audit_delete
from clientela.crm.engagement import merge_fields, sending
from clientela.crm.engagement import unsubscribe as unsubscribe_tokens
from clientela.crm.engagement.models import SendStatus
from clientela.crm.errors import InvalidInput
from clientela.crm.feedback import survey_links
from clientela.crm.feedback.models import Survey, SurveyInvitation, SurveyKind, SurveyResponse
from clientela.crm.parties.models import Channel, ConsentPurpose, Party
from clientela.crm.record_writes import save_audited
from clientela.crm.webhooks.events import emit

log = logging.getLogger(__name__)


class FeedbackError(InvalidInput):
    """A survey write was refused; the message starts with the offending field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__({field: message})
        self.field = field


class AlreadyAnswered(Exception):
    """The invitation has been used; nothing was recorded."""


SURVEY_FIELDS = ("name", "kind", "question", "choice_question", "choice_options", "is_active")
MAX_OPTIONS = 10
OPTION_LENGTH = 100


def _check_choice(question: Any, options: Any) -> tuple[str, list[str]]:
    """The optional choice question: its text and 2 to ``MAX_OPTIONS`` distinct options of at
    most ``OPTION_LENGTH`` characters (blank ones dropped), or ("", []) for none."""
    text = str(question or "").strip()
    if isinstance(options, str):
        options = options.splitlines()
    if not isinstance(options, list | tuple) or not all(isinstance(o, str) for o in options):
        raise FeedbackError("choice_options", "must be a list of texts")
    cleaned = [o.strip() for o in options if o.strip()]
    if not text:
        if cleaned:
            raise FeedbackError("choice_question", "must not be empty when there are options")
        return "", []
    if len(text) > 300:
        raise FeedbackError("choice_question", "at most 300 characters")
    if not 2 <= len(cleaned) <= MAX_OPTIONS:
        raise FeedbackError("choice_options", f"give 2 to {MAX_OPTIONS} options")
    if any(len(o) > OPTION_LENGTH for o in cleaned):
        raise FeedbackError("choice_options", f"each option at most {OPTION_LENGTH} characters")
    if len({o.casefold() for o in cleaned}) != len(cleaned):
        raise FeedbackError("choice_options", "each option once")
    return text, cleaned


def _check_answer_choice(survey: Survey, choice: Any) -> str:
    """The option an answer chose: empty (not answered), or one of the survey's options."""
    value = str(choice or "").strip()
    if value and value not in (survey.choice_options or []):
        raise FeedbackError("choice", "must be one of the survey's options")
    return value


@transaction.atomic
def create_survey(actor: User | None, *, name: str, kind: str, question: str, choice_question: str = "",
                  choice_options: Any = ()) -> Survey:
    if kind not in SurveyKind.values:
        raise FeedbackError("kind", f"must be one of {', '.join(SurveyKind.values)}")
    if not name.strip():
        raise FeedbackError("name", "must not be empty")
    if not question.strip():
        raise FeedbackError("question", "must not be empty")
    choice_text, options = _check_choice(choice_question, choice_options or [])
    survey = Survey.objects.create(name=name.strip(), kind=kind, question=question.strip(),
                                   choice_question=choice_text, choice_options=options)
    audit_create(actor, survey, SURVEY_FIELDS)
    return survey


@transaction.atomic
def update_survey(actor: User | None, survey: Survey, **changes: Any) -> Survey:
    """Change name, question, the choice question and its options, or is_active. The kind is
    fixed once responses may exist. Answers keep the option they chose, even one removed."""
    allowed = {"name", "question", "is_active", "choice_question", "choice_options"}
    unknown = set(changes) - allowed
    if unknown:
        raise FeedbackError(sorted(unknown)[0], "cannot be changed")
    for field in ("name", "question"):
        if field in changes:
            changes[field] = str(changes[field]).strip()
            if not changes[field]:
                raise FeedbackError(field, "must not be empty")
    if "choice_question" in changes or "choice_options" in changes:
        changes["choice_question"], changes["choice_options"] = _check_choice(
            changes.get("choice_question", survey.choice_question),
            changes.get("choice_options", survey.choice_options))
    return save_audited(actor, survey, changes, SURVEY_FIELDS)


@transaction.atomic
def delete_survey(actor: User | None, survey: Survey) -> None:
    if survey.responses.exists():
        raise FeedbackError("survey", "has responses; deactivate it instead")
    audit_delete(actor, survey, SURVEY_FIELDS)
    survey.delete()


def _check_score(kind: str, score: Any) -> int:
    low, high = {SurveyKind.NPS: (0, 10), SurveyKind.CSAT: (1, 5)}[SurveyKind(kind)]
    if isinstance(score, bool):
        raise FeedbackError("score", f"must be a whole number from {low} to {high}")
    try:
        value = int(str(score).strip())
    except ValueError:
        raise FeedbackError("score", f"must be a whole number from {low} to {high}") from None
    if not low <= value <= high:
        raise FeedbackError("score", f"must be a whole number from {low} to {high}")
    return value


AUDITED = ("survey_id", "party_id", "invitation_id", "kind", "score", "comment", "choice", "answered_at")


def _response_event(response: SurveyResponse) -> dict[str, Any]:
    """What a webhook says of an answer: the score, not the comment (the customer's words
    stay in the system)."""
    return {"response_id": response.pk, "survey_id": response.survey_id, "party_id": response.party_id,
            "kind": response.kind, "score": response.score, "answered_at": response.answered_at,
            "has_comment": bool(response.comment)}


def _detractor_event(response: SurveyResponse) -> None:
    """An NPS detractor's answer: playbooks waiting on one act once the answer commits."""
    if response.kind == "nps" and response.score is not None and response.score <= 6 and response.party_id:
        from clientela.crm.playbooks import engine as playbook_events

        playbook_events.after_commit("nps_detractor", [response.party_id])


@transaction.atomic
def record_response(
    actor: User | None,
    *,
    survey: Survey,
    score: Any,
    party: Party | None = None,
    comment: str = "",
    choice: str = "",
    answered_at: datetime | None = None,
) -> SurveyResponse:
    """Record an answer taken outside an invitation (a call, an import, the API)."""
    response = SurveyResponse.objects.create(
        survey=survey,
        party=party,
        kind=survey.kind,
        score=_check_score(survey.kind, score),
        comment=comment.strip()[:5000],
        choice=_check_answer_choice(survey, choice),
        answered_at=answered_at or timezone.now(),
    )
    audit_create(actor, response, AUDITED)
    emit("survey.answered", _response_event(response), at=response.answered_at)
    _detractor_event(response)
    return response


@transaction.atomic
def delete_response(actor: User | None, response: SurveyResponse) -> None:
    audit_delete(actor, response)
    SurveyInvitation.objects.filter(pk=response.invitation_id).update(answered_at=None)
    response.delete()


@transaction.atomic
def invite(actor: User | None, survey: Survey, party: Party) -> SurveyInvitation:
    """Create an invitation; ``invitation_url`` gives its link."""
    if not survey.is_active:
        raise FeedbackError("survey", "is not active")
    invitation = SurveyInvitation.objects.create(survey=survey, party=party, nonce=secrets.token_hex(8))
    audit_create(actor, invitation, ["survey_id", "party_id"])
    return invitation


def invitation_token(invitation: SurveyInvitation) -> str:
    return survey_links.make(invitation.pk, invitation.nonce)


def invitation_url(invitation: SurveyInvitation) -> str:
    return unsubscribe_tokens.public_url(
        reverse("public-survey", args=[invitation_token(invitation)])
    )


def invitation_for_token(token: str) -> SurveyInvitation | None:
    """The invitation a token names, or None when the token is invalid or revoked."""
    parsed = survey_links.read(token)
    if parsed is None:
        return None
    invitation_id, nonce = parsed
    invitation = SurveyInvitation.objects.select_related("survey").filter(pk=invitation_id).first()
    if invitation is None or not secrets.compare_digest(invitation.nonce, nonce):
        return None
    return invitation


def answer(token: str, *, score: Any, comment: str = "", choice: str = "") -> SurveyResponse:
    """Record the answer to the invitation the token names, once.

    Raises LookupError for an invalid token, FeedbackError for a bad score or a choice
    that is not one of the survey's options, and AlreadyAnswered on a second use; in each
    case nothing is written.
    """
    invitation = invitation_for_token(token)
    if invitation is None:
        raise LookupError("no such invitation")
    score_value = _check_score(invitation.survey.kind, score)
    chosen = _check_answer_choice(invitation.survey, choice)
    try:
        with transaction.atomic():
            locked = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
            if locked.answered_at is not None:
                raise AlreadyAnswered()
            now = timezone.now()
            response = SurveyResponse.objects.create(
                survey_id=locked.survey_id,
                party_id=locked.party_id,
                invitation=locked,
                kind=invitation.survey.kind,
                score=score_value,
                comment=str(comment).strip()[:5000],
                choice=chosen,
                answered_at=now,
            )
            locked.answered_at = now
            locked.save(update_fields=["answered_at"])
            audit_create(None, response, AUDITED)
            emit("survey.answered", _response_event(response), at=now)
            _detractor_event(response)
    except IntegrityError:  # a concurrent answer won the one-to-one
        raise AlreadyAnswered() from None
    return response


# The merge fields of an invitation: the recipient's, and the survey's question.
INVITATION_FIELDS = (*merge_fields.FIELDS, "question")


def send_invitations(
    actor: User | None, survey: Survey, parties: Iterable[Party], *, subject: str, body: str = "",
    connection: Any = None,
) -> dict[str, int]:
    """Invite each party by email, the way campaigns are sent.

    Only parties with an active consent for purpose *surveys* on email get a
    mail; each invitation records sent, suppressed or failed with a reason. The
    mail carries the single-use answer link and the unsubscribe link (which
    withdraws the surveys consent).
    """
    problems = {"subject": merge_fields.subject_problem(subject),
                "body": merge_fields.body_problem(body, INVITATION_FIELDS)}
    if any(problems.values()):  # checked before the first invitation, like a campaign's message
        raise InvalidInput({name: str(p) for name, p in problems.items() if p})
    counts = {SendStatus.SENT: 0, SendStatus.SUPPRESSED: 0, SendStatus.FAILED: 0}
    owned = connection is None
    if owned:
        connection = get_connection(fail_silently=False)
    for party in parties:
        invitation = invite(actor, survey, party)
        status, reason = SendStatus.SENT, ""
        if not sending.has_consent(party.pk, purpose=ConsentPurpose.SURVEYS, channel=Channel.EMAIL):
            status, reason = SendStatus.SUPPRESSED, "no active surveys consent for email"
        elif not party.email:
            status, reason = SendStatus.FAILED, "the party has no email address"
        else:
            text = sending.render_text(body or "{{ question }}", {"name": party.name, "question": survey.question})
            text = f"{text.rstrip()}\n\nAnswer here (one answer per link): {invitation_url(invitation)}\n"
            try:
                sending.send_email(
                    to=party.email,
                    subject=subject,
                    body=text,
                    unsubscribe_url=unsubscribe_tokens.url(party.pk, ConsentPurpose.SURVEYS, Channel.EMAIL),
                    connection=connection,
                )
            except sending.MAIL_ERRORS as exc:
                status, reason = SendStatus.FAILED, f"mail server refused: {type(exc).__name__}"
        _set_invitation_status(invitation, status, reason)
        counts[status] += 1
    if owned and connection is not None:
        connection.close()
    log.info("survey %s invitations: %s", survey.pk, {str(k): v for k, v in counts.items()})
    return {str(k): v for k, v in counts.items()}


@transaction.atomic
def _set_invitation_status(invitation: SurveyInvitation, status: str, reason: str) -> None:
    invitation.send_status = status
    invitation.send_reason = reason[:300]
    if status == SendStatus.SENT:
        invitation.sent_at = timezone.now()
    invitation.save(update_fields=["send_status", "send_reason", "sent_at"])
