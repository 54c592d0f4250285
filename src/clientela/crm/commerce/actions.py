"""Every write to products and orders; order changes are audited.

An order's ``total_amount`` and ``total_cost`` are the sums of its lines (net of
discounts), recomputed here whenever the lines change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from clientela.crm.audit.actions import created, deleted, diff, field_values, record_change
from clientela.crm.commerce.models import Order, OrderLine, Product
from clientela.crm.errors import Conflict, InvalidInput
from clientela.crm.parties.models import Party
from clientela.crm.validation import only_fields, validate_instance
from clientela.crm.webhooks.events import emit, order_payload

PRODUCT_FIELDS = ("sku", "name", "category", "list_price", "unit_cost", "currency", "is_active")
ORDER_FIELDS = ("ref", "ordered_at", "channel", "currency", "status")
LINE_FIELDS = ("product_id", "quantity", "unit_price", "discount", "unit_cost")


def _save_product(product: Product) -> Product:
    """Validate and save; a taken SKU is a ``Conflict`` (409) naming it."""
    validate_instance(product)
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError:
        raise Conflict(f"sku: a product {product.sku!r} already exists") from None
    product.refresh_from_db()
    return product


@transaction.atomic
def create_product(actor: Any, data: Mapping[str, Any]) -> Product:
    return _save_product(Product(**only_fields(data, PRODUCT_FIELDS)))


@transaction.atomic
def update_product(actor: Any, product: Product, changes: Mapping[str, Any]) -> Product:
    for name, value in only_fields(changes, PRODUCT_FIELDS).items():
        setattr(product, name, value)
    return _save_product(product)


@transaction.atomic
def delete_product(actor: Any, product: Product) -> None:
    try:
        with transaction.atomic():
            product.delete()
    except ProtectedError:
        raise Conflict("product is on orders; deactivate it instead (is_active=false)") from None


def recompute_totals(order: Order) -> Order:
    """Set the order's totals to the sums of its lines and save them."""
    amount, cost = Decimal("0"), Decimal("0")
    for line in order.lines.all():
        amount += line.quantity * line.unit_price - line.discount
        cost += line.quantity * line.unit_cost
    order.total_amount = amount.quantize(Decimal("0.01"))
    order.total_cost = cost.quantize(Decimal("0.01"))
    Order.objects.filter(pk=order.pk).update(total_amount=order.total_amount, total_cost=order.total_cost)
    return order


def _lines_summary(order: Order) -> list[dict[str, str]]:
    return [
        {"product_id": str(x.product_id), "quantity": str(x.quantity), "unit_price": str(x.unit_price),
         "discount": str(x.discount)}
        for x in order.lines.all()
    ]  # fmt: skip


def _write_lines(order: Order, lines: Sequence[Mapping[str, Any]]) -> None:
    if not lines:
        raise InvalidInput({"lines": "an order needs at least one line"})
    order.lines.all().delete()
    products = Product.objects.in_bulk({line.get("product_id") for line in lines})
    rows = []
    for number, data in enumerate(lines, start=1):
        values = only_fields(data, LINE_FIELDS)
        product = products.get(values.get("product_id"))
        if product is None:
            raise InvalidInput({f"lines[{number - 1}].product_id": "no such product"})
        values.setdefault("unit_price", product.list_price)
        values.setdefault("unit_cost", product.unit_cost)
        line = OrderLine(order=order, line_no=number, **values)
        try:
            validate_instance(line, exclude=("order",))
        except InvalidInput as exc:
            raise InvalidInput({f"lines[{number - 1}].{k}": v for k, v in exc.errors.items()}) from None
        rows.append(line)
    OrderLine.objects.bulk_create(rows)


@transaction.atomic
def create_order(
    actor: Any, party: Party, data: Mapping[str, Any], lines: Sequence[Mapping[str, Any]]
) -> Order:
    """Create an order with its lines for ``party``; totals come from the lines."""
    order = Order(party=party, **only_fields(data, ORDER_FIELDS))
    validate_instance(order, exclude=("party",))
    try:
        with transaction.atomic():
            order.save()
    except IntegrityError:
        raise Conflict(f"ref: an order {order.ref!r} already exists") from None
    _write_lines(order, lines)
    recompute_totals(order)
    order.refresh_from_db()
    values = field_values(order, (*ORDER_FIELDS, "party_id", "total_amount", "total_cost"))
    record_change(
        actor, entity="order", object_id=order.pk, action="create",
        changes=created(values | {"lines": _lines_summary(order)}), party_id=party.pk,
    )
    _credit_loyalty(actor, party.pk)
    emit("order.created", order_payload(order), at=order.ordered_at)
    from clientela.crm.playbooks import engine as playbook_events
    from clientela.crm.playbooks.triggers import COUNTED_ORDERS

    if order.status in COUNTED_ORDERS:  # perhaps the customer's first: playbooks on it act at once
        playbook_events.after_commit("first_order", [party.pk])
    return order


def _credit_loyalty(actor: Any, party_id: int) -> None:
    """A member's stored or changed order earns (or gives back) its points at once
    (``loyalty.earning``); imports are credited by the ``loyalty-points`` schedule."""
    from clientela.crm.loyalty.earning import credit_orders

    credit_orders(actor, party_ids=[party_id])


@transaction.atomic
def update_order(
    actor: Any,
    order: Order,
    changes: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]] | None = None,
) -> Order:
    """Change an order's header and, when ``lines`` is given, replace its lines."""
    tracked = (*ORDER_FIELDS, "total_amount", "total_cost")
    before = field_values(order, tracked) | {"lines": _lines_summary(order)}
    for name, value in only_fields(changes, ORDER_FIELDS).items():
        setattr(order, name, value)
    validate_instance(order)
    try:
        with transaction.atomic():
            order.save()
    except IntegrityError:
        raise Conflict(f"ref: an order {order.ref!r} already exists") from None
    if lines is not None:
        _write_lines(order, lines)
        recompute_totals(order)
    order.refresh_from_db()
    changed = diff(before, field_values(order, tracked) | {"lines": _lines_summary(order)})
    if changed:
        record_change(
            actor, entity="order", object_id=order.pk, action="update",
            changes=changed, party_id=order.party_id,
        )
        _credit_loyalty(actor, order.party_id)
    return order


@transaction.atomic
def delete_order(actor: Any, order: Order) -> None:
    values = field_values(order, (*ORDER_FIELDS, "party_id", "total_amount", "total_cost"))
    order_id, party_id = order.pk, order.party_id
    order.delete()
    record_change(
        actor, entity="order", object_id=order_id, action="delete",
        changes=deleted(values), party_id=party_id,
    )
