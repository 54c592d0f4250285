"""Campaign sending in the worker: the ``campaign.send`` job.

Run twice (a retry, a worker killed mid-send and its job taken up again), it mails nobody
twice: each member is claimed before it is mailed and recorded as sent before the server
may deliver (``sending``, ``smtp_delivery``); a member a dead attempt held "sending" is
taken over once the claim is a job timeout old.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from clientela.crm.engagement import sending
from clientela.crm.engagement.models import Campaign


def send_campaign_job(job: Any, *, campaign_id: int, since: str) -> dict[str, Any]:
    """Send the campaign to its members not yet sent to; progress counts members done.
    A stop asked for since ``since`` (the time Send was pressed) ends it between members."""
    campaign = Campaign.objects.get(pk=campaign_id)
    total = campaign.members.count()
    done = total - sending.members_to_send(campaign).count()
    job.progress(done, total, force=True)

    def on_member(status: str) -> None:
        nonlocal done
        if status != "skipped":
            done += 1
        job.progress(done, total)

    summary = sending.send_campaign(
        campaign, since=datetime.fromisoformat(since), on_member=on_member, stale_claim=job.lost_after)
    job.progress(done, total, force=True, check_stop=False)
    return {"sent": summary.sent, "suppressed": summary.suppressed, "failed": summary.failed,
            "skipped": summary.skipped, "stopped": summary.stopped}


def send_subject(campaign_id: int) -> str:
    return f"campaign:{campaign_id}"


def queue_send(actor: Any, campaign: Campaign) -> Any:
    """Queue a send of ``campaign`` to its members not yet sent to (audited, through
    ``jobs.actions.enqueue_job``); the job, or None when a send of it is queued or running
    already. ``SendingError`` for a message that cannot be sent and ``SmsError`` for an SMS
    campaign without a gateway, before anything is queued."""
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
            params={"campaign_id": campaign.pk, "since": timezone.now().isoformat()},
            label=f"Send campaign {campaign.pk}", subject=send_subject(campaign.pk))


def running_send(campaign_id: int) -> Any:
    """The campaign's queued, running or retrying send job, if any."""
    from clientela.crm.jobs.queries import active_job

    return active_job(send_subject(campaign_id))
