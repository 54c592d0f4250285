"""``clientela import`` and ``clientela export`` (placeholder; filled by the import/export work)."""

from __future__ import annotations

import click


@click.command("import")
def import_cmd() -> None:
    """Import customers, orders or interactions from CSV."""
    raise click.ClickException("not implemented yet")


@click.command("export")
def export_cmd() -> None:
    """Export customers, orders or interactions."""
    raise click.ClickException("not implemented yet")
