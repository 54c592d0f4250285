"""``clientela worker``: run background jobs (campaign sends, scoring, erasure, schedules).

One worker process by default; ``--concurrency N`` starts N worker processes and watches
them (each takes its own tasks from the queue; a stop is passed on to all). ``--burst``
runs what is due now and exits (for cron or a test).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from types import FrameType

import click

from clientela.cli.django_setup import setup_django


def worker_command(*, burst: bool = False) -> list[str]:
    """The command line of one worker process (what ``demo`` and ``--concurrency`` start)."""
    return [sys.executable, "-m", "clientela.cli", "worker", *(["--burst"] if burst else [])]


@click.command()
@click.option("--concurrency", default=1, show_default=True, type=click.IntRange(1, 64),
              help="How many worker processes run jobs side by side.")
@click.option("--burst", is_flag=True, help="Run the jobs due now, then exit.")
@click.option("--interval", default=1.0, show_default=True, type=click.FloatRange(0.05, 60),
              help="Seconds between looks at an empty queue.")
def worker(concurrency: int, burst: bool, interval: float) -> None:
    """Run background jobs and schedules from the queue in the database."""
    if concurrency > 1:
        raise SystemExit(_supervise(concurrency, burst))
    setup_django()
    import logging
    import socket

    from clientela.crm.jobs.worker import JobWorker

    logging.getLogger("clientela").setLevel(logging.INFO)
    worker_id = f"{socket.gethostname()[:40]}:{os.getpid()}"
    job_worker = JobWorker(worker_id=worker_id, interval=interval, burst=burst)
    job_worker.install_signals()
    click.echo(f"Worker {worker_id} running jobs{' due now' if burst else ''} (stop with Ctrl+C).", err=True)
    ran = job_worker.run()
    click.echo(f"Worker {worker_id} stopped after {ran} task(s).", err=True)


def _supervise(concurrency: int, burst: bool) -> int:
    """Start ``concurrency`` worker processes; pass SIGTERM/SIGINT on; a process that
    exits unexpectedly is started again (not in ``--burst`` mode)."""
    children = [subprocess.Popen(worker_command(burst=burst)) for _ in range(concurrency)]  # noqa: S603
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        for i, child in enumerate(children):
            if child.poll() is not None and not stopping and not burst:
                click.echo(f"worker process {child.pid} exited with {child.returncode}; starting another",
                           err=True)
                children[i] = subprocess.Popen(worker_command())  # noqa: S603
        if all(child.poll() is not None for child in children):
            return max((child.returncode or 0) for child in children) if not stopping else 0
        time.sleep(0.5)
