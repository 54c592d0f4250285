"""Sending campaigns (email, SMS) with consent honoured, and one-click unsubscribe.

These are the writes of campaign sending (the ``actions`` of this feature):

* ``send_campaign`` sends the campaign's message to its members. A member is
  sent to only while the party holds an active (not withdrawn) consent for
  purpose *marketing* on the campaign's channel; otherwise the member is
  marked *suppressed*. Each member ends *sent*, *suppressed* or *failed* with a
  reason. The database is written per member in short transactions around the
  network call, never one transaction held open across SMTP; each member is first
  claimed (``sending``) with a conditional UPDATE, so concurrent sends of one
  campaign mail each member once.
* ``request_stop`` asks the sends of a campaign running now to stop before their next
  member; the members not reached stay queued, and the next send takes them.
* ``send_test`` sends the message once to the sender's own address, marked as a test.
* ``send_email`` is the one way a mail leaves Clientela: every mail carries the
  unsubscribe link in its body and the RFC 8058 ``List-Unsubscribe`` and
  ``List-Unsubscribe-Post`` headers. Survey invitations go out through it too.
* ``unsubscribe`` withdraws the consent a signed unsubscribe token names.

Logs carry counts and ids only, never addresses or names.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from clientela.crm.audit.actions import audit_change
from clientela.crm.engagement import merge_fields, smtp_delivery
from clientela.crm.engagement import unsubscribe as unsubscribe_tokens
from clientela.crm.engagement.models import Campaign, CampaignMember, MessageChannel, SendStatus
from clientela.crm.engagement.sms import SmsError, SmsGateway, default_gateway
from clientela.crm.experiments.holdout import held_out_among
from clientela.crm.experiments.queries import held_back
from clientela.crm.parties.models import Consent, ConsentPurpose, Party

log = logging.getLogger(__name__)

class SendingError(ValueError):
    """The campaign cannot be sent as configured; the message names the field."""


@dataclass
class SendSummary:
    sent: int = 0
    suppressed: int = 0
    failed: int = 0
    skipped: int = 0  # already sent, not re-sent
    held_out: int = 0  # control group and global holdout: never sent to
    statuses: dict[int, str] = field(default_factory=dict)  # member id -> status
    stopped: bool = False  # a stop was requested; the members not reached stay queued


def has_consent(party_id: int, *, purpose: str, channel: str, at: datetime | None = None) -> bool:
    """True while the party holds a given, not withdrawn consent for purpose on channel."""
    at = at or timezone.now()
    return Consent.objects.filter(
        party_id=party_id,
        purpose=purpose,
        channel=channel,
        given_at__lte=at,
        withdrawn_at__isnull=True,
    ).exists()


def render_text(template: str, context: dict[str, str]) -> str:
    """``template`` with its merge fields (``merge_fields``) filled from ``context``; the
    recipient's first and last name come from ``context["name"]``."""
    return merge_fields.render(template, merge_fields.recipient_values(context.get("name", "")) | context)


