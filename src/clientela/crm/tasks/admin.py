from django.contrib import admin

from clientela.crm.admin_bases import RecordAdmin
from clientela.crm.tasks.models import Task


@admin.register(Task)
class TaskAdmin(RecordAdmin):
    list_display = ("title", "status", "due_on", "assignee", "party", "deal", "case")
    list_filter = ("status", "assignee")
    search_fields = ("title", "party__name__fold__contains", "deal__name", "case__subject")
    raw_id_fields = ("assignee", "created_by", "party", "deal", "case")
    readonly_fields = ("completed_at", "version", "created_at", "updated_at")
    date_hierarchy = "due_on"
    list_select_related = ("assignee", "party", "deal", "case")
    show_full_result_count = False
