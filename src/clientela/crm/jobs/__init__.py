"""Background jobs and schedules: the records of work the worker runs (``clientela worker``).

The queue itself is django-tasks with its database backend (``django_tasks_db``): a
``Job`` here is what an administrator follows on the jobs page — kind, progress, attempts,
the last error — and what makes a job retried with backoff and taken up again when the
worker running it died (its heartbeat stopped).
"""
