"""Run a queued job in this process (the CLI's way of sending or erasing now): the same
task the worker would run, claimed the same way, so the job is recorded, retried and shown
on the jobs page like any other. When a worker took the task first, the caller follows it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db import OperationalError

from clientela.crm.jobs.models import ACTIVE_STATUSES, Job


def run_here(job: Job, *, worker_id: str = "cli") -> bool:
    """Claim and run the ready task of ``job``'s next attempt in this process; False when
    there is none (a worker has it, or it waits for its retry time)."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

    from clientela.crm.jobs import runner

    job.refresh_from_db()
    tasks = DBTaskResult.objects.ready().filter(
        backend_name="default", args_kwargs__args=[job.pk, job.attempts + 1])
    try:
        with exclusive_transaction(tasks.db):
            task_result = tasks.get_locked()
            if task_result is None:
                return False
            task_result.claim(worker_id)
    except OperationalError as exc:
        if is_locked_database_exception(exc):
            return False
        raise
    runner.worker_id = worker_id
    Worker(queue_names=["*"], interval=1.0, batch=True, backend_name="default", startup_delay=False,
           max_tasks=None, worker_id=worker_id, excluded_queue_names=[]).run_task(task_result)
    return True


def run_or_follow(job: Job, *, on_progress: Callable[[int, int | None], None] | None = None,
                  poll: float = 0.5, run: bool = True) -> Job:
    """Run ``job`` here (``run``) — again when a retry of it is due — or follow the worker
    running it, until it has ended; ``on_progress(done, total)`` as it goes."""
    from clientela.crm.jobs import runner

    def listen(job_id: int, done: int, total: int | None) -> None:
        if job_id == job.pk and on_progress is not None:
            on_progress(done, total)

    while True:
        job.refresh_from_db()
        if job.status not in ACTIVE_STATUSES:
            return job
        if run:
            runner.progress_listener = listen
            try:
                ran = run_here(job)
            finally:
                runner.progress_listener = None
            if ran:
                continue
        if on_progress is not None:
            on_progress(job.progress_done, job.progress_total)
        time.sleep(poll)
