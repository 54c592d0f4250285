from django.contrib import admin

from clientela.crm.admin_bases import RecordAdmin
from clientela.crm.engagement.models import Campaign, CampaignMember, Interaction, Segment


@admin.register(Interaction)
class InteractionAdmin(RecordAdmin):
    list_display = ("occurred_at", "party", "channel", "direction", "subject", "user", "cost")
    list_filter = ("channel", "direction")
    search_fields = ("subject", "party__name__fold__contains", "party__ref__fold__contains")
    raw_id_fields = ("party", "user")
    date_hierarchy = "occurred_at"
    list_select_related = ("party", "user")
    show_full_result_count = False


@admin.register(Campaign)
class CampaignAdmin(RecordAdmin):
    list_display = ("name", "kind", "channel", "budget", "spend", "currency", "starts_on", "ends_on")
    list_filter = ("kind", "channel")
    search_fields = ("name",)
    date_hierarchy = "starts_on"
    raw_id_fields = ("segment",)


@admin.register(CampaignMember)
class CampaignMemberAdmin(RecordAdmin):
    list_display = ("campaign", "party", "sent_at", "responded_at", "converting_order")
    list_filter = ("campaign",)
    search_fields = ("party__name__fold__contains", "party__ref__fold__contains", "campaign__name")
    raw_id_fields = ("party", "converting_order")
    list_select_related = ("campaign", "party")


@admin.register(Segment)
class SegmentAdmin(RecordAdmin):
    """Definitions are edited on the web page, which validates them."""

    list_display = ("name", "owner", "updated_at")
    search_fields = ("name",)
    raw_id_fields = ("owner",)
    readonly_fields = ("definition", "created_at", "updated_at")
