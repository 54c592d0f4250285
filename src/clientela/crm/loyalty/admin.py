from django.contrib import admin

from clientela.crm.admin_bases import ConfigurationAdmin, RecordAdmin, RecordInline
from clientela.crm.loyalty import models as loyalty


class TierInline(admin.TabularInline):
    model = loyalty.Tier
    extra = 0


@admin.register(loyalty.Programme)
class ProgrammeAdmin(ConfigurationAdmin):
    list_display = ("name", "currency", "points_per_unit", "tier_basis", "referral_points", "is_active")
    list_filter = ("is_active", "tier_basis", "currency")
    search_fields = ("name",)
    inlines = [TierInline]


class EntryInline(RecordInline):
    """Ledger rows are written by loyalty.actions only."""

    model = loyalty.PointsEntry
    fields = ("occurred_at", "kind", "points", "balance_after", "reason")
    readonly_fields = fields


@admin.register(loyalty.LoyaltyAccount)
class LoyaltyAccountAdmin(RecordAdmin):
    list_display = ("party", "programme", "balance", "lifetime_points", "lifetime_spend", "opened_at")
    list_filter = ("programme",)
    search_fields = ("party__name__fold__contains", "party__ref__fold__contains")
    list_select_related = ("party", "programme")
    show_full_result_count = False
    inlines = [EntryInline]


@admin.register(loyalty.PointsEntry)
class PointsEntryAdmin(RecordAdmin):
    list_display = ("occurred_at", "account", "kind", "points", "balance_after", "reason")
    list_filter = ("kind", "account__programme")
    search_fields = ("account__party__name__fold__contains", "account__party__ref__fold__contains", "reason")
    date_hierarchy = "occurred_at"
    list_select_related = ("account", "account__party")
    show_full_result_count = False


@admin.register(loyalty.Redemption)
class RedemptionAdmin(RecordAdmin):
    list_display = ("redeemed_at", "account", "reward", "points")
    search_fields = ("reward", "account__party__name__fold__contains")
    list_select_related = ("account",)


@admin.register(loyalty.Referral)
class ReferralAdmin(RecordAdmin):
    list_display = ("created_at", "programme", "referrer", "referred", "rewarded_points")
    list_filter = ("programme",)
    search_fields = ("referrer__name__fold__contains", "referred__name__fold__contains")
    list_select_related = ("programme", "referrer", "referred")
