"""``clientela demo``: migrate, build the demo company, create the demo user, serve — with
one worker process beside the web server, so the demo stays one command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

import click

from clientela.cli.django_setup import run_migrations, setup_django
from clientela.cli.worker import worker_command


@click.command()
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--customers", default=5000, show_default=True, type=click.IntRange(50, 5_000_000),
              help="How many parties the demo company has.")
@click.option("--seed", default=42, show_default=True, type=int, help="Same seed, same company.")
@click.option("--no-serve", is_flag=True, help="Build the data and stop, without serving.")
def demo(port: int, host: str, customers: int, seed: int, no_serve: bool) -> None:
    """Build a realistic demo company (if the database is empty) and serve it."""
    started = time.monotonic()
    # Links in the demo's mails (unsubscribe, survey answers) point at the demo itself
    # unless CLIENTELA_PUBLIC_URL says otherwise (issue 12 item 7).
    if "CLIENTELA_PUBLIC_URL" not in os.environ:
        os.environ["CLIENTELA_PUBLIC_URL"] = demo_public_url(host, port)
        # A set public URL narrows the allowed hosts to it; the demo keeps answering
        # every host name it is reached by, as it did (its links only get the port).
        os.environ.setdefault("CLIENTELA_ALLOWED_HOSTS", "*")
    setup_django(demo=True)
    click.echo("Applying migrations…")
    run_migrations()

    from clientela.demo.build import build_demo_company, database_is_empty, ensure_demo_user

    if database_is_empty():
        build_demo_company(customers=customers, seed=seed, progress=True)
    else:
        click.echo("The database already holds data: the demo company is not rebuilt.")
    from clientela.crm.scoring.queries import current_run

    if current_run() is None:
        from clientela.crm.scoring.actions import run_scoring
        from clientela.demo.history import score_history

        click.echo("Scoring the last three quarters, so the dashboard has a history…")
        score_history(runs=3, progress=lambda message: click.echo(f"  {message}"))
        click.echo("Scoring customers (lifetime value, RFM, ladder, next best action)…")
        run = run_scoring(None, progress=lambda message: click.echo(f"  {message}"))
        equity = run.summary["customer_equity"]
        click.echo(f"  {run.model_name}: customer equity {equity['total']:,.0f} {run.summary['currency']}")
    from clientela.crm.voice.queries import has_themes

    if not has_themes():
        from clientela.crm.voice.actions import queue_refresh

        queue_refresh(None)
        click.echo("Feedback themes: queued for the worker (the dashboard and /feedback/ show them when found).")
    ensure_demo_user()
    click.echo("Demo login: user 'demo', password 'demo' (demo only).")
    from django.conf import settings

    click.echo(f"Links in mails point to {settings.PUBLIC_URL}.")
    click.echo(f"Ready in {time.monotonic() - started:.1f} s.")
    if not no_serve:
        from clientela.cli.server import serve_app

        with demo_worker():
            serve_app(host=host, port=port)


@contextmanager
def demo_worker() -> Iterator[subprocess.Popen[bytes]]:
    """One ``clientela worker`` process beside the demo's web server, stopped with it
    (SIGTERM or Ctrl+C of the demo; on Linux it also ends if the demo is killed)."""
    child = subprocess.Popen(worker_command(), preexec_fn=_end_with_parent)  # noqa: S603, PLW1509
    click.echo(f"Worker started (process {child.pid}): campaign sends, scoring and schedules run there.")
    previous = signal.signal(signal.SIGTERM, _raise_exit)
    try:
        yield child
    finally:
        signal.signal(signal.SIGTERM, previous)
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def _raise_exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def _end_with_parent() -> None:
    """In the worker child: ask Linux to send it SIGTERM when the demo process dies."""
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG

def demo_public_url(host: str, port: int) -> str:
    """The demo's own address: ``http://127.0.0.1:PORT`` when it listens on every
    interface (or on loopback), else the host it was given."""
    if host in ("", "0.0.0.0", "::", "localhost", "127.0.0.1"):  # noqa: S104 - a comparison, not a bind
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"
