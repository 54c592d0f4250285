"""``clientela campaign …``: list campaigns, send one from the command line, stop a send.

The same job as the web page's Send and the API's (``engagement.jobs.queue_send``:
consent checked per member, each member claimed so two sends never mail anyone twice),
run in this process with a progress bar unless a worker takes it first, or only queued
with ``--queue``. ``stop`` stops a send running anywhere (the web page's or another terminal's)
before its next member.
"""

from __future__ import annotations

import click

from clientela.cli.django_setup import setup_django
from clientela.cli.job_progress import run_unless_queued


@click.group()
def campaign() -> None:
    """List campaigns, send one to its members, stop a send."""


@campaign.command("list")
def list_campaigns() -> None:
    """Campaigns, newest first, with their members by send status."""
    setup_django()
    from clientela.crm.engagement.queries import campaigns_with_send_counts

    rows = campaigns_with_send_counts()
    click.echo(f"{'id':>6}  {'starts':10}  {'channel':7}  {'members':>8}  {'queued':>7}  {'sent':>7}  name")
    for c in rows:
        click.echo(f"{c.pk:>6}  {c.starts_on:%Y-%m-%d}  {c.message_channel:7}  {c.members_n:>8}  "
                   f"{c.queued_n:>7}  {c.sent_n:>7}  {c.name}")


@campaign.command("send")
@click.argument("campaign_id", type=click.IntRange(min=1))
@click.option("--resend", is_flag=True, help="Process members already sent to again (consent checked again).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--queue", "queue_only", is_flag=True,
              help="Only queue the send for the worker and print its job number.")
def send(campaign_id: int, resend: bool, yes: bool, queue_only: bool) -> None:
    """Send campaign CAMPAIGN_ID to its members not yet sent to (all with --resend).

    The send is a job, as from the web page and the API: it is run here with a progress
    bar (or followed, when a worker took it first), retried and shown on the jobs page.
    """
    setup_django()
    from clientela.crm.engagement import jobs as send_jobs
    from clientela.crm.engagement import sending
    from clientela.crm.engagement.models import Campaign
    from clientela.crm.engagement.sms import SmsError

    found = Campaign.objects.filter(pk=campaign_id).first()
    if found is None:
        raise click.ClickException(f"CAMPAIGN_ID: no campaign {campaign_id}")
    pending = sending.members_to_send(found, resend=resend).count()
    try:
        sending.check_message(found)
    except sending.SendingError as exc:
        raise click.ClickException(str(exc)) from None
    if pending == 0:
        click.echo(f"Campaign {campaign_id} ({found.name}): every member has been sent to already.")
        return
    if not yes:
        click.confirm(f"Send {found.name!r} by {found.message_channel} to {pending:,} members?", abort=True)
    try:
        job = send_jobs.queue_send(None, found, resend=resend)
    except SmsError as exc:
        raise click.ClickException(f"SMS gateway: {exc}") from None
    if job is None:
        running = send_jobs.running_send(found.pk)
        raise click.ClickException(f"campaign {campaign_id} is being sent already (job {running.pk}); "
                                   f"'clientela campaign stop {campaign_id}' stops it")
    job = run_unless_queued(job, queued=queue_only, queued_as=f"Send of campaign {campaign_id}",
                            label=f"Sending {found.name}", failed="the send failed",
                            then=f"members not yet sent to stay queued: 'clientela campaign send {campaign_id}' "
                                 "takes them up again")
    if job is None:
        return
    summary = job.result
    click.echo(f"Sent {summary['sent']:,}; suppressed for lack of consent {summary['suppressed']:,}; "
               f"failed {summary['failed']:,}; skipped {summary['skipped']:,}. Job {job.pk}.")
    if summary.get("stopped"):
        left = sending.members_to_send(found).count()
        click.echo(f"Stopped on request: {left:,} members not yet sent to stay queued; "
                   f"'clientela campaign send {campaign_id}' takes them up again.")


@campaign.command("stop")
@click.argument("campaign_id", type=click.IntRange(min=1))
def stop(campaign_id: int) -> None:
    """Stop the running send of campaign CAMPAIGN_ID (started on the web page or by
    'clientela campaign send') before its next member; the rest stay queued."""
    setup_django()
    from clientela.crm.engagement import sending
    from clientela.crm.engagement.models import Campaign

    found = Campaign.objects.filter(pk=campaign_id).first()
    if found is None:
        raise click.ClickException(f"CAMPAIGN_ID: no campaign {campaign_id}")
    left = sending.request_stop(found)
    click.echo(f"Stop requested for campaign {campaign_id} ({found.name}): a running send stops after the "
               f"member it is mailing; {left:,} members not yet sent to stay queued.")
