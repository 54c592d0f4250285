"""``clientela survey …``: list surveys, invite parties or a segment to one.

Invitations are the ``survey.invite`` job, as from the API: consent (*surveys* on the
channel) checked per party, each party invited at most once per survey, one reminder
after ``CLIENTELA_SURVEY_REMINDER_DAYS`` days. The job runs in this process with a
progress bar unless a worker takes it first, or is only queued with ``--queue``.
"""

from __future__ import annotations

import click

from clientela.cli.django_setup import setup_django
from clientela.cli.job_progress import run_unless_queued


@click.group()
def survey() -> None:
    """List surveys; invite parties or a segment to answer one."""


@survey.command("list")
def list_surveys() -> None:
    """Surveys, newest first, with their invitations and answers."""
    setup_django()
    from django.db.models import Count

    from clientela.crm.feedback.models import Survey

    rows = Survey.objects.annotate(invited=Count("invitations", distinct=True),
                                   answered=Count("responses", distinct=True)).order_by("-created_at", "-id")
    click.echo(f"{'id':>6}  {'kind':4}  {'active':6}  {'invited':>8}  {'answers':>8}  name")
    for s in rows:
        click.echo(f"{s.pk:>6}  {s.kind:4}  {'yes' if s.is_active else 'no':6}  {s.invited:>8}  {s.answered:>8}  {s.name}")


@survey.command("invite")
@click.argument("survey_id", type=click.IntRange(min=1))
@click.option("--party", "party_refs", multiple=True, metavar="REF", help="A party's reference (repeatable).")
@click.option("--segment", "segment_id", type=click.IntRange(min=1), default=None,
              help="Invite the members of this saved segment (as scored now).")
@click.option("--channel", type=click.Choice(["email", "sms"]), default="email", show_default=True)
@click.option("--subject", default="", help="The mail's subject (default: the survey's name).")
@click.option("--body", default="", help="Text before the answer link; merge fields {{ first_name }}, "
              "{{ name }}, {{ question }} (default: the question).")
@click.option("--by", default=None, help="User name recorded in the audit trail (segment members they may see).")
@click.option("--queue", "queue_only", is_flag=True, help="Only queue the invitations for the worker.")
def invite(survey_id: int, party_refs: tuple[str, ...], segment_id: int | None, channel: str, subject: str,
           body: str, by: str | None, queue_only: bool) -> None:
    """Invite parties (--party REF ...) or a segment (--segment ID) to survey SURVEY_ID."""
    setup_django()
    from clientela.crm.accounts.models import User
    from clientela.crm.engagement.models import Segment
    from clientela.crm.errors import InvalidInput
    from clientela.crm.feedback.invitations import invite_to_survey
    from clientela.crm.feedback.models import Survey
    from clientela.crm.parties.models import Party

    found = Survey.objects.filter(pk=survey_id).first()
    if found is None:
        raise click.ClickException(f"SURVEY_ID: no survey {survey_id}")
    if bool(party_refs) == (segment_id is not None):
        raise click.UsageError("name --party REF (one or more) or --segment ID")
    actor = None
    if by is not None:
        actor = User.objects.filter(username=by).first()
        if actor is None:
            raise click.ClickException(f"--by: no user {by!r}")
    parties = segment = None
    if party_refs:
        by_ref = {p.ref: p for p in Party.objects.filter(ref__in=set(party_refs))}
        missing = [ref for ref in party_refs if ref not in by_ref]
        if missing:
            raise click.ClickException(f"--party: no party {missing[0]!r}")
        parties = list(by_ref.values())
    else:
        segment = Segment.objects.filter(pk=segment_id).first()
        if segment is None:
            raise click.ClickException(f"--segment: no segment {segment_id}")
    try:
        job = invite_to_survey(actor, found, parties=parties, segment=segment, channel=channel,
                               subject=subject, body=body)
    except InvalidInput as exc:
        raise click.ClickException(str(exc)) from None
    done = run_unless_queued(job, queued=queue_only, queued_as=f"Invitations to survey {survey_id}",
                             label=f"Inviting to {found.name}", failed="the invitations failed",
                             then="the job is retried by the worker (`clientela worker`)")
    if done is None:
        return
    r = done.result
    click.echo(f"Invited {r['sent']:,}; suppressed for lack of consent {r['suppressed']:,}; "
               f"failed {r['failed']:,}; invited before {r['already_invited']:,}. Job {done.pk}.")
