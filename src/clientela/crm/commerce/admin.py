from django.contrib import admin

from clientela.crm.commerce.models import ExchangeRate, Order, OrderLine, Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("sku", "name", "category", "list_price", "unit_cost", "currency", "is_active")
    list_filter = ("category", "currency", "is_active")
    search_fields = ("sku", "name")


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    raw_id_fields = ("product",)


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("ref", "party", "ordered_at", "channel", "status", "total_amount", "currency")
    list_filter = ("status", "channel", "currency")
    search_fields = ("ref", "party__name__fold__contains", "party__ref__fold__contains")
    raw_id_fields = ("party",)
    date_hierarchy = "ordered_at"
    list_select_related = ("party",)
    show_full_result_count = False
    inlines = [OrderLineInline]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ("date", "currency", "rate")
    list_filter = ("currency",)
    date_hierarchy = "date"
