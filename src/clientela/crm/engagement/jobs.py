"""Campaign sending in the worker: the ``campaign.send`` job.

Run twice (a retry, a worker killed mid-send and its job taken up again), it mails nobody
twice: each member is claimed before it is mailed and recorded as sent before the server
may deliver (``sending``, ``smtp_delivery``); a member a dead attempt held "sending" is
taken over once the claim is a job timeout old.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from clientela.crm.engagement import sending
from clientela.crm.engagement.models import Campaign
from clientela.crm.webhooks.events import emit


def send_campaign_job(job: Any, *, campaign_id: int, since: str, resend: bool = False) -> dict[str, Any]:
    """Send the campaign to its members not yet sent to (with ``resend``: every member
    not sent to since ``since``, so a resend taken up again mails nobody twice either);
    progress counts members done. A stop asked for since ``since`` (the time Send was
    pressed) ends it between members."""
    campaign = Campaign.objects.get(pk=campaign_id)
    if job.resumed:
        _wait_out_dead_claims(job, campaign)
    started = datetime.fromisoformat(since)
    total = campaign.members.count()
    done = total - sending.members_to_send(campaign, resend=resend, since=started).count()
    job.progress(done, total, force=True)

    def on_member(status: str) -> None:
        nonlocal done
        if status != "skipped":
            done += 1
        job.progress(done, total)

    summary = sending.send_campaign(
        campaign, resend=resend, since=started, on_member=on_member,
        stale_claim=job.lost_after)
    job.progress(done, total, force=True, check_stop=False)
    if not summary.stopped:
        emit("campaign.sent", {
            "campaign_id": campaign.pk, "kind": campaign.kind, "channel": campaign.message_channel,
            "sent": summary.sent, "suppressed": summary.suppressed, "failed": summary.failed,
        })
    return {"sent": summary.sent, "suppressed": summary.suppressed, "failed": summary.failed,
            "skipped": summary.skipped, "stopped": summary.stopped}


def _wait_out_dead_claims(job: Any, campaign: Campaign) -> None:
    """A retry after a lost worker: wait until the members its dead attempt held
    "sending" are ``job.lost_after`` old, so this attempt takes them over (they were not
    mailed: a member is recorded as sent before the server may deliver). The dead worker's
    last heartbeat can be older than its last claim when the machine was busy; without
    this wait such a member would be skipped as held by a live send."""
    import time

    from django.db.models import Max
    from django.utils import timezone

    from clientela.crm.engagement.models import SendStatus

    newest = campaign.members.filter(send_status=SendStatus.SENDING).aggregate(at=Max("status_at"))["at"]
    if newest is None:
        return
    until = newest + job.lost_after + timedelta(seconds=0.5)
    while timezone.now() < until:
        job.progress(0, None)  # a heartbeat, and a stop asked for ends the wait
        time.sleep(min(1.0, max((until - timezone.now()).total_seconds(), 0.0)))


def send_subject(campaign_id: int) -> str:
    return f"campaign:{campaign_id}"


def queue_send(actor: Any, campaign: Campaign, *, resend: bool = False) -> Any:
    """Queue a send of ``campaign`` to its members not yet sent to (every member with
    ``resend``), audited through ``jobs.actions.enqueue_job``: the one way a campaign is
    sent, from the page, the API and the CLI alike. Returns the job, or None when a send of
    it is queued or running already (``running_send`` gives that one). ``SendingError``
    for a message that cannot be sent and ``SmsError`` for an SMS campaign without a
    gateway, before anything is queued."""
    from django.db import transaction
    from django.utils import timezone

    from clientela.crm.engagement.models import MessageChannel
    from clientela.crm.engagement.sms import default_gateway
    from clientela.crm.jobs.actions import enqueue_job
    from clientela.crm.jobs.queries import active_job

    if sending.check_message(campaign) == MessageChannel.SMS:
        default_gateway()  # SmsError now, not in the worker
    with transaction.atomic():
        # Two clicks at once: the campaign's row lock lets one of them queue the send.
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        if active_job(send_subject(campaign.pk)) is not None:
            return None
        return enqueue_job(
            actor, kind="campaign.send",
            params={"campaign_id": campaign.pk, "since": timezone.now().isoformat(), "resend": resend},
            label=f"Send campaign {campaign.pk}", subject=send_subject(campaign.pk))


def running_send(campaign_id: int) -> Any:
    """The campaign's queued, running or retrying send job, if any."""
    from clientela.crm.jobs.queries import active_job

    return active_job(send_subject(campaign_id))


def last_send(campaign_id: int) -> Any:
    """The campaign's most recent send job that has ended (its result holds the counts)."""
    from clientela.crm.jobs.queries import last_ended_job

    return last_ended_job(send_subject(campaign_id))
