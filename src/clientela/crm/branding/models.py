"""One row: the company as its customers see it."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models

DEFAULT_COLOUR = "#1f4e79"
colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Give the colour as #RRGGBB, for example #1f4e79.")


class CompanyProfile(models.Model):
    """The name, accent colour and logo shown on the public pages. A single row (pk 1),
    written only by ``branding.actions.save_profile``; the logo's bytes are kept in the
    database so that every web process serves the same file without shared storage."""

    name = models.CharField(max_length=200, blank=True)
    colour = models.CharField(max_length=7, default=DEFAULT_COLOUR, validators=[colour_validator])
    logo = models.BinaryField(blank=True, default=b"", editable=False)
    logo_type = models.CharField(max_length=20, blank=True, editable=False)
    logo_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "company profile"
        verbose_name_plural = "company profile"

    def __str__(self) -> str:
        return self.name or "Company profile"
