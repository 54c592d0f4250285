"""Fetch products and orders for a user, or refuse.

Products have no owner: the role's operations decide. Orders belong to a party and are
visible when their party is.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from clientela.crm.accounts.permissions import Op, can, first_or_refuse, require, scope_queryset
from clientela.crm.commerce.models import Order, Product


def visible_products(user: Any) -> QuerySet[Product]:
    return Product.objects.all() if can(user, "product", "view") else Product.objects.none()


def check_product_create(user: Any) -> None:
    require(user, "product", "create")


def access_product_by_id(user: Any, product_id: int, *, op: Op = "view") -> Product:
    return first_or_refuse(user, visible_products(user), product_id, entity="product", op=op)


def visible_orders(user: Any) -> QuerySet[Order]:
    if not can(user, "order", "view"):
        return Order.objects.none()
    return scope_queryset(user, Order.objects.all(), owner_field="party__owner", team_field="party__team")


def access_order_by_id(user: Any, order_id: int, *, op: Op = "view") -> Order:
    return first_or_refuse(user, visible_orders(user), order_id, entity="order", op=op)
