"""Jobs, their schedules' state, and leases (one holder of a named piece of work at a time).

A ``Job`` is written only by ``jobs.actions`` and ``jobs.runner``; its ``history`` keeps one
entry per attempt (when it started and ended, and how), so a retry stays visible after the
job succeeds. Nothing personal is stored: labels and errors name ids and error types.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    RETRYING = "retrying", "Waiting to retry"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


ACTIVE_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.RETRYING)


class Job(models.Model):
    kind = models.CharField(max_length=40, help_text="A key of jobs.registry.KINDS")
    label = models.CharField(max_length=200, help_text="What the job does (ids, no personal data)")
    subject = models.CharField(max_length=60, blank=True, help_text="The record it works on, e.g. campaign:12")
    schedule = models.CharField(max_length=60, blank=True, help_text="The schedule that started it")
    params = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=5)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    history = models.JSONField(default=list, help_text="One entry per attempt")
    result = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    run_after = models.DateTimeField(help_text="Not run before this time (retries back off)")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    worker_id = models.CharField(max_length=64, blank=True)
    task_id = models.CharField(max_length=64, blank=True, help_text="The queue's task of this attempt")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "heartbeat_at"]),
            models.Index(fields=["subject", "status"]),
            models.Index(fields=["schedule", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"Job {self.pk} {self.kind} {self.status}"


class ScheduleState(models.Model):
    """When a schedule of ``jobs.schedules.SCHEDULES`` runs next; moved forward by one
    conditional UPDATE, so of several workers exactly one starts each run."""

    name = models.CharField(max_length=60, unique=True)
    timing = models.CharField(max_length=60, help_text="The timing next_run_at was computed for")
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return self.name


class Lease(models.Model):
    """A named piece of work held by one process until ``expires_at`` (renewed while it
    runs): a holder that was killed lets it expire, and the next one knows it died."""

    name = models.CharField(max_length=60, unique=True)
    holder = models.CharField(max_length=100)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name
