from django.contrib import admin

from clientela.crm.admin_bases import RecordAdmin
from clientela.crm.scoring.models import CustomerScore, ModelRun


@admin.register(ModelRun)
class ModelRunAdmin(RecordAdmin):
    list_display = ("id", "started_at", "status", "is_current", "model_name", "customers", "transactions")
    list_filter = ("status", "model_name", "is_current")
    readonly_fields = [f.name for f in ModelRun._meta.fields]


@admin.register(CustomerScore)
class CustomerScoreAdmin(RecordAdmin):
    list_display = (
        "party", "run", "clv", "p_alive", "churn_risk", "rfm_segment", "ladder_stage",
        "net_contribution", "next_best_action",
    )
    list_filter = ("run", "rfm_segment", "ladder_stage", "next_best_action", "unprofitable")
    search_fields = ("party__name__fold__contains", "party__ref__fold__contains")
    raw_id_fields = ("party", "run")
    list_select_related = ("party", "run")
    show_full_result_count = False
    readonly_fields = [f.name for f in CustomerScore._meta.fields]
