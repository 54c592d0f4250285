"""``clientela digest``: send today's e-mail digest to every user who turned it on."""

from __future__ import annotations

from datetime import datetime

import click

from clientela.cli.django_setup import setup_django


@click.command("digest")
@click.option("--dry-run", is_flag=True, help="Print who would get a digest and what it says; send nothing.")
@click.option("--at", "at", default=None, metavar="ISO-TIME",
              help="Compose the digest as of this time (default: now), e.g. 2026-12-07T07:00+01:00.")
def digest(dry_run: bool, at: str | None) -> None:
    """Send the daily e-mail digest (overdue tasks, today's tasks, cases past their SLA)
    to each user who turned it on under Notifications; once a day per user."""
    setup_django()
    from django.utils import timezone

    from clientela.crm.notifications.actions import send_digests

    now = timezone.now()
    if at is not None:
        try:
            now = datetime.fromisoformat(at)
        except ValueError:
            raise click.BadParameter(f"{at!r} is not an ISO date-time", param_hint="--at") from None
        if timezone.is_naive(now):
            now = timezone.make_aware(now)
    sent = send_digests(now, dry_run=dry_run)
    for message in sent:
        if dry_run:
            click.echo(f"To: {message.email} ({message.username})\nSubject: {message.subject}\n\n{message.body}")
    verb = "Would send" if dry_run else "Sent"
    click.echo(f"{verb} {len(sent)} digest{'s' if len(sent) != 1 else ''}.", err=True)
