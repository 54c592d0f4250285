"""Playbook action costs in the admin: configuration, one row, saved through
``crm.configuration`` (audited). Playbooks themselves are built in the app."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from clientela.crm.admin_bases import ConfigurationAdmin
from clientela.crm.playbooks.models import ActionCosts


@admin.register(ActionCosts)
class ActionCostsAdmin(ConfigurationAdmin):
    list_display = (
        "__str__",
        "email",
        "sms",
        "task_minutes",
        "hourly_cost",
        "point_value",
        "case",
        "webhook",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not ActionCosts.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.pk = 1  # the one row the playbooks read
        super().save_model(request, obj, form, change)
