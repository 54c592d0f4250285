"""The one django-tasks task: run one attempt of a ``Job`` (``jobs.runner.run_attempt``).

Every kind of job goes through this task, so the queue (django-tasks' database backend)
only ever stores a job id and an attempt number; what to run, with which parameters, is
in the ``Job`` row. Importable without side effects: the worker imports it by path.
"""

from __future__ import annotations

from typing import Any

from django_tasks import TaskContext, task


@task(takes_context=True)
def run_job(context: TaskContext, job_id: int, attempt: int) -> dict[str, Any]:
    from clientela.crm.jobs.runner import run_attempt

    return run_attempt(job_id, attempt, task_id=str(context.task_result.id))
