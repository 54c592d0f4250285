from django.contrib import admin

from clientela.crm.admin_bases import ConfigurationAdmin, RecordAdmin
from clientela.crm.feedback.models import Survey, SurveyInvitation, SurveyResponse


@admin.register(Survey)
class SurveyAdmin(ConfigurationAdmin):
    list_display = ("name", "kind", "question", "is_active", "created_at")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "question")


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(RecordAdmin):
    list_display = ("survey", "party", "send_status", "sent_at", "answered_at", "created_at")
    list_filter = ("survey", "send_status")
    search_fields = ("party__name__fold__contains", "party__ref__fold__contains", "survey__name")
    raw_id_fields = ("party",)
    readonly_fields = ("nonce", "send_status", "send_reason", "sent_at", "answered_at", "created_at")
    list_select_related = ("survey", "party")
    show_full_result_count = False


@admin.register(SurveyResponse)
class SurveyResponseAdmin(RecordAdmin):
    list_display = ("survey", "party", "score", "answered_at")
    list_filter = ("survey", "kind")
    search_fields = ("party__name__fold__contains", "party__ref__fold__contains", "comment")
    raw_id_fields = ("party", "invitation")
    date_hierarchy = "answered_at"
    list_select_related = ("survey", "party")
    show_full_result_count = False
