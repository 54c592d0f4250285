"""Products, orders and exchange rates. Money is Decimal with a currency code."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q

from clientela.crm.vocabularies.validators import InVocabulary

MONEY = {"max_digits": 14, "decimal_places": 2}
UNIT_MONEY = {"max_digits": 14, "decimal_places": 4}


class Product(models.Model):
    sku = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=100, blank=True)
    list_price = models.DecimalField(**UNIT_MONEY, default=Decimal("0"))
    unit_cost = models.DecimalField(**UNIT_MONEY, default=Decimal("0"))
    currency = models.CharField(max_length=3, default="PLN")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["sku"]
        indexes = [models.Index(fields=["category"])]
        constraints = [
            models.CheckConstraint(condition=Q(list_price__gte=0), name="product_price_nonneg"),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="product_cost_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"

    @property
    def margin_rate(self) -> Decimal | None:
        if not self.list_price:
            return None
        return (self.list_price - self.unit_cost) / self.list_price


class SalesChannel(models.TextChoices):
    WEB = "web", "Online shop"
    STORE = "store", "Store"
    PHONE = "phone", "Phone"
    SALES_REP = "sales_rep", "Sales representative"
    MARKETPLACE = "marketplace", "Marketplace"
    PARTNER = "partner", "Partner"


class OrderStatus(models.TextChoices):
    PLACED = "placed", "Placed"
    PAID = "paid", "Paid"
    SHIPPED = "shipped", "Shipped"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    RETURNED = "returned", "Returned"


class Order(models.Model):
    ref = models.CharField(max_length=64, unique=True)
    # No index of its own: (party, ordered_at) below serves lookups by party.
    party = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="orders", db_index=False
    )
    ordered_at = models.DateTimeField()
    # A word of the company's sales channels (crm/vocabularies; SalesChannel are the defaults).
    channel = models.CharField(max_length=20, default=SalesChannel.WEB, validators=[InVocabulary("sales_channels")])
    currency = models.CharField(max_length=3, default="PLN")
    status = models.CharField(
        max_length=10, choices=OrderStatus.choices, default=OrderStatus.COMPLETED
    )
    returned_at = models.DateTimeField(null=True, blank=True, help_text="When a returned order came back")
    # Denormalised sums of the lines (net of discounts), kept by commerce.actions,
    # so analytics over millions of orders need not touch the lines.
    total_amount = models.DecimalField(**MONEY, default=Decimal("0"))
    total_cost = models.DecimalField(**MONEY, default=Decimal("0"))

    class Meta:
        ordering = ["-ordered_at"]
        indexes = [
            models.Index(fields=["party", "ordered_at"]),
            models.Index(fields=["ordered_at"]),
        ]

    def __str__(self) -> str:
        return self.ref


class OrderLine(models.Model):
    """One product on an order. ``discount`` is a money amount off the whole line."""

    # No index of its own: the unique (order, line_no) serves lookups by order.
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines", db_index=False)
    line_no = models.PositiveIntegerField(default=1)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="order_lines")
    quantity = models.IntegerField()
    unit_price = models.DecimalField(**UNIT_MONEY)
    discount = models.DecimalField(**UNIT_MONEY, default=Decimal("0"))
    unit_cost = models.DecimalField(**UNIT_MONEY, default=Decimal("0"))

    class Meta:
        ordering = ["order", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="orderline_unique_no"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orderline_qty_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="orderline_price_nonneg"),
            models.CheckConstraint(condition=Q(discount__gte=0), name="orderline_discount_nonneg"),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="orderline_cost_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.line_no}"

    @property
    def net_amount(self) -> Decimal:
        return self.quantity * self.unit_price - self.discount


class ExchangeRate(models.Model):
    """How many units of the base currency one unit of ``currency`` bought on ``date``."""

    date = models.DateField()
    currency = models.CharField(max_length=3)
    rate = models.DecimalField(max_digits=18, decimal_places=8)

    class Meta:
        ordering = ["-date", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["date", "currency"], name="rate_unique_per_day"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.currency} {self.rate}"
