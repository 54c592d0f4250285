"""``clientela serve`` and ``clientela migrate``."""

from __future__ import annotations

import click

from clientela.cli.django_setup import run_migrations, setup_django


def serve_app(*, host: str, port: int, threads: int = 8) -> None:
    """Serve the WSGI app with waitress (a production server) and static files via WhiteNoise."""
    import waitress

    from clientela.wsgi import application

    click.echo(f"Clientela is serving at http://{host}:{port}/  (Ctrl+C to stop)")
    waitress.serve(application, host=host, port=port, threads=threads, ident="clientela")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, threads: int) -> None:
    """Serve the application with a production WSGI server (waitress)."""
    setup_django()
    serve_app(host=host, port=port, threads=threads)


@click.command()
def migrate() -> None:
    """Create or update the database tables."""
    setup_django()
    run_migrations(verbosity=1)
