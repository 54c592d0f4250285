from django.contrib import admin

from clientela.crm.admin_bases import ConfigurationAdmin, RecordAdmin, RecordInline
from clientela.crm.sales.models import Deal, DealStageChange, Pipeline, Stage


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0
    fields = ("order", "name", "win_probability", "is_won", "is_lost")


@admin.register(Pipeline)
class PipelineAdmin(ConfigurationAdmin):
    list_display = ("name", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name",)
    inlines = [StageInline]


class StageChangeInline(RecordInline):
    model = DealStageChange
    fields = ("changed_at", "from_stage", "to_stage", "changed_by")
    readonly_fields = fields


@admin.register(Deal)
class DealAdmin(RecordAdmin):
    list_display = (
        "name",
        "party",
        "pipeline",
        "stage",
        "status",
        "amount",
        "currency",
        "expected_close",
        "owner",
        "team",
        "closed_at",
    )
    list_filter = ("status", "pipeline", "stage", "currency", "team")
    search_fields = ("name", "party__name__fold__contains", "party__ref__fold__contains")
    raw_id_fields = ("party", "owner")
    readonly_fields = ("status", "closed_at", "version", "created_at", "updated_at")
    date_hierarchy = "expected_close"
    list_select_related = ("party", "pipeline", "stage", "owner", "team")
    show_full_result_count = False
    inlines = [StageChangeInline]
