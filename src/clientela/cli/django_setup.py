"""Start Django for a CLI command, turning configuration errors into one clear line."""

from __future__ import annotations

import os

import click


def setup_django(*, demo: bool = False) -> None:
    """Configure and start Django once; ``demo`` allows the built-in demo secret key."""
    if demo:
        os.environ["CLIENTELA_DEMO"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientela.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        raise click.ClickException(str(exc)) from None


def run_migrations(*, verbosity: int = 0) -> None:
    """Apply every pending migration to the configured database, and create the shared
    cache's table (rate limits, login lockouts) when the cache is the database."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)
    call_command("createcachetable", verbosity=verbosity)
