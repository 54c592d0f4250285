"""Read-only admin pages for the planted truth, so a demo user can see what was planted."""

from __future__ import annotations

from django.contrib import admin

from clientela.crm.admin_bases import RecordAdmin
from clientela.demo.models import CustomerTruth, DemoFact, PlantedTrait


class ReadOnly(RecordAdmin):
    """The demo's answer key: written by the demo builder, only read here."""


@admin.register(DemoFact)
class DemoFactAdmin(ReadOnly):
    list_display = ("key",)
    search_fields = ("key",)


@admin.register(PlantedTrait)
class PlantedTraitAdmin(ReadOnly):
    list_display = ("party", "trait", "detail")
    list_filter = ("trait",)
    search_fields = ("party__ref__fold__contains", "party__name__fold__contains")
    list_select_related = ("party",)


@admin.register(CustomerTruth)
class CustomerTruthAdmin(ReadOnly):
    list_display = ("party", "purchase_rate_per_day", "dropout_probability", "alive_at_end", "orders",
                    "revenue", "cost_to_serve", "net_contribution")
    list_filter = ("alive_at_end",)
    search_fields = ("party__ref__fold__contains", "party__name__fold__contains")
    list_select_related = ("party",)
    show_full_result_count = False
