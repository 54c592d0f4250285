"""A requested export and its file, kept in the database (gzip-compressed chunks), so the
worker that writes it and the web process that serves it need share nothing but the
database. Only ``exports.actions`` and the ``export.csv`` job write them."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ExportStatus(models.TextChoices):
    PENDING = "pending", "Being written"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class ExportFile(models.Model):
    kind = models.CharField(max_length=40, help_text="A key of exports.sources.SOURCES")
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(help_text="Deleted by the purge-exports schedule after this")
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)
    size = models.PositiveBigIntegerField(default=0, help_text="Bytes of CSV (uncompressed)")
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_by", "created_at"]), models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"{self.kind} export {self.pk}"

    @property
    def file_name(self) -> str:
        return f"clientela-{self.kind}-{self.created_at:%Y%m%d-%H%M}.csv"


class ExportChunk(models.Model):
    """One piece (at most ``storage.CHUNK_BYTES`` compressed) of an export's gzip stream."""

    export = models.ForeignKey(ExportFile, on_delete=models.CASCADE, related_name="chunks")
    seq = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["export", "seq"], name="export_chunk_seq")]
