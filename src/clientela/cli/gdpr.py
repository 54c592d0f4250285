"""``clientela gdpr …``: a person's data — export it, or erase it."""

from __future__ import annotations

import json
from typing import Any

import click

from clientela.cli.django_setup import setup_django


def _party_and_actor(party_ref: str, by: str | None) -> tuple[Any, Any]:
    from clientela.crm.accounts.models import User
    from clientela.crm.parties.models import Party

    party = Party.objects.filter(ref=party_ref).first()
    if party is None:
        raise click.ClickException(f"PARTY_REF: no party {party_ref!r}")
    actor = None
    if by is not None:
        actor = User.objects.filter(username=by).first()
        if actor is None:
            raise click.ClickException(f"--by: no user {by!r}")
    return party, actor


@click.group()
def gdpr() -> None:
    """Export or erase everything held about a person (audited)."""


@gdpr.command("export")
@click.argument("party_ref")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), help="File (default: stdout).")
@click.option("--by", default=None, help="User name recorded in the audit trail.")
def export(party_ref: str, output: str | None, by: str | None) -> None:
    """Write everything held about PARTY_REF as JSON."""
    setup_django()
    from clientela.crm.privacy.actions import export_party

    party, actor = _party_and_actor(party_ref, by)
    text = json.dumps(export_party(actor, party), indent=2, ensure_ascii=False)
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
        click.echo(f"Wrote {output}.", err=True)
    else:
        click.echo(text)


@gdpr.command("erase")
@click.argument("party_ref")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--by", default=None, help="User name recorded in the audit trail.")
@click.option("--queue", "queued", is_flag=True, help="Only queue the erasure for the worker "
              "(retried on failure, followed on the jobs page) instead of erasing now.")
def erase(party_ref: str, yes: bool, by: str | None, queued: bool) -> None:
    """Anonymise every personal field about PARTY_REF; orders stay (revenue unchanged).

    The erasure is the privacy.erase job, as from the API: run here now (or followed,
    when a worker took it first), or only queued with --queue.
    """
    setup_django()
    from clientela.cli.job_progress import run_unless_queued
    from clientela.crm.privacy.jobs import queue_erasure

    party, actor = _party_and_actor(party_ref, by)
    if not yes:
        click.confirm(f"Erase the personal data of {party_ref!r}? This cannot be undone", abort=True)
    job = queue_erasure(actor, party)
    done = run_unless_queued(job, queued=queued, queued_as=f"Erasure of party {party_ref!r}",
                             label=f"Erasing {party_ref}", failed="the erasure failed",
                             then=f"the worker retries it (job {job.pk})")
    if done is None:
        return
    counts = done.result.get("rows", {})
    click.echo(f"Erased party {party_ref!r} (now erased-{party.pk}): " + ", ".join(
        f"{name} {count}" for name, count in counts.items()
    ) + f". Job {done.pk}.")
