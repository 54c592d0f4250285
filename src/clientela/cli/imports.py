"""``clientela imports …``: the import wizard from the command line — import a user's file
(any of the four encodings and delimiters, XLSX, a shop's export) as a user, list the
import history, undo an import. The canonical files alone: ``clientela import``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from clientela.cli.django_setup import setup_django


@click.group()
def imports() -> None:
    """Import wizard: import a file as a user, list the history, undo an import."""


def _user(username: str) -> Any:
    from clientela.crm.accounts.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        raise click.ClickException(f"--by: no user {username!r}")
    return user


def _fail(exc: Exception) -> click.ClickException:
    errors = getattr(exc, "errors", None)
    text = "; ".join(f"{k}: {v}" for k, v in errors.items()) if isinstance(errors, dict) else str(exc)
    return click.ClickException(text)


@imports.command("run")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--by", "username", required=True, help="The user who imports (needs the import capability).")
@click.option("--encoding", type=click.Choice(["utf-8", "utf-8-sig", "cp1250", "cp1251"]), default=None,
              help="The file's encoding (default: guessed).")
@click.option("--delimiter", type=click.Choice([",", ";", "tab", "|"]), default=None,
              help="The CSV delimiter (default: guessed).")
@click.option("--kind", type=click.Choice(["customers", "orders", "interactions"]), default=None,
              help="What the file holds (default: guessed from the header).")
@click.option("--recipe", type=click.Choice(["shopify", "woocommerce", "prestashop", "none"]), default=None,
              help="A shop's export format (default: recognised from the header); none for no recipe.")
@click.option("--map", "maps", multiple=True, metavar="COLUMN=field",
              help="Map a column to a field (or - to skip it); repeatable. Other columns keep their mapping.")
@click.option("--create-missing", is_flag=True, help="Create customers that do not exist yet.")
@click.option("--accept-formulas", is_flag=True, help="Import the values Excel last computed for formulas.")
def run(file: Path, username: str, encoding: str | None, delimiter: str | None, kind: str | None,
        recipe: str | None, maps: tuple[str, ...], create_missing: bool, accept_formulas: bool) -> None:
    """Import FILE as the wizard does, recorded in the history so that it can be undone.
    Bad rows are listed with their lines; nothing is written then (exit 1)."""
    setup_django()
    from clientela.crm.errors import Conflict, InvalidInput, NotPermitted
    from clientela.crm.imports import actions
    from clientela.crm.imports.plan import inspect
    from clientela.crm.jobs.runner import run_attempt

    user = _user(username)
    try:
        upload = actions.upload_file(user, file_name=file.name, data=file.read_bytes())
        changes: dict[str, Any] = {"create_missing": create_missing or upload.create_missing,
                                   "accept_formulas": accept_formulas}
        if encoding:
            changes["encoding"] = encoding
        if delimiter:
            changes["delimiter"] = "\t" if delimiter == "tab" else delimiter
        if kind:
            changes["kind"] = kind
        if recipe:
            changes["recipe"] = "" if recipe == "none" else recipe
        actions.update_settings(user, upload, **changes)
        if maps:
            mapping = dict(upload.mapping)
            for item in maps:
                column, sep, target = item.partition("=")
                if not sep or column not in mapping:
                    raise click.ClickException(f"--map {item}: the file has no column {column!r}")
                mapping[column] = target
            actions.update_settings(user, upload, mapping=mapping)
        found = inspect(upload)
        for problem in (found.problem, found.mapping_problem):
            if problem:
                raise click.ClickException(problem)
        if found.error_total:
            for e in found.errors:
                click.echo(f"line {e['line']}, column {e['column']}: {e['reason']}", err=True)
            raise click.ClickException(f"{found.error_total} bad row(s); nothing was imported (import {upload.pk})")
        job = actions.start_import(user, upload)
    except (InvalidInput, Conflict, NotPermitted) as exc:
        raise _fail(exc) from None
    run_attempt(job.pk, 1, task_id="cli")
    upload.refresh_from_db()
    if upload.status != "imported":
        for e in upload.errors:
            click.echo(f"line {e['line']}, column {e['column']}: {e['reason']}", err=True)
        raise click.ClickException(upload.problem or f"{upload.error_total} bad row(s); nothing was imported")
    counts = {k: v for k, v in upload.counts.items() if isinstance(v, int) and v}
    click.echo(f"Imported {file.name} as import {upload.pk}"
               + (f" ({upload.recipe})" if upload.recipe else f" ({upload.kind})") + ": "
               + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items()))


@imports.command("list")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
def list_imports(limit: int) -> None:
    """The import history, newest first: id, status, kind, file, who, when, counts."""
    setup_django()
    from clientela.crm.imports.queries import history

    for item in history()[:limit]:
        counts = item.counts or {}
        created = sum(v for k, v in counts.items() if k.endswith("_created") and isinstance(v, int))
        changed = sum(v for k, v in counts.items() if k.endswith("_changed") and isinstance(v, int))
        who = item.created_by.get_username() if item.created_by else "-"
        click.echo(f"{item.pk}\t{item.status}\t{item.recipe or item.kind}\t{item.file_name}\t{who}\t"
                   f"{item.created_at:%Y-%m-%d %H:%M}\trows {counts.get('rows', 0)}\tcreated {created}\t"
                   f"changed {changed}")


@imports.command("undo")
@click.argument("import_id", type=int)
@click.option("--by", "username", required=True, help="The user who undoes it (who ran it, or an administrator).")
def undo(import_id: int, username: str) -> None:
    """Undo import IMPORT_ID: remove what it created, restore what it changed."""
    setup_django()
    from clientela.crm.errors import Conflict, NotPermitted, RecordNotFound
    from clientela.crm.imports import actions
    from clientela.crm.imports.access import access_import

    user = _user(username)
    try:
        removed = actions.undo_import(user, access_import(user, import_id))
    except (Conflict, NotPermitted, RecordNotFound) as exc:
        raise click.ClickException(f"import {import_id}: {exc or type(exc).__name__}") from None
    click.echo(f"Undid import {import_id}: removed " + ", ".join(f"{v} {k}" for k, v in removed.items()))
