"""``clientela serve`` and ``clientela migrate``.

``serve --workers N`` runs N web processes on one port. Each is a waitress server (the
production WSGI server Clientela already ships, pure Python, on every platform) with its
own listening socket bound with ``SO_REUSEPORT``: the Linux kernel spreads new connections
over the processes, so a slow page in one process holds up none of the others' threads.
The parent process only starts the web processes, restarts one that dies and stops them
all on SIGTERM or Ctrl+C. Why not gunicorn: it would be a second server to configure,
test and document next to waitress, and it does not run on Windows; what it adds here
(several processes on one port) the kernel already gives.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from typing import Any

import click

from clientela.cli.django_setup import run_migrations, setup_django

# A web process that dies sooner than this after starting counts as failing to start.
QUICK_EXIT_SECONDS = 5.0
QUICK_EXITS_ALLOWED = 3
STOP_GRACE_SECONDS = 10.0


def _waitress_options() -> dict[str, Any]:
    from django.conf import settings

    # waitress deletes X-Forwarded-* headers from untrusted peers by default; behind the
    # proxy (CLIENTELA_BEHIND_PROXY=1) Django reads them itself (settings.py).
    return {"clear_untrusted_proxy_headers": not settings.BEHIND_PROXY}


def serve_app(*, host: str, port: int, threads: int = 8) -> None:
    """Serve the WSGI app with waitress (a production server) and static files via WhiteNoise."""
    import waitress

    from clientela.wsgi import application

    click.echo(f"Clientela is serving at http://{host}:{port}/  (Ctrl+C to stop)")
    waitress.serve(application, host=host, port=port, threads=threads, ident="clientela",
                   **_waitress_options())


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket bound with SO_REUSEPORT (several processes share the port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(1024)
    return sock


def serve_one_of_many(*, host: str, port: int, threads: int) -> None:
    """One web process of ``serve --workers N``: waitress on its own SO_REUSEPORT socket."""
    import waitress

    from clientela.wsgi import application

    try:
        sock = reuse_port_socket(host, port)
    except OSError as exc:
        raise click.ClickException(f"--port: cannot listen on {host}:{port}: {exc}") from None
    click.echo(f"web process {os.getpid()} listening on http://{host}:{port}/")
    waitress.serve(application, sockets=[sock], threads=threads, ident="clientela",
                   **_waitress_options())


class Supervisor:
    """Starts N web processes, restarts one that dies, stops them all on a signal."""

    def __init__(self, *, command: list[str], workers: int) -> None:
        self.command = command
        self.workers = workers
        self.processes: list[tuple[subprocess.Popen[bytes], float]] = []
        self.stopping = False
        self.quick_exits = 0

    def _start(self) -> tuple[subprocess.Popen[bytes], float]:
        return subprocess.Popen(self.command), time.monotonic()  # noqa: S603 (our own command)

    def _stop(self, signum: int, _frame: Any) -> None:
        self.stopping = True

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        self.processes = [self._start() for _ in range(self.workers)]
        click.echo("web processes: " + ", ".join(str(p.pid) for p, _ in self.processes))
        try:
            while not self.stopping:
                time.sleep(0.2)
                for i, (process, started) in enumerate(self.processes):
                    code = process.poll()
                    if code is None or self.stopping:
                        continue
                    if time.monotonic() - started < QUICK_EXIT_SECONDS:
                        self.quick_exits += 1
                        if self.quick_exits > QUICK_EXITS_ALLOWED:
                            click.echo("web processes keep failing to start; stopping", err=True)
                            return 1
                    click.echo(f"web process {process.pid} exited ({code}); starting another", err=True)
                    self.processes[i] = self._start()
            return 0
        finally:
            self.stop_all()

    def stop_all(self) -> None:
        for process, _ in self.processes:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for process, _ in self.processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def serve_workers(*, host: str, port: int, threads: int, workers: int) -> None:
    if not hasattr(socket, "SO_REUSEPORT"):
        raise click.ClickException(
            "--workers: several web processes on one port need SO_REUSEPORT (Linux); "
            "here run one `clientela serve` per port behind the proxy instead"
        )
    try:  # a clear error now rather than N processes failing one after another
        reuse_port_socket(host, port).close()
    except OSError as exc:
        raise click.ClickException(f"--port: cannot listen on {host}:{port}: {exc}") from None
    command = [sys.executable, "-m", "clientela.cli", "serve", "--host", host, "--port", str(port),
               "--threads", str(threads), "--one-of-many"]
    click.echo(f"Clientela is serving at http://{host}:{port}/ with {workers} web processes "
               "(Ctrl+C to stop)")
    code = Supervisor(command=command, workers=workers).run()
    if code:
        raise SystemExit(code)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64),
              help="Threads per web process.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Web processes sharing the port (Linux, SO_REUSEPORT).")
@click.option("--one-of-many", is_flag=True, hidden=True)
def serve(host: str, port: int, threads: int, workers: int, one_of_many: bool) -> None:
    """Serve the application with a production WSGI server (waitress)."""
    setup_django()  # configuration errors show here, once, before any process starts
    if workers > 1:
        serve_workers(host=host, port=port, threads=threads, workers=workers)
        return
    if one_of_many:
        serve_one_of_many(host=host, port=port, threads=threads)
    else:
        serve_app(host=host, port=port, threads=threads)


@click.command()
def migrate() -> None:
    """Create or update the database tables."""
    setup_django()
    run_migrations(verbosity=1)
