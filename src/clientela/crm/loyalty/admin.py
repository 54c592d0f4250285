from django.contrib import admin

from clientela.crm.loyalty.models import (
    LoyaltyAccount,
    PointsEntry,
    Programme,
    Redemption,
    Referral,
    Tier,
)


class TierInline(admin.TabularInline):
    model = Tier
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("name", "currency", "points_per_unit", "tier_basis", "referral_points", "is_active")
    list_filter = ("is_active", "tier_basis", "currency")
    search_fields = ("name",)
    inlines = [TierInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Ledger rows are written by loyalty.actions only."""

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class EntryInline(admin.TabularInline):
    model = PointsEntry
    extra = 0
    fields = ("occurred_at", "kind", "points", "balance_after", "reason")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(LoyaltyAccount)
class LoyaltyAccountAdmin(ReadOnlyAdmin):
    list_display = ("party", "programme", "balance", "lifetime_points", "lifetime_spend", "opened_at")
    list_filter = ("programme",)
    search_fields = ("party__name__fold__contains", "party__ref__fold__contains")
    list_select_related = ("party", "programme")
    show_full_result_count = False
    inlines = [EntryInline]


@admin.register(PointsEntry)
class PointsEntryAdmin(ReadOnlyAdmin):
    list_display = ("occurred_at", "account", "kind", "points", "balance_after", "reason")
    list_filter = ("kind", "account__programme")
    search_fields = ("account__party__name__fold__contains", "account__party__ref__fold__contains", "reason")
    date_hierarchy = "occurred_at"
    list_select_related = ("account", "account__party")
    show_full_result_count = False


@admin.register(Redemption)
class RedemptionAdmin(ReadOnlyAdmin):
    list_display = ("redeemed_at", "account", "reward", "points")
    search_fields = ("reward", "account__party__name__fold__contains")
    list_select_related = ("account",)


@admin.register(Referral)
class ReferralAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "programme", "referrer", "referred", "rewarded_points")
    list_filter = ("programme",)
    search_fields = ("referrer__name__fold__contains", "referred__name__fold__contains")
    list_select_related = ("programme", "referrer", "referred")
