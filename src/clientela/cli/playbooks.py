"""``clientela playbook …``: playbooks as JSON files (so they can be versioned and
provisioned), their list, a dry run, and switching one on or off.

``import`` creates a playbook per entry, or a new version of the one with the same name;
all or nothing (a bad entry names its index and field, exit 1). The user ``--by`` owns
the playbooks it creates: their actions are done in that user's name (without it, the
system's).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from clientela.cli.django_setup import setup_django


def _user(by: str | None) -> Any:
    from clientela.crm.accounts.models import User

    if by is None:
        return None
    actor = User.objects.filter(username=by, is_active=True).first()
    if actor is None:
        raise click.ClickException(f"--by: no active user {by!r}")
    return actor


def _playbook(playbook_id: int) -> Any:
    from clientela.crm.playbooks.models import Playbook

    found = Playbook.objects.filter(pk=playbook_id).first()
    if found is None:
        raise click.ClickException(f"PLAYBOOK_ID: no playbook {playbook_id}")
    return found


@click.group()
def playbook() -> None:
    """Playbooks: import and export as JSON, list, dry run, switch on or off."""


@playbook.command("list")
def list_playbooks() -> None:
    """Playbooks with their version, status and the customers acted on and held out."""
    setup_django()
    from clientela.crm.playbooks.models import Playbook
    from clientela.crm.playbooks.queries import with_counts

    click.echo(f"{'id':>5}  {'version':>7}  {'status':6}  {'acted':>6}  {'held':>6}  trigger / name")
    for p in with_counts(Playbook.objects.order_by("name", "id")):
        status = "on" if p.enabled else "off"
        click.echo(f"{p.pk:>5}  {p.version:>7}  {status:6}  {p.fired:>6}  {p.held_out:>6}  "
                   f"{p.definition['trigger']['kind']} / {p.name}")


@playbook.command("export")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write (stdout without it).")
@click.option("--id", "ids", type=click.IntRange(min=1), multiple=True, help="Only these playbooks.")
def export_playbooks(output: Path | None, ids: tuple[int, ...]) -> None:
    """Write the playbooks (all, or --id ...) as JSON, the form `playbook import` reads."""
    setup_django()
    from clientela.crm.playbooks.models import Playbook
    from clientela.crm.playbooks.transfer import export

    playbooks = Playbook.objects.order_by("name", "id")
    if ids:
        playbooks = playbooks.filter(pk__in=ids)
    text = json.dumps(export(playbooks), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


@playbook.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--by", default=None, help="User name: the owner of new playbooks and the audit trail's actor.")
def import_playbooks(file: Path, by: str | None) -> None:
    """Create or update playbooks from FILE (JSON); all or nothing."""
    setup_django()
    from clientela.crm.errors import InvalidInput
    from clientela.crm.playbooks.actions import import_playbooks as load

    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise click.ClickException(f"FILE: not JSON: {exc}") from None
    try:
        done = load(_user(by), data)
    except InvalidInput as exc:
        raise click.ClickException(str(exc)) from None
    for p, how in done:
        click.echo(f"{how:9}  {p.pk:>5}  v{p.version}  {p.name}")


@playbook.command("dry-run")
@click.argument("playbook_id", type=click.IntRange(min=1))
def dry_run(playbook_id: int) -> None:
    """Who the playbook would act on now and their CLV; writes nothing."""
    setup_django()
    from clientela.crm.playbooks.engine import dry_run as figures_for

    found = _playbook(playbook_id)
    figures = figures_for(found.definition, playbook=found)
    click.echo(f"would fire now for {figures.customers} customers, worth {figures.clv} {figures.currency} of CLV "
               f"({figures.treated} to act on, {figures.control} held out)")


def _switch(playbook_id: int, by: str | None, on: bool) -> None:
    setup_django()
    from clientela.crm.playbooks.actions import set_enabled

    set_enabled(_user(by), _playbook(playbook_id), on)
    click.echo(f"playbook {playbook_id} {'on' if on else 'off'}")


@playbook.command("enable")
@click.argument("playbook_id", type=click.IntRange(min=1))
@click.option("--by", default=None, help="User name recorded in the audit trail.")
def enable(playbook_id: int, by: str | None) -> None:
    """Switch a playbook on."""
    _switch(playbook_id, by, True)


@playbook.command("disable")
@click.argument("playbook_id", type=click.IntRange(min=1))
@click.option("--by", default=None, help="User name recorded in the audit trail.")
def disable(playbook_id: int, by: str | None) -> None:
    """Switch a playbook off."""
    _switch(playbook_id, by, False)
