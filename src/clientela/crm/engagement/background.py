"""Sending a large campaign after the request that started it.

A send mails each member in turn (one SMTP conversation, a consent check and two short
writes per member): a few thousand members take longer than a browser or a proxy waits
for an answer. ``start_send`` runs ``sending.send_campaign`` in a daemon thread of the
serving process and returns at once; the campaign page follows the members' statuses.

One sender per campaign per process (``is_sending``); across processes the per-member
claim of ``send_campaign`` keeps two sends from mailing a member twice; a send cut short
by a stopped process leaves the members it had not reached queued for the next send (the
member being mailed at that moment is taken over once its claim is ``STALE_CLAIM`` old).
"Stop sending" (``sending.request_stop``) ends it before its next member, the others
staying queued. The message and the SMS gateway are checked before the thread starts
(``sending.check_message``), so a campaign that cannot be sent fails in the request.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from django.db import close_old_connections, connection
from django.utils import timezone

from clientela.crm.engagement import sending
from clientela.crm.engagement.models import Campaign, MessageChannel
from clientela.crm.engagement.sms import default_gateway

log = logging.getLogger(__name__)

_lock = threading.Lock()
_threads: dict[int, threading.Thread] = {}


def is_sending(campaign_id: int) -> bool:
    """Is a background send of the campaign running in this process?"""
    with _lock:
        thread = _threads.get(campaign_id)
        return thread is not None and thread.is_alive()


def start_send(campaign: Campaign) -> bool:
    """Send the campaign to its members not yet sent to, in the background. False when a
    background send of it already runs here (nothing new is started). ``SendingError``
    for a message that cannot be sent and ``SmsError`` for an SMS campaign without a
    gateway, before anything starts."""
    if sending.check_message(campaign) == MessageChannel.SMS:
        default_gateway()  # SmsError now, not in the thread, when no gateway is configured
    with _lock:
        running = _threads.get(campaign.pk)
        if running is not None and running.is_alive():
            return False
        # A stop requested from now on stops it, even before the thread's first member.
        thread = threading.Thread(
            target=_run, args=(campaign.pk, timezone.now()), name=f"campaign-send-{campaign.pk}", daemon=True
        )
        _threads[campaign.pk] = thread
        thread.start()
    return True


def wait(campaign_id: int, timeout: float | None = None) -> bool:
    """Wait for the campaign's background send to end; True when none is running."""
    with _lock:
        thread = _threads.get(campaign_id)
    if thread is not None:
        thread.join(timeout)
        return not thread.is_alive()
    return True


def _run(campaign_id: int, since: datetime) -> None:
    close_old_connections()
    try:
        campaign = Campaign.objects.get(pk=campaign_id)
        sending.send_campaign(campaign, since=since)
    except Exception as exc:  # a thread's exception would otherwise vanish
        # The type only: a mail or database error's text can carry an address or a name.
        log.error("campaign %s: background send stopped by %s", campaign_id, type(exc).__name__)
    finally:
        connection.close()  # this thread's own database connection
