from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from clientela.crm.admin_bases import RecordAdmin
from clientela.crm.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(RecordAdmin):
    """Read-only: admins read the trail, nobody edits it."""

    list_display = ("at", "actor_name", "action", "entity", "object_id", "field", "old", "new")
    list_filter = ("action", "entity")
    search_fields = ("entity", "object_id", "actor_name", "field")
    date_hierarchy = "at"
    show_full_result_count = False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(getattr(request.user, "role", None) == "admin" or request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)
