"""``clientela digest`` (today's e-mail digest to every user who turned it on) and
``clientela notify`` (the due-task and SLA-breach scans), for cron where no job worker
runs them."""

from __future__ import annotations

from datetime import datetime

import click

from clientela.cli.django_setup import setup_django


def _moment(at: str | None) -> datetime:
    from django.utils import timezone

    if at is None:
        return timezone.now()
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        raise click.BadParameter(f"{at!r} is not an ISO date-time", param_hint="--at") from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


@click.command("digest")
@click.option("--dry-run", is_flag=True, help="Print who would get a digest and what it says; send nothing.")
@click.option("--at", "at", default=None, metavar="ISO-TIME",
              help="Compose the digest as of this time (default: now), e.g. 2026-12-07T07:00+01:00.")
def digest(dry_run: bool, at: str | None) -> None:
    """Send the daily e-mail digest (overdue tasks, today's tasks, cases past their SLA)
    to each user who turned it on under Notifications; once a day per user."""
    setup_django()
    from clientela.crm.notifications.actions import send_digests

    sent = send_digests(None, _moment(at), dry_run=dry_run)
    for message in sent:
        if dry_run:
            click.echo(f"To: {message.email} ({message.username})\nSubject: {message.subject}\n\n{message.body}")
    verb = "Would send" if dry_run else "Sent"
    click.echo(f"{verb} {len(sent)} digest{'s' if len(sent) != 1 else ''}.", err=True)


@click.command("notify")
@click.option("--at", "at", default=None, metavar="ISO-TIME", help="Scan as of this time (default: now).")
def notify(at: str | None) -> None:
    """Write the in-app notifications of tasks due today and of cases past their SLA
    (each once: running it again writes only what is new)."""
    setup_django()
    from clientela.crm.notifications.actions import notify_due_tasks, notify_sla_breaches

    now = _moment(at)
    due, breaches = notify_due_tasks(None, now), notify_sla_breaches(None, now)
    click.echo(f"{due} due-task and {breaches} SLA-breach notifications written.")
