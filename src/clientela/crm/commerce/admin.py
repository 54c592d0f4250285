from django.contrib import admin

from clientela.crm.admin_bases import ConfigurationAdmin, RecordAdmin, RecordInline
from clientela.crm.commerce.models import ExchangeRate, Order, OrderLine, Product


@admin.register(Product)
class ProductAdmin(ConfigurationAdmin):
    list_display = ("sku", "name", "category", "list_price", "unit_cost", "currency", "is_active")
    list_filter = ("category", "currency", "is_active")
    search_fields = ("sku", "name")


class OrderLineInline(RecordInline):
    model = OrderLine
    raw_id_fields = ("product",)


@admin.register(Order)
class OrderAdmin(RecordAdmin):
    list_display = ("ref", "party", "ordered_at", "channel", "status", "total_amount", "currency")
    list_filter = ("status", "channel", "currency")
    search_fields = ("ref", "party__name__fold__contains", "party__ref__fold__contains")
    raw_id_fields = ("party",)
    date_hierarchy = "ordered_at"
    list_select_related = ("party",)
    show_full_result_count = False
    inlines = [OrderLineInline]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(ConfigurationAdmin):
    list_display = ("date", "currency", "rate")
    list_filter = ("currency",)
    date_hierarchy = "date"
