"""``clientela import`` and ``clientela export``: parse options, call the transfer actions, report."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from clientela.cli.django_setup import setup_django

KINDS = ["customers", "orders", "interactions"]
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


@click.command("import")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and report what would change; write nothing.")
@click.option("--map", "maps", multiple=True, metavar="COLUMN=field",
              help="Read the file's COLUMN as the canonical field (repeatable); field '-' skips the column.")
@click.option("--create-missing", is_flag=True,
              help="Create a minimal customer for an unknown customer_ref instead of failing.")
@click.option("--by", default=None, help="User name recorded in the audit trail (default: the system).")
def import_cmd(kind: str, file: Path, dry_run: bool, maps: tuple[str, ...], create_missing: bool,
               by: str | None) -> None:
    """Import KIND (customers, orders or interactions) from the CSV FILE.

    Every row is validated first; on any bad row the errors are listed with their
    line and column, the exit status is 1 and nothing is written. Rows are upserted
    by their refs, so importing the same file again changes nothing.
    """
    mapping = _parse_map(maps)
    setup_django()
    from clientela.crm.accounts.models import User
    from clientela.crm.transfer.csv_import import ERROR_CAP, FileProblem, ImportFailed, import_file

    actor = None
    if by is not None:
        actor = User.objects.filter(username=by).first()
        if actor is None:
            raise click.ClickException(f"--by: no user {by!r}")

    show_bar = file.stat().st_size >= PROGRESS_MIN_BYTES
    bar = click.progressbar(length=len(STEPS), label=f"Importing {kind}", file=sys.stderr,
                            show_pos=False) if show_bar else None

    def on_step(label: str) -> None:
        if bar is not None:
            bar.label = f"Importing {kind}: {label}"
            bar.update(0 if label == STEPS[0] else 1)

    try:
        result = import_file(kind, file, mapping=mapping, dry_run=dry_run,
                             create_missing=create_missing, on_step=on_step, actor=actor)
    except FileProblem as exc:
        raise click.ClickException(f"{file}: {exc}") from None
    except ImportFailed as exc:
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
        sys.exit(1)
    finally:
        if bar is not None:
            bar.update(len(STEPS))
            bar.render_finish()
    if result.rows == 0:
        click.echo(f"{file}: the header is valid but there are no rows; nothing to import.")
        return
    prefix = "Dry run (nothing written): " if dry_run else ""
    extra = "".join(f", {name} {n}" for name, n in result.extra.items() if n)
    click.echo(
        f"{prefix}{result.rows} rows read: {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged{extra} in {result.elapsed:.2f} s."
    )


@click.command("export")
@click.argument("kind", type=click.Choice([*KINDS, "scores"]))
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write (default: standard output, CSV only).")
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet"]), default="csv", show_default=True)
def export_cmd(kind: str, output: Path | None, fmt: str) -> None:
    """Export KIND: customers, orders or interactions in the columns import reads,
    or scores (the current scoring run, one row per party).

    CSV text cells a spreadsheet would run as a formula are prefixed with '.
    """
    if fmt == "parquet" and output is None:
        raise click.UsageError("--format parquet needs --output FILE")
    setup_django()
    if kind == "scores":
        _export_scores(output, fmt)
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


def _export_scores(output: Path | None, fmt: str) -> None:
    from clientela.crm.scoring.export import NoScores, export_scores_csv, export_scores_parquet

    try:
        if fmt == "parquet":
            assert output is not None  # noqa: S101 (checked by the caller)
            count = export_scores_parquet(output)
        elif output is None:
            with _stdout_csv() as stream:
                export_scores_csv(stream)
            return
        else:
            with output.open("w", encoding="utf-8", newline="") as stream:
                count = export_scores_csv(stream)
    except NoScores as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Exported {count} scores rows to {output}.", err=True)
