"""``clientela schedule list``: the schedules the worker runs, with their next run."""

from __future__ import annotations

import click

from clientela.cli.django_setup import setup_django


@click.group()
def schedule() -> None:
    """Schedules the worker runs (nightly scoring, purges, …)."""


@schedule.command("list")
def list_schedules() -> None:
    """Each schedule: its timing, next run and last run (local time, TIME_ZONE)."""
    setup_django()
    from django.utils import timezone

    from clientela.crm.jobs.schedules import upcoming

    def local(moment: object) -> str:
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z") if moment else "never"  # type: ignore[arg-type]

    click.echo(f"{'schedule':<26} {'when':<16} {'next run':<24} last run")
    for row in upcoming():
        last = local(row.last_run_at)
        if row.last_job is not None:
            last += f" (job {row.last_job.pk} {row.last_job.status})"
        click.echo(f"{row.schedule.name:<26} {row.schedule.timing():<16} {local(row.next_run_at):<24} {last}")
