"""Notifications are derived data and users' own choices: read-only in the admin."""

from typing import Any

from django.contrib import admin

from clientela.crm.notifications.models import DigestPreference, Notification


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(_ReadOnly):
    list_display = ("user", "kind", "key", "created_at", "read_at")
    list_filter = ("kind",)
    list_select_related = ("user",)
    show_full_result_count = False


@admin.register(DigestPreference)
class DigestPreferenceAdmin(_ReadOnly):
    list_display = ("user", "email_digest", "language", "last_sent_on")
    list_select_related = ("user",)
