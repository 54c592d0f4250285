"""Users, their roles and teams."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
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


class User(AbstractUser):
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.READ_ONLY)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
