"""Files uploaded to the import wizard, the mappings it remembers per source.

A ``FileImport`` is written only by ``imports.actions`` and the import job
(``imports.jobs``). Its ``data`` holds the uploaded bytes until the import has run (then it
is emptied: the rows are in the record); its ``journal`` what the import created and what
it changed, compressed, so that it can be undone.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ImportStatus(models.TextChoices):
    DRAFT = "draft", "Being prepared"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    IMPORTED = "imported", "Imported"
    FAILED = "failed", "Failed"
    UNDONE = "undone", "Undone"


class FileImport(models.Model):
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    file_name = models.CharField(max_length=255)
    file_size = models.BigIntegerField(default=0)
    file_format = models.CharField(max_length=8, help_text="csv or xlsx")
    sha256 = models.CharField(max_length=64)
    data = models.BinaryField(default=b"", help_text="The uploaded bytes, emptied once imported")
    kind = models.CharField(max_length=20, help_text="A transfer.columns.Kind")
    recipe = models.CharField(max_length=20, blank=True, help_text="A key of imports.recipes.RECIPES")
    encoding = models.CharField(max_length=12, blank=True)
    delimiter = models.CharField(max_length=2, blank=True)
    mapping = models.JSONField(default=dict, help_text="File column → field, or - to skip it")
    create_missing = models.BooleanField(default=False)
    accept_formulas = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.DRAFT)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    counts = models.JSONField(default=dict, blank=True, help_text="Per kind: rows, created, updated, …")
    errors = models.JSONField(default=list, blank=True, help_text="Bad rows the job found: line, column, reason")
    error_total = models.PositiveIntegerField(default=0)
    problem = models.CharField(max_length=500, blank=True, help_text="Why the file could not be imported")
    journal = models.BinaryField(null=True, blank=True, help_text="zlib-compressed JSON, see journal.py")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "-finished_at"])]

    def __str__(self) -> str:
        return f"Import {self.pk} {self.file_name} {self.status}"


class SavedMapping(models.Model):
    """The mapping last used for files with this header (``signature``): the next file
    from the same source is mapped the same way."""

    signature = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=20)
    mapping = models.JSONField(default=dict)
    encoding = models.CharField(max_length=12, blank=True)
    delimiter = models.CharField(max_length=2, blank=True)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.kind} mapping {self.signature[:8]}"
