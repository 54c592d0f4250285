"""/products, /orders (with their lines)."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from clientela.api.conditional import (
    change_if_match,
    delete_if_match,
    require_if_match_present,
)
from clientela.api.fields import MAX_ID, PathId, Text, Timestamp
from clientela.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, page_of
from clientela.api.patching import patch_values
from clientela.api.responses import answers, created, no_content, with_etag
from clientela.api.schemas.commerce import (
    OrderCreate,
    OrderLineOut,
    OrderOut,
    OrderStatusValue,
    OrderUpdate,
    ProductCreate,
    ProductOut,
    ProductUpdate,
)
from clientela.crm.accounts.permissions import require, visible_values
from clientela.crm.commerce import access, actions, queries
from clientela.crm.commerce.models import Order, Product
from clientela.crm.parties.access import access_party_for_child

router = Router(tags=["products"])



def _product_out(user: Any, product: Product) -> ProductOut:
    margin = product.margin_rate
    return ProductOut(**visible_values(user, "product", {
        "id": product.pk, "sku": product.sku, "name": product.name, "category": product.category,
        "list_price": product.list_price, "unit_cost": product.unit_cost,
        "margin_rate": round(margin, 4) if margin is not None else None,
        "currency": product.currency, "is_active": product.is_active,
    }))


def _order_out(user: Any, order: Order) -> OrderOut:
    return OrderOut(**visible_values(user, "order", {
        "id": order.pk, "ref": order.ref, "party_id": order.party_id, "ordered_at": order.ordered_at,
        "channel": order.channel, "currency": order.currency, "status": order.status,
        "total_amount": order.total_amount, "total_cost": order.total_cost,
        "lines": [
            OrderLineOut(**visible_values(user, "order_line", {
                "line_no": line.line_no, "product_id": line.product_id, "quantity": line.quantity,
                "unit_price": line.unit_price, "discount": line.discount,
                "unit_cost": line.unit_cost, "net_amount": line.net_amount,
            }))
            for line in order.lines.all()
        ],
    }))


# -- products ------------------------------------------------------------------------
@router.get("/products", response=answers(200, Page[ProductOut]))
def list_products(
    request: HttpRequest,
    q: Text(100) | None = None,  # type: ignore[valid-type]
    category: Text(100) | None = None,  # type: ignore[valid-type]
    is_active: bool | None = None,
    ordering: Literal["sku", "-sku", "name", "-name"] = "sku",
    cursor: Text(1000) | None = None,  # type: ignore[valid-type]
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),  # noqa: B008
) -> Page[ProductOut]:
    """The product catalogue, searchable by SKU or name, filtered by category and activity.
    ``unit_cost`` and ``margin_rate`` are null for roles that may not see cost or margin."""
    require(request.auth, "product")
    qs = queries.list_products(request.auth, q=q, category=category, is_active=is_active)
    return page_of(
        Page[ProductOut], qs, lambda p: _product_out(request.auth, p),
        ordering=ordering, allowed=("sku", "name"), cursor=cursor, limit=limit,
    )


@router.post("/products", response=answers(201, ProductOut))
def create_product(request: HttpRequest, response: HttpResponse, payload: ProductCreate) -> Status[ProductOut]:
    """Add a product (SKU unique: 409 when taken). Needs the create right on products."""
    access.check_product_create(request.auth)
    return created(response, _product_out(request.auth, actions.create_product(request.auth, payload.model_dump())), "/api/v1/products")


@router.get("/products/{product_id}", response=answers(200, ProductOut))
def get_product(request: HttpRequest, response: HttpResponse, product_id: PathId) -> ProductOut:
    """One product with its ``ETag``; cost and margin hidden from roles that may not see them."""
    return with_etag(response, _product_out(request.auth, access.access_product_by_id(request.auth, product_id)))


@router.patch("/products/{product_id}", response=answers(200, ProductOut))
def update_product(
    request: HttpRequest, response: HttpResponse, product_id: PathId, payload: ProductUpdate
) -> ProductOut:
    """Change some fields of a product; ``If-Match`` with the ``ETag`` you read (412 when stale)."""
    return with_etag(response, change_if_match(
        request,
        lambda op: access.access_product_by_id(request.auth, product_id, op=op),
        lambda product: _product_out(request.auth, product),
        lambda product: actions.update_product(request.auth, product, patch_values(payload)),
    ))


@router.delete("/products/{product_id}", response=no_content())
def delete_product(request: HttpRequest, product_id: PathId) -> Status[None]:
    """Delete a product that no order uses (409 otherwise: deactivate it with ``is_active=false``)."""
    return delete_if_match(
        request,
        lambda op: access.access_product_by_id(request.auth, product_id, op=op),
        lambda product: _product_out(request.auth, product),
        lambda product: actions.delete_product(request.auth, product),
    )


# -- orders --------------------------------------------------------------------------
@router.get("/orders", response=answers(200, Page[OrderOut]), tags=["orders"])
def list_orders(
    request: HttpRequest,
    party_id: int | None = Query(None, ge=1, le=MAX_ID),  # noqa: B008
    status: OrderStatusValue | None = None,
    ordered_from: Timestamp | None = None,
    ordered_to: Timestamp | None = None,
    ordering: Literal["ordered_at", "-ordered_at", "ref", "-ref"] = "-ordered_at",
    cursor: Text(1000) | None = None,  # type: ignore[valid-type]
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),  # noqa: B008
) -> Page[OrderOut]:
    """Orders of the parties you may see, by party, status and order date; lines included, costs
    hidden from roles that may not see them."""
    require(request.auth, "order")
    qs = queries.list_orders(
        request.auth, party_id=party_id, status=status, ordered_from=ordered_from, ordered_to=ordered_to
    )
    return page_of(
        Page[OrderOut], qs, lambda o: _order_out(request.auth, o),
        ordering=ordering, allowed=("ordered_at", "ref"), cursor=cursor, limit=limit,
    )


@router.post("/orders", response=answers(201, OrderOut), tags=["orders"])
def create_order(request: HttpRequest, response: HttpResponse, payload: OrderCreate) -> Status[OrderOut]:
    """Create an order with its lines; totals are computed from the lines."""
    values = payload.model_dump()
    party = access_party_for_child(request.auth, values.pop("party_id"), entity="order", op="create")
    lines = [{k: v for k, v in line.items() if v is not None} for line in values.pop("lines")]
    order = actions.create_order(request.auth, party, values, lines)
    return created(response, _order_out(request.auth, order), "/api/v1/orders")


@router.get("/orders/{order_id}", response=answers(200, OrderOut), tags=["orders"])
def get_order(request: HttpRequest, response: HttpResponse, order_id: PathId) -> OrderOut:
    """One order with its lines and ``ETag``; 404 when its party is outside your scope."""
    return with_etag(response, _order_out(request.auth, access.access_order_by_id(request.auth, order_id)))


@router.patch("/orders/{order_id}", response=answers(200, OrderOut), tags=["orders"])
def update_order(
    request: HttpRequest, response: HttpResponse, order_id: PathId, payload: OrderUpdate
) -> OrderOut:
    """Change the header; ``lines``, when sent, replace all lines (totals recomputed)."""
    require_if_match_present(request)
    values = patch_values(payload)
    lines = values.pop("lines", None)
    if lines is not None:
        lines = [{k: v for k, v in line.items() if v is not None} for line in lines]
    return with_etag(response, change_if_match(
        request,
        lambda op: access.access_order_by_id(request.auth, order_id, op=op),
        lambda order: _order_out(request.auth, order),
        lambda order: actions.update_order(request.auth, order, values, lines),
    ))


@router.delete("/orders/{order_id}", response=no_content(), tags=["orders"])
def delete_order(request: HttpRequest, order_id: PathId) -> Status[None]:
    """Delete an order and its lines (``If-Match`` required); audited."""
    return delete_if_match(
        request,
        lambda op: access.access_order_by_id(request.auth, order_id, op=op),
        lambda order: _order_out(request.auth, order),
        lambda order: actions.delete_order(request.auth, order),
    )