def email_message(
    *, to: str, subject: str, body: str, unsubscribe_url: str, connection: Any = None
) -> EmailMessage:
    """A plain-text mail with the unsubscribe link in the body and in RFC 8058 headers."""
    stop = gettext("To stop receiving these messages:")  # in the language active (the recipient's, for surveys)
    text = f"{body.rstrip()}\n\n--\n{stop} {unsubscribe_url}\n"
    return EmailMessage(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        connection=connection,
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def send_email(
    *, to: str, subject: str, body: str, unsubscribe_url: str, connection: Any = None
) -> None:
    """Send one mail through Django's configured mail backend (SMTP in production)."""
    email_message(
        to=to, subject=subject, body=body, unsubscribe_url=unsubscribe_url, connection=connection
    ).send(fail_silently=False)


MAIL_ERRORS = (smtplib.SMTPException, OSError)


def _set_status(member: CampaignMember, status: str, reason: str = "") -> None:
    now = timezone.now()
    with transaction.atomic():
        changes: dict[str, Any] = {"send_status": status, "send_reason": reason[:300], "status_at": now}
        if status == SendStatus.SENT:
            changes["sent_at"] = now
        CampaignMember.objects.filter(pk=member.pk).update(**changes)
    member.send_status = status


# A claim older than this is taken to be a send that died (its process stopped) and
# may be claimed again; a live send holds a member for one network call.
STALE_CLAIM = timedelta(minutes=30)


def _claim(member: CampaignMember, *, resend: bool, stale_claim: timedelta = STALE_CLAIM,
           since: datetime | None = None) -> bool:
    """Mark ``member`` as being sent by this call, atomically (one conditional UPDATE):
    False when another send holds it or has sent it since the members were listed, so
    two sends of one campaign at once never mail a member twice. A claim older than
    ``stale_claim`` is a dead send's: the member is "sent" before the server may deliver
    (``smtp_delivery``), so a member still "sending" was not mailed and is taken over."""
    now = timezone.now()
    claimable = ~Q(send_status=SendStatus.SENDING) | Q(status_at__lt=now - stale_claim)
    if not resend:
        claimable &= ~Q(send_status=SendStatus.SENT)
    elif since is not None:  # a resend mails each member once: not those sent since it began
        claimable &= ~Q(send_status=SendStatus.SENT, status_at__gte=since)
    claimed = CampaignMember.objects.filter(claimable, pk=member.pk).update(
        send_status=SendStatus.SENDING, status_at=now)
    return claimed == 1


def check_message(campaign: Campaign) -> str:
    """The campaign's channel, or ``SendingError`` when its message cannot be sent."""
    channel = campaign.message_channel
    if channel not in MessageChannel.values:
        raise SendingError(f"message_channel: {channel!r} cannot be sent")
    if channel == MessageChannel.EMAIL and not campaign.message_subject.strip():
        raise SendingError("message_subject: an email campaign needs a subject")
    if not campaign.message_body.strip():
        raise SendingError("message_body: the campaign has no message")
    # A campaign saved before its message was checked (Campaign.clean) is checked here.
    problems = merge_fields.message_problems(subject=campaign.message_subject, body=campaign.message_body)
    if problems:
        name, problem = next(iter(problems.items()))
        raise SendingError(f"{name}: {problem}")
    return channel


TEST_PREFIX = "[TEST] "


def send_test(campaign: Campaign, *, to: str, name: str, connection: Any = None) -> None:
    """Send the campaign's email once to ``to`` (the sender's own address), as a member
    called ``name`` would get it, with the subject marked ``[TEST]``. Members are not
    touched. The unsubscribe link of a test names no party, so it withdraws nothing.
    Mail errors (``MAIL_ERRORS``) reach the caller."""
    channel = check_message(campaign)
    if channel != MessageChannel.EMAIL:
        raise SendingError("message_channel: a test is sent by email only")
    if not to.strip():
        raise SendingError("to: there is no address to send the test to")
    send_email(
        to=to, subject=TEST_PREFIX + campaign.message_subject,
        body=render_text(campaign.message_body, {"name": name}),
        unsubscribe_url=unsubscribe_tokens.public_url(reverse("public-unsubscribe", args=["test"])),
        connection=connection,
    )
    log.info("campaign %s: test mail sent", campaign.pk)


def members_to_send(campaign: Campaign, *, resend: bool = False,
                    since: datetime | None = None) -> QuerySet[CampaignMember]:
    """The members a send processes: those not yet sent to, or with ``resend`` every
    member but those sent to at or after ``since`` (when the resend was asked for: a
    resend taken up again after its worker died does not mail them twice). Members in the
    campaign's control group or in the global holdout are never among them."""
    # Never the control group nor the global holdout (experiments): they are held out.
    members = campaign.members.exclude(held_back("campaign", campaign.pk))
    if not resend:
        return members.exclude(send_status=SendStatus.SENT)
    if since is not None:
        return members.exclude(send_status=SendStatus.SENT, status_at__gte=since)
    return members


def send_campaign(
    campaign: Campaign,
    *,
    resend: bool = False,
    gateway: SmsGateway | None = None,
    connection: Any = None,
    on_member: Callable[[str], None] | None = None,
    since: datetime | None = None,
    stale_claim: timedelta = STALE_CLAIM,
) -> SendSummary:
    """Send the campaign's message to its members, honouring marketing consent.

    Without ``resend`` members already *sent* are skipped; with it every member
    is processed again (and consent checked again, so an unsubscribed member is
    now suppressed). ``on_member(status)`` is called after each member this call
    processes (``skipped`` for one another send holds), for progress reports.
    A stop requested (``request_stop``) at or after ``since`` (default: now, when the
    send starts; a background send passes the time it was asked for) ends the send
    before its next member, with ``stopped`` set; an older request is ignored.
    A member held "sending" for longer than ``stale_claim`` (a send that died; the
    worker passes its job timeout) is taken over.
    """
    since = since or timezone.now()
    channel = check_message(campaign)
    # Parties the global holdout drew since they joined are recorded before the send.
    held_out_among(campaign.members.values_list("party_id", flat=True))
    members = members_to_send(campaign, resend=resend, since=since).select_related("party").order_by("id")
    held = campaign.members.filter(held_back("campaign", campaign.pk)).count()
    summary = SendSummary(skipped=campaign.members.count() - members.count() - held, held_out=held)

    if channel == MessageChannel.EMAIL and connection is None:
        connection = get_connection(fail_silently=False)
    if channel == MessageChannel.SMS and gateway is None:
        gateway = default_gateway()

    for member in _in_batches(members):
        if _stop_requested(campaign, since):
            summary.stopped = True
            break
        if not _claim(member, resend=resend, stale_claim=stale_claim, since=since):
            summary.skipped += 1  # another send has it (or sent it meanwhile)
            if on_member is not None:
                on_member("skipped")
            continue
        status, reason = _send_claimed(campaign, member, channel, gateway, connection)
        summary.statuses[member.pk] = status
        setattr(summary, status, getattr(summary, status) + 1)
        if on_member is not None:
            on_member(status)
    if connection is not None:
        connection.close()
    if not summary.stopped:  # a stop asked for before this send no longer describes it
        if Campaign.objects.filter(pk=campaign.pk, send_stop_requested_at__lt=since).update(
                send_stop_requested_at=None):
            campaign.send_stop_requested_at = None
    log.info(
        "campaign %s %s: %d sent, %d suppressed, %d failed, %d skipped",
        campaign.pk, "stopped" if summary.stopped else "sent",
        summary.sent, summary.suppressed, summary.failed, summary.skipped,
    )
    return summary


def send_to_member(campaign: Campaign, member: CampaignMember, *, gateway: SmsGateway | None = None,
                   connection: Any = None) -> tuple[str, str]:
    """Send the campaign's message to one member now, as ``send_campaign`` does for each
    (marketing consent checked, the unsubscribe link added, the member claimed so that a
    send running at the same time does not mail them too); ``(status, reason)``. A member
    already sent to is mailed again (a playbook acting on a customer a second time). A member
    in the campaign's control group or in the global holdout is not sent to (``held_out``)."""
    channel = check_message(campaign)
    if campaign.members.filter(pk=member.pk).filter(held_back("campaign", campaign.pk)).exists():
        return "held_out", "in the campaign's control group or the global holdout"
    if not _claim(member, resend=True):
        return SendStatus.SENDING, "another send holds the member"
    if channel == MessageChannel.EMAIL and connection is None:
        connection = get_connection(fail_silently=False)
    if channel == MessageChannel.SMS and gateway is None:
        gateway = default_gateway()
    return _send_claimed(campaign, member, channel, gateway, connection)


def _send_claimed(campaign: Campaign, member: CampaignMember, channel: str, gateway: SmsGateway | None,
                  connection: Any) -> tuple[str, str]:
    """Send to a member this call has claimed and record its status; ``(status, reason)``."""
    member.send_status = SendStatus.SENDING
    try:
        status, reason = _send_to_member(campaign, member, channel, gateway, connection)
    except Exception as exc:  # a bug: the member is not left claimed ("sending")
        _set_status(member, SendStatus.FAILED, f"could not be sent: {type(exc).__name__}")
        raise
    if not (status == SendStatus.SENT and not reason and member.send_status == SendStatus.SENT):
        _set_status(member, status, reason)  # (a delivered mail was recorded already)
    return status, reason


def _in_batches(members: QuerySet[CampaignMember], size: int = 500) -> Iterator[CampaignMember]:
    """The members (ordered by id) read 500 at a time, each batch a finished query: no
    cursor stays open across the sends, because on SQLite an open cursor keeps a read
    snapshot, and once another connection (a heartbeat, a web request) has written, the
    next write of this one fails with "database is locked" however long it waits."""
    last = 0
    while True:
        batch = list(members.filter(pk__gt=last)[:size])
        if not batch:
            return
        yield from batch
        last = batch[-1].pk


def request_stop(campaign: Campaign) -> int:
    """Ask the sends of ``campaign`` running now to stop before their next member (each
    checks before every member; the member being mailed is finished). Returns how many
    members are still queued; they stay queued for the next send."""
    Campaign.objects.filter(pk=campaign.pk).update(send_stop_requested_at=timezone.now())
    log.info("campaign %s: stop requested", campaign.pk)
    return members_to_send(campaign).count()


def _stop_requested(campaign: Campaign, since: datetime) -> bool:
    return Campaign.objects.filter(pk=campaign.pk, send_stop_requested_at__gte=since).exists()


def _send_to_member(
    campaign: Campaign,
    member: CampaignMember,
    channel: str,
    gateway: SmsGateway | None,
    connection: Any,
) -> tuple[str, str]:
    party: Party = member.party
    if not has_consent(party.pk, purpose=ConsentPurpose.MARKETING, channel=channel):
        return SendStatus.SUPPRESSED, f"no active marketing consent for {channel}"
    address = party.email if channel == MessageChannel.EMAIL else party.phone
    if not address:
        return SendStatus.FAILED, f"the party has no {'email address' if channel == 'email' else 'phone number'}"
    link = unsubscribe_tokens.url(party.pk, ConsentPurpose.MARKETING, channel)
    body = render_text(campaign.message_body, {"name": party.name})
    try:
        if channel == MessageChannel.EMAIL:
            message = email_message(
                to=address,
                subject=campaign.message_subject,
                body=body,
                unsubscribe_url=link,
            )
            # Recorded as sent before the server may deliver (smtp_delivery): a send killed
            # at any moment mails nobody twice.
            smtp_delivery.deliver(message, connection, before_commit=lambda: _set_status(member, SendStatus.SENT))
        else:
            assert gateway is not None  # noqa: S101 - set by send_campaign
            gateway.send(address, f"{body.strip()} Stop: {link}")
    except smtp_delivery.Unconfirmed:
        return SendStatus.SENT, "the mail server did not confirm the mail"
    except MAIL_ERRORS as exc:
        return SendStatus.FAILED, f"mail server refused: {type(exc).__name__}"
    except SmsError as exc:
        return SendStatus.FAILED, str(exc)
    return SendStatus.SENT, ""


@transaction.atomic
def unsubscribe(token: str, *, at: datetime | None = None) -> Party | None:
    """Withdraw the consent the token names; None when the token is invalid.

    Idempotent: a second use finds nothing left to withdraw and changes nothing.
    """
    parsed = unsubscribe_tokens.read(token)
    if parsed is None:
        return None
    party_id, purpose, channel = parsed
    party = Party.objects.filter(pk=party_id).first()
    if party is None:
        return None
    at = at or timezone.now()
    for consent in Consent.objects.select_for_update().filter(
        party_id=party_id, purpose=purpose, channel=channel, withdrawn_at__isnull=True
    ):
        consent.withdrawn_at = max(at, consent.given_at)
        consent.save(update_fields=["withdrawn_at"])
        audit_change(None, consent, {"withdrawn_at": None}, {"withdrawn_at": consent.withdrawn_at})
    return party
