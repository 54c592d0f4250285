"""Survey invitations sent by the worker: ``invite_to_survey`` queues them as a job, the
``survey.invite`` job mails (or texts) each party once, and the ``survey-reminders``
schedule sends one reminder to those who have not answered after
``SURVEY_REMINDER_DAYS`` days.

Exactly once, however often a job runs (a retry, a worker killed and its job taken up
again, two invitations of one survey queued together):

* a party gets at most one invitation per survey: it is created under a lock on the
  survey's row, and a party invited already is skipped;
* the invitation is claimed (``queued`` → ``sending``, one conditional UPDATE) before it
  is sent and recorded ``sent`` before the server may deliver the mail
  (``engagement.smtp_delivery``): a claim left by a dead attempt is taken over once it
  is a job timeout old, when the mail cannot have gone;
* the reminder's ``reminded_at`` is set by one conditional UPDATE before the reminder
  may be delivered, so a second run finds it set.

Consent is checked per party at sending: purpose *surveys* on the invitation's channel.
Logs and job results carry counts and ids, never names or addresses.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from clientela.crm.audit.actions import audit_create, record_change
from clientela.crm.engagement import merge_fields, sending, smtp_delivery
from clientela.crm.engagement import unsubscribe as unsubscribe_tokens
from clientela.crm.engagement.models import SendStatus
from clientela.crm.errors import InvalidInput
from clientela.crm.feedback.actions import INVITATION_FIELDS, invitation_url
from clientela.crm.feedback.models import Survey, SurveyInvitation
from clientela.crm.parties.models import ConsentPurpose, Party

log = logging.getLogger(__name__)

CHANNELS = ("email", "sms")
MAX_PARTIES = 10_000  # party ids named in one request; a segment has no such limit


def survey_subject(survey_id: int) -> str:
    return f"survey:{survey_id}"


def _check_message(channel: str, subject: str, body: str) -> dict[str, str]:
    problems: dict[str, str] = {}
    if channel not in CHANNELS:
        problems["channel"] = f"must be one of {', '.join(CHANNELS)}"
    if channel == "email":
        problem = merge_fields.subject_problem(subject)
        if problem:
            problems["subject"] = str(problem)
    problem = merge_fields.body_problem(body, INVITATION_FIELDS)
    if problem:
        problems["body"] = str(problem)
    return problems


def invite_to_survey(
    actor: Any, survey: Survey, *, parties: list[Party] | None = None, segment: Any = None,
    channel: str = "email", subject: str = "", body: str = "",
) -> Any:
    """Queue the invitation of ``parties`` (or of the members of ``segment`` the actor may
    see, when the job runs) to ``survey`` by ``channel`` as a ``survey.invite`` job
    (audited). Everything is checked before anything is queued: ``InvalidInput`` names
    the field. Parties invited to the survey already are not invited again."""
    problems = _check_message(channel, subject or survey.name, body)
    if not survey.is_active:
        problems["survey"] = "is not active"
    if (parties is None) == (segment is None):
        problems["parties"] = "name either parties or a segment"
    elif parties is not None and not parties:
        problems["parties"] = "name at least one party"
    elif parties is not None and len(parties) > MAX_PARTIES:
        problems["parties"] = f"at most {MAX_PARTIES:,} parties at once; use a segment"
    if channel == "sms" and "channel" not in problems:
        from clientela.crm.engagement.sms import SmsError, default_gateway

        try:
            default_gateway()
        except SmsError as exc:
            problems["channel"] = str(exc)
    if problems:
        raise InvalidInput(problems)
    from clientela.crm.jobs.actions import enqueue_job

    params: dict[str, Any] = {
        "survey_id": survey.pk, "channel": channel, "subject": subject, "body": body,
        "actor_id": getattr(actor, "pk", None),
    }
    if parties is not None:
        params["party_ids"] = sorted({p.pk for p in parties})
        what = f"{len(params['party_ids'])} parties"
    else:
        params["segment_id"] = segment.pk
        what = f"segment {segment.pk}"
    job = enqueue_job(actor, kind="survey.invite", params=params,
                      label=f"Invite {what} to survey {survey.pk} by {channel}",
                      subject=survey_subject(survey.pk))
    record_change(actor, entity="survey", object_id=survey.pk, action="update",
                  changes={"invitations": (None, f"job {job.pk}: {what} by {channel}")})
    return job


def _segment_members(actor: Any, segment_id: int) -> Any:
    """The party ids of the segment's members ``actor`` may see in the current run (an
    empty queryset without a run)."""
    from clientela.crm.engagement.models import Segment
    from clientela.crm.engagement.segments import parse_definition, segment_scores
    from clientela.crm.scoring.models import CustomerScore
    from clientela.crm.scoring.queries import current_run

    segment = Segment.objects.get(pk=segment_id)
    run = current_run()
    if run is None:
        return CustomerScore.objects.none().values_list("party_id", flat=True)
    return (segment_scores(actor, parse_definition(segment.definition), run)
            .order_by("party_id").values_list("party_id", flat=True))


def _party_ids(party_ids: list[int] | None, members: Any) -> Iterator[int]:
    """The parties of the job, in id order, a page at a time (no cursor held open)."""
    if party_ids is not None:
        yield from party_ids
        return
    last = 0
    while True:
        page = list(members.filter(party_id__gt=last)[:1000])
        if not page:
            return
        yield from page
        last = page[-1]


def _invitation_for(actor: Any, survey: Survey, party_id: int, channel: str) -> tuple[SurveyInvitation, bool]:
    """The party's invitation to the survey, created unless one exists (under the survey's
    row lock: two jobs of one survey never invite a party twice); (invitation, created)."""
    with transaction.atomic():
        Survey.objects.select_for_update().filter(pk=survey.pk).first()
        existing = SurveyInvitation.objects.filter(survey=survey, party_id=party_id).order_by("id").first()
        if existing is not None:
            return existing, False
        invitation = SurveyInvitation.objects.create(
            survey=survey, party_id=party_id, nonce=secrets.token_hex(8), channel=channel)
        audit_create(actor, invitation, ["survey_id", "party_id", "channel"])
        return invitation, True


def _claim(invitation: SurveyInvitation, *, stale: timedelta) -> bool:
    """``queued`` → ``sending`` (or a dead attempt's ``sending`` older than ``stale``)."""
    now = timezone.now()
    free = Q(send_status=SendStatus.QUEUED) | Q(send_status=SendStatus.SENDING, created_at__lt=now - stale,
                                                sent_at__isnull=True)
    return SurveyInvitation.objects.filter(free, pk=invitation.pk).update(send_status=SendStatus.SENDING) == 1


def _record(invitation: SurveyInvitation, status: str, reason: str = "") -> None:
    changes: dict[str, Any] = {"send_status": status, "send_reason": reason[:300]}
    if status == SendStatus.SENT:
        changes["sent_at"] = timezone.now()
    SurveyInvitation.objects.filter(pk=invitation.pk).update(**changes)
    invitation.send_status = status


def party_language(party: Party) -> str:
    """The language an invitation speaks to ``party``: its own when the app speaks it, else
    the default (the answer page, in the browser, may still follow the browser's)."""
    spoken = {code for code, _name in settings.LANGUAGES}
    code = (party.language or "").strip().lower()[:2]
    return code if code in spoken else settings.LANGUAGE_CODE


def _text(survey: Survey, party: Party, invitation: SurveyInvitation, body: str) -> str:
    """The message: the body (default: the question, as the company wrote it) and the answer
    link, its words in the party's language (call under ``translation.override``)."""
    text = sending.render_text(body or "{{ question }}", {"name": party.name, "question": survey.question})
    answer_here = gettext("Answer here (one answer per link):")
    return f"{text.rstrip()}\n\n{answer_here} {invitation_url(invitation)}\n"


def _deliver(invitation: SurveyInvitation, party: Party, *, subject: str, text: str, connection: Any,
             gateway: Any, mark: Any) -> tuple[str, str]:
    """Send one invitation (or reminder); ``mark()`` records it before the server may
    deliver. Returns (status, reason)."""
    channel = invitation.channel
    if not sending.has_consent(party.pk, purpose=ConsentPurpose.SURVEYS, channel=channel):
        return SendStatus.SUPPRESSED, f"no active surveys consent for {channel}"
    address = party.email if channel == "email" else party.phone
    if not address:
        return SendStatus.FAILED, f"the party has no {'email address' if channel == 'email' else 'phone number'}"
    link = unsubscribe_tokens.url(party.pk, ConsentPurpose.SURVEYS, channel)
    try:
        if channel == "email":
            message = sending.email_message(to=address, subject=subject, body=text, unsubscribe_url=link)
            smtp_delivery.deliver(message, connection, before_commit=mark)
        else:
            mark()
            gateway.send(address, f"{text.strip()} {gettext('Stop:')} {link}")
    except smtp_delivery.Unconfirmed:
        return SendStatus.SENT, "the mail server did not confirm the mail"
    except sending.MAIL_ERRORS as exc:
        return SendStatus.FAILED, f"mail server refused: {type(exc).__name__}"
    except Exception as exc:  # an SMS gateway's refusal
        from clientela.crm.engagement.sms import SmsError

        if isinstance(exc, SmsError):
            return SendStatus.FAILED, str(exc)
        raise
    return SendStatus.SENT, ""


def invite_job(job: Any, *, survey_id: int, channel: str, subject: str, body: str,
               actor_id: int | None = None, party_ids: list[int] | None = None,
               segment_id: int | None = None) -> dict[str, Any]:
    """The ``survey.invite`` job: invite each party once (see the module docstring)."""
    from clientela.crm.accounts.models import User

    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    survey = Survey.objects.get(pk=survey_id)
    members = _segment_members(actor, segment_id) if party_ids is None and segment_id else None
    total = len(party_ids) if party_ids is not None else (members.count() if members is not None else 0)
    counts = {"sent": 0, "suppressed": 0, "failed": 0, "already_invited": 0}
    connection = get_connection(fail_silently=False) if channel == "email" else None
    gateway = None
    if channel == "sms":
        from clientela.crm.engagement.sms import default_gateway

        gateway = default_gateway()
    done = 0
    job.progress(0, total, force=True)
    if job.resumed:
        _wait_out_dead_claims(job, survey)
    try:
        for party_id in _party_ids(party_ids, members):
            invitation, created = _invitation_for(actor, survey, party_id, channel)
            if not created and invitation.send_status != SendStatus.SENDING:
                counts["already_invited"] += 1
            elif _claim(invitation, stale=job.lost_after):
                party = Party.objects.get(pk=party_id)
                with translation.override(party_language(party)):
                    status, reason = _deliver(
                        invitation, party, subject=subject or survey.name,
                        text=_text(survey, party, invitation, body), connection=connection, gateway=gateway,
                        mark=lambda inv=invitation: _record(inv, SendStatus.SENT))
                if not (status == SendStatus.SENT and not reason):
                    _record(invitation, status, reason)
                counts[str(status)] += 1
            else:
                counts["already_invited"] += 1  # another attempt holds it now
            done += 1
            job.progress(done, total)
    finally:
        if connection is not None:
            connection.close()
    job.progress(done, done, force=True, check_stop=False)
    log.info("survey %s invitations: %s", survey.pk, counts)
    return counts


def _wait_out_dead_claims(job: Any, survey: Survey) -> None:
    """A retry after a lost worker: wait until the invitations its dead attempt held
    "sending" are ``job.lost_after`` old, so this attempt takes them over (they were not
    sent: an invitation is recorded sent before the server may deliver)."""
    import time

    from django.db.models import Max

    newest = (SurveyInvitation.objects.filter(survey=survey, send_status=SendStatus.SENDING)
              .aggregate(at=Max("created_at"))["at"])
    if newest is None:
        return
    until = newest + job.lost_after + timedelta(seconds=0.5)
    while timezone.now() < until:
        job.progress(0, None)  # a heartbeat; a stop asked for ends the wait
        time.sleep(min(1.0, max((until - timezone.now()).total_seconds(), 0.0)))


def reminder_due_before(now: datetime) -> datetime:
    return now - timedelta(days=settings.SURVEY_REMINDER_DAYS)


def send_survey_reminders(actor: Any, now: datetime) -> dict[str, Any]:
    """The ``survey-reminders`` schedule: one reminder to each invitation sent at least
    ``SURVEY_REMINDER_DAYS`` days before ``now`` and not answered (active surveys only,
    consent checked again). ``reminded_at`` is set before the reminder may be delivered."""
    if settings.SURVEY_REMINDER_DAYS <= 0:
        return {"reminded": 0}
    due = (SurveyInvitation.objects.filter(
        send_status=SendStatus.SENT, sent_at__lte=reminder_due_before(now), answered_at__isnull=True,
        reminded_at__isnull=True, survey__is_active=True).select_related("survey", "party").order_by("id"))
    counts = {"reminded": 0, "suppressed": 0, "failed": 0}
    connection = None
    gateway = None
    last = 0
    try:
        while True:
            page = list(due.filter(pk__gt=last)[:500])
            if not page:
                break
            last = page[-1].pk
            for invitation in page:
                claimed = SurveyInvitation.objects.filter(pk=invitation.pk, reminded_at__isnull=True)

                def mark(claimed: Any = claimed) -> None:
                    if not claimed.update(reminded_at=timezone.now()):
                        raise _AlreadyReminded

                if invitation.channel == "email" and connection is None:
                    connection = get_connection(fail_silently=False)
                if invitation.channel == "sms" and gateway is None:
                    from clientela.crm.engagement.sms import default_gateway

                    gateway = default_gateway()
                survey = invitation.survey
                try:
                    with translation.override(party_language(invitation.party)):
                        text = _text(survey, invitation.party, invitation, "{{ question }}")
                        status, _reason = _deliver(invitation, invitation.party,
                                                   subject=gettext("Reminder: %(survey)s") % {"survey": survey.name},
                                                   text=text, connection=connection, gateway=gateway, mark=mark)
                except _AlreadyReminded:
                    continue
                if status != SendStatus.SENT:
                    # Not sent (consent withdrawn, no address): never reminded later either.
                    claimed.update(reminded_at=now)
                counts["reminded" if status == SendStatus.SENT else str(status)] += 1
    finally:
        if connection is not None:
            connection.close()
    log.info("survey reminders: %s", counts)
    return counts


class _AlreadyReminded(Exception):  # noqa: N818 - a signal between two runs
    """Another run reminded this invitation first."""
