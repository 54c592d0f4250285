"""Run the queued jobs in the test's own process and transaction: the worker's loop in
``--burst`` mode (what `clientela worker --burst` does), without housekeeping."""

from __future__ import annotations


def run_jobs() -> int:
    """Run every job ready now (and the retries they queue that are due); the tasks run."""
    from clientela.crm.jobs.worker import JobWorker

    return JobWorker(worker_id="test", interval=0.05, burst=True, housekeeping=False,
                     manage_connections=False).run()
