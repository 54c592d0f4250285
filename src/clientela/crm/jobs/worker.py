"""The worker loop: take ready tasks from django-tasks' database queue and run them; between
tasks, take up jobs whose worker died and start the schedules that are due.

Taking a task is django_tasks_db's own claim (``SELECT … FOR UPDATE SKIP LOCKED`` on
PostgreSQL, an exclusive transaction on SQLite) and running it is its ``Worker.run_task``;
this loop adds the housekeeping and a stop that lets the running job end between two
steps (``runner.stopping``).
"""

from __future__ import annotations

import logging
import signal
import sys
import time
from datetime import datetime
from types import FrameType
from typing import Any

from django.db import OperationalError, close_old_connections
from django.utils import timezone

from clientela.crm.jobs import attempts, runner, schedules

log = logging.getLogger(__name__)

HOUSEKEEPING_EVERY = 5.0  # seconds between looks for lost jobs and due schedules


def start_checks() -> None:
    """What a starting worker (or ``clientela score``) repairs first: model runs left
    "running" by a killed scoring process are marked failed (issue 20 F18)."""
    from clientela.crm.scoring.actions import fail_interrupted_runs

    fail_interrupted_runs(None)


class JobWorker:
    def __init__(self, *, worker_id: str, interval: float = 1.0, burst: bool = False,
                 housekeeping: bool = True, manage_connections: bool = True) -> None:
        from django_tasks_db.management.commands.db_worker import Worker

        self.worker_id = worker_id
        self.interval = interval
        self.burst = burst
        self.housekeeping = housekeeping
        # Close expired or broken database connections between tasks, as Django does
        # between requests (off in a test that runs the loop inside its transaction).
        self.manage_connections = manage_connections
        self.running = True
        self._last_housekeeping = 0.0
        self._inner = Worker(
            queue_names=["*"], interval=interval, batch=burst, backend_name="default",
            startup_delay=False, max_tasks=None, worker_id=worker_id, excluded_queue_names=[],
        )
        runner.worker_id = worker_id

    # Signals -----------------------------------------------------------------
    def _stop(self, signum: int, frame: FrameType | None) -> None:
        if not self.running:
            sys.exit(1)  # asked twice: stop now
        log.warning("worker %s: stopping after the current step", self.worker_id)
        self.running = False
        runner.stopping.set()

    def install_signals(self) -> None:
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)

    # Loop --------------------------------------------------------------------
    def do_housekeeping(self, now: datetime | None = None) -> None:
        now = now or timezone.now()
        lost = attempts.recover_lost_jobs(now)
        if lost:
            log.warning("worker %s: jobs %s lost their worker; retrying", self.worker_id, lost)
        schedules.tick(now)

    def next_task(self) -> Any:
        from django_tasks_db.models import DBTaskResult
        from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

        tasks = DBTaskResult.objects.ready().filter(backend_name="default")
        try:
            with exclusive_transaction(tasks.db):
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
                return task_result
        except OperationalError as exc:
            if is_locked_database_exception(exc):
                return None
            raise

    def run(self) -> int:
        """Run until stopped (or, with ``burst``, until no task is ready); the tasks run."""
        log.info("worker %s started", self.worker_id)
        start_checks()
        ran = 0
        while self.running and not runner.stopping.is_set():
            if self.manage_connections:
                close_old_connections()
            if self.housekeeping and time.monotonic() - self._last_housekeeping >= HOUSEKEEPING_EVERY:
                self._last_housekeeping = time.monotonic()
                self.do_housekeeping()
            task_result = self.next_task()
            if task_result is not None:
                self._inner.run_task(task_result)
                ran += 1
                continue
            if self.burst:
                break
            time.sleep(self.interval)
        if self.manage_connections:
            close_old_connections()
        return ran
