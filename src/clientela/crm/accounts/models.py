"""Users, their roles and teams."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Administrator"
    MANAGER = "manager", "Manager"
    SALES_REP = "sales_rep", "Sales representative"
    SERVICE_AGENT = "service_agent", "Service agent"
    MARKETER = "marketer", "Marketer"
    ANALYST = "analyst", "Analyst"
    READ_ONLY = "read_only", "Read-only"


class Team(models.Model):
    name = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ClientelaUserManager(UserManager):  # type: ignore[type-arg]
    """``createsuperuser`` makes an administrator: the role is what the app checks, and a
    superuser with another role would be a contradiction (issue 20, F1)."""

    def create_superuser(self, username: str, email: str | None = None, password: str | None = None,
                         **extra_fields: Any) -> User:
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.READ_ONLY)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )

    objects = ClientelaUserManager()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 hash of the secret is stored; the secret is
    shown once, at creation. ``prefix`` (the first characters of the token) finds the row."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=16, unique=True)
    token_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or 'unnamed'})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
