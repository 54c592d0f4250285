from django.contrib import admin
from django.utils import timezone

from clientela.crm.admin_bases import RecordAdmin
from clientela.crm.service.models import Case
from clientela.crm.service.queries import breach_condition


class SlaBreachedFilter(admin.SimpleListFilter):
    title = "SLA"
    parameter_name = "sla"

    def lookups(self, request, model_admin):  # type: ignore[no-untyped-def]
        return [("breached", "Breached"), ("kept", "Kept or running")]

    def queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        condition = breach_condition(timezone.now())
        if self.value() == "breached":
            return queryset.filter(condition)
        if self.value() == "kept":
            return queryset.exclude(condition)
        return queryset


@admin.register(Case)
class CaseAdmin(RecordAdmin):
    list_display = (
        "subject",
        "party",
        "priority",
        "status",
        "opened_at",
        "sla_due_at",
        "sla_breached",
        "owner",
        "team",
    )
    list_filter = ("status", "priority", SlaBreachedFilter, "team")
    search_fields = ("subject", "party__name__fold__contains", "party__ref__fold__contains")
    raw_id_fields = ("party", "owner")
    readonly_fields = ("sla_due_at", "resolved_at", "closed_at", "version", "created_at", "updated_at")
    date_hierarchy = "opened_at"
    list_select_related = ("party", "owner", "team")
    show_full_result_count = False

    @admin.display(boolean=True, description="SLA breached")
    def sla_breached(self, obj: Case) -> bool:
        return obj.sla_breached()
