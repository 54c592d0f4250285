"""``clientela import`` and ``clientela export``: parse options, call the transfer actions, report."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from clientela.cli.django_setup import setup_django

# The record kinds (crm/transfer/columns.Kind, kept here as text: the CLI starts
# Django only once its options are parsed).
KINDS = ["parties", "customers", "consents", "contacts", "products", "exchange_rates", "orders",
         "interactions", "deals", "survey_answers", "loyalty"]
PROGRESS_MIN_BYTES = 1 << 20  # show a progress bar for files of 1 MiB and more
STEPS = ["reading", "validating", "writing"]
SUMMARY_MIN_ERRORS = 10  # from this many errors on, they are also counted by column and reason


def _parse_map(values: tuple[str, ...]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for item in values:
        column, sep, field = item.partition("=")
        if not sep or not column.strip() or not field.strip():
            raise click.BadParameter(f"{item!r}: expected COLUMN=field", param_hint="--map")
        mapping[column.strip()] = field.strip()
    return mapping


def _parse_map_values(values: tuple[str, ...]) -> dict[str, dict[str, str]]:
    mapping: dict[str, dict[str, str]] = {}
    for item in values:
        column, sep, pair = item.partition("=")
        source, colon, target = pair.partition(":")
        if not sep or not colon or not column.strip() or not source.strip() or not target.strip():
            raise click.BadParameter(f"{item!r}: expected COLUMN=FROM:TO", param_hint="--map-values")
        mapping.setdefault(column.strip(), {})[source.strip()] = target.strip()
    return mapping


@click.command("import")
@click.argument("kind", type=click.Choice([*KINDS, "all"]))
@click.argument("file", type=click.Path(exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and report what would change; write nothing.")
@click.option("--map", "maps", multiple=True, metavar="COLUMN=field",
              help="Read the file's COLUMN as the canonical field (repeatable); field '-' skips the column.")
@click.option("--create-missing", is_flag=True,
              help="Create a minimal customer for an unknown customer_ref instead of failing.")
@click.option("--map-values", "map_values", multiple=True, metavar="COLUMN=FROM:TO",
              help="Read the word FROM in COLUMN as TO (repeatable), e.g. acquisition_channel=Allegro:marketplace.")
@click.option("--by", default=None, help="User name recorded in the audit trail (default: the system).")
def import_cmd(kind: str, file: Path, dry_run: bool, maps: tuple[str, ...], create_missing: bool,
               map_values: tuple[str, ...], by: str | None) -> None:
    """Import KIND from the CSV FILE, or every kind from the directory FILE (KIND all).

    Every row is validated first; on any bad row the errors are listed with their
    line and column, the exit status is 1 and nothing is written. Rows are upserted
    by their keys, so importing the same file again changes nothing.
    """
    mapping = _parse_map(maps)
    value_map = _parse_map_values(map_values)
    if kind == "all" and not file.is_dir():
        raise click.BadParameter(f"{file}: 'import all' reads a directory written by 'export all'",
                                 param_hint="FILE")
    if kind != "all" and file.is_dir():
        raise click.BadParameter(f"{file} is a directory", param_hint="FILE")
    setup_django()
    from clientela.crm.accounts.models import User
    from clientela.crm.transfer.csv_import import FileProblem, ImportFailed, import_file

    actor = None
    if by is not None:
        actor = User.objects.filter(username=by).first()
        if actor is None:
            raise click.ClickException(f"--by: no user {by!r}")

    if kind == "all":
        _import_all(file, dry_run=dry_run, actor=actor)
        return
    show_bar = file.stat().st_size >= PROGRESS_MIN_BYTES
    bar = click.progressbar(length=len(STEPS), label=f"Importing {kind}", file=sys.stderr,
                            show_pos=False) if show_bar else None

    def on_step(label: str) -> None:
        if bar is not None:
            bar.label = f"Importing {kind}: {label}"
            bar.update(0 if label == STEPS[0] else 1)

    try:
        result = import_file(kind, file, mapping=mapping, dry_run=dry_run, map_values=value_map,
                             create_missing=create_missing, on_step=on_step, actor=actor)
    except FileProblem as exc:
        raise click.ClickException(f"{file}: {exc}") from None
    except ImportFailed as exc:
        _report_failure(file, exc)
        sys.exit(1)
    finally:
        if bar is not None:
            bar.update(len(STEPS))
            bar.render_finish()
    _report(file, result, dry_run)


def _report_failure(file: Path, exc: Any) -> None:
    from clientela.crm.transfer.csv_import import ERROR_CAP

    for error in exc.errors:
        click.echo(f"{file}: {error}", err=True)
    if exc.total > ERROR_CAP:
        click.echo(f"… and {exc.total - ERROR_CAP:,} more", err=True)
    if exc.total >= SUMMARY_MIN_ERRORS and exc.total > len(exc.kinds):
        click.echo("Errors by column and reason:", err=True)
        for kind_ in exc.kinds:
            where = f"column {kind_.column}: " if kind_.column else ""
            rows = f"{kind_.rows:,} row{'s' if kind_.rows != 1 else ''}"
            click.echo(f"  {where}{kind_.reason}: {rows}, the first on line {kind_.first_line:,}", err=True)
    click.echo(f"{exc.total:,} error(s): nothing was imported.", err=True)


def _report(file: Path, result: Any, dry_run: bool) -> None:
    if result.rows == 0:
        click.echo(f"{file}: the header is valid but there are no rows; nothing to import.")
        return
    prefix = "Dry run (nothing written): " if dry_run else ""
    extra = "".join(f", {name} {n}" for name, n in result.extra.items() if n)
    click.echo(
        f"{prefix}{result.rows} rows read: {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged{extra} in {result.elapsed:.2f} s."
    )


def _import_all(directory: Path, *, dry_run: bool, actor: Any) -> None:
    """Every KIND.csv of ``directory``, in the order their references need, in one
    transaction: a bad file refuses the whole directory."""
    from django.db import transaction

    from clientela.crm.transfer.csv_import import FileProblem, ImportFailed, import_all

    try:
        with transaction.atomic():
            results = import_all(directory, actor=actor, dry_run=dry_run)
    except FileProblem as exc:
        raise click.ClickException(str(exc)) from None
    except ImportFailed as exc:
        _report_failure(getattr(exc, "path", directory), exc)
        sys.exit(1)
    for path, result in results:
        _report(path, result, dry_run)


@click.command("export")
@click.argument("kind", type=click.Choice([*KINDS, "all", "scores"]))
@click.option("--output", "-o", type=click.Path(path_type=Path), default=None,
              help="File to write (default: standard output, CSV only); for 'all', the directory.")
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet"]), default="csv", show_default=True)
@click.option("--as", "reader", default=None, metavar="USER",
              help="Scores only: the file USER may see — their parties, without the CLV or margin "
                   "columns their role hides, reasons without those figures.")
def export_cmd(kind: str, output: Path | None, fmt: str, reader: str | None) -> None:
    """Export KIND in the columns import reads (all: every kind, one KIND.csv each, into
    the directory --output), or scores (the current scoring run, one row per party).

    CSV text cells a spreadsheet would run as a formula are prefixed with '.
    """
    if fmt == "parquet" and output is None:
        raise click.UsageError("--format parquet needs --output FILE")
    if reader is not None and kind != "scores":
        raise click.UsageError("--as applies to `export scores` only")
    if kind == "all" and (output is None or fmt != "csv"):
        raise click.UsageError("export all writes CSV files into the directory --output DIR")
    if kind != "all" and output is not None and output.is_dir():
        raise click.UsageError(f"--output {output} is a directory")
    setup_django()
    if kind == "all":
        assert output is not None  # noqa: S101 (checked above)
        from clientela.crm.transfer.csv_export import export_all

        for path, count in export_all(output):
            click.echo(f"Exported {count} rows to {path}.", err=True)
        return
    if kind == "scores":
        _export_scores(output, fmt, reader)
        return
    from clientela.crm.transfer.csv_export import export_csv, export_parquet

    if fmt == "parquet":
        assert output is not None  # noqa: S101 (checked above)
        count = export_parquet(kind, output)
    elif output is None:
        with _stdout_csv() as stream:
            export_csv(kind, stream)
        return
    else:
        with output.open("w", encoding="utf-8", newline="") as stream:
            count = export_csv(kind, stream)
    click.echo(f"Exported {count} {kind} rows to {output}.", err=True)


@contextmanager
def _stdout_csv() -> Iterator[io.TextIOWrapper]:
    """Standard output as UTF-8 text for the csv module (``newline=""``: rows end in
    CRLF as written, whatever the platform), left open when done."""
    stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
    try:
        yield stream
    finally:
        stream.flush()
        stream.detach()


def _export_scores(output: Path | None, fmt: str, reader_name: str | None) -> None:
    from clientela.crm.accounts.models import User
    from clientela.crm.scoring.export import NoScores, export_scores_csv, export_scores_parquet

    reader = None
    if reader_name is not None:
        reader = User.objects.filter(username=reader_name, is_active=True).first()
        if reader is None:
            raise click.ClickException(f"--as: no active user {reader_name!r}")
    try:
        if fmt == "parquet":
            assert output is not None  # noqa: S101 (checked by the caller)
            count = export_scores_parquet(output, reader=reader)
        elif output is None:
            with _stdout_csv() as stream:
                export_scores_csv(stream, reader=reader)
            return
        else:
            with output.open("w", encoding="utf-8", newline="") as stream:
                count = export_scores_csv(stream, reader=reader)
    except NoScores as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Exported {count} scores rows to {output}.", err=True)
