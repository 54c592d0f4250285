"""Load validated rows with batched ORM writes (SQLite and any non-PostgreSQL database).

Runs inside the transaction csv_import opens. Existing rows are fetched by key in
chunks, compared in Python, and written with bulk_create / bulk_update. Money is
summed with Decimal, rounded half away from zero to the cent, as PostgreSQL's
numeric does in pg_copy.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Model

from clientela.crm.commerce.models import Order, OrderLine, Product
from clientela.crm.engagement.models import Interaction
from clientela.crm.parties.models import Party
from clientela.crm.transfer.csv_import import LoadCounts
from clientela.crm.transfer.validation import CheckedTable

BATCH = 500
CENT = Decimal("0.01")
# Order header columns a file may leave out (then new orders take the model's defaults
# and stored ones keep theirs).
OPTIONAL_HEADER = ("channel", "status", "returned_at")


def load_orders(checked: CheckedTable, missing_refs: list[str]) -> LoadCounts:
    counts = LoadCounts()
    counts.extra["customers created"] = _create_parties(missing_refs)
    extra_header = [f for f in OPTIONAL_HEADER if f in checked.present]
    rows = _rows(
        checked,
        ("order_ref", "customer_ref", "ordered_at", "sku", "quantity", "unit_price", "currency",
         "unit_cost", "discount", *extra_header),
    )
    party_ids = {p.ref: p.id for p in _fetch(Party.objects, "ref", [r["customer_ref"] for r in rows]).values()}
    products = _ensure_products(rows, counts)
    by_order: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_order.setdefault(row["order_ref"], []).append(row)
    orders = _fetch(Order.objects, "ref", list(by_order))
    old_lines: dict[tuple[int, int], OrderLine] = {}
    for chunk in _chunks([o.id for o in orders.values()]):
        for line in OrderLine.objects.filter(order_id__in=chunk):
            old_lines[(line.order_id, line.line_no)] = line

    new_orders: list[Order] = []
    changed_orders: list[Order] = []
    for ref, lines in by_order.items():
        head = lines[0]
        header = {
            "party_id": party_ids[head["customer_ref"]],
            "ordered_at": _aware(head["ordered_at"]),
            "currency": head["currency"],
        }
        for f in extra_header:
            header[f] = _aware(head[f]) if f == "returned_at" else head[f]
        built = [_line(row, products[row["sku"]], no) for no, row in enumerate(lines, start=1)]
        header["total_amount"] = sum((ln.net_amount for ln in built), Decimal(0)).quantize(CENT, ROUND_HALF_UP)
        header["total_cost"] = sum((ln.quantity * ln.unit_cost for ln in built), Decimal(0)).quantize(
            CENT, ROUND_HALF_UP
        )
        order = orders.get(ref)
        if order is None:
            order = Order(ref=ref, **header)
            order._import_lines = built  # type: ignore[attr-defined]
            new_orders.append(order)
            counts.created += len(built)
            continue
        head_changed = any(getattr(order, f) != v for f, v in header.items() if not f.startswith("total"))
        if any(getattr(order, f) != v for f, v in header.items()):
            for f, v in header.items():
                setattr(order, f, v)
            changed_orders.append(order)
        _merge_lines(order, built, old_lines, head_changed, counts)
    Order.objects.bulk_create(new_orders, batch_size=BATCH)
    Order.objects.bulk_update(
        changed_orders, ["party_id", "ordered_at", "currency", "total_amount", "total_cost", *extra_header],
        batch_size=BATCH,
    )
    fresh = []
    for order in new_orders:
        for line in order._import_lines:  # type: ignore[attr-defined]
            line.order_id = order.id
            fresh.append(line)
    OrderLine.objects.bulk_create(fresh, batch_size=BATCH)
    counts.extra["orders created"] = len(new_orders)
    return counts


def _merge_lines(
    order: Order,
    built: list[OrderLine],
    old_lines: dict[tuple[int, int], OrderLine],
    head_changed: bool,
    counts: LoadCounts,
) -> None:
    fields = ("product_id", "quantity", "unit_price", "discount", "unit_cost")
    create, update = [], []
    for line in built:
        line.order_id = order.id
        old = old_lines.pop((order.id, line.line_no), None)
        if old is None:
            create.append(line)
            counts.created += 1
        elif any(getattr(old, f) != getattr(line, f) for f in fields):
            for f in fields:
                setattr(old, f, getattr(line, f))
            update.append(old)
            counts.updated += 1
        elif head_changed:
            counts.updated += 1
        else:
            counts.unchanged += 1
    OrderLine.objects.bulk_create(create, batch_size=BATCH)
    OrderLine.objects.bulk_update(update, list(fields), batch_size=BATCH)
    # The file holds the whole order: lines beyond its last one are removed.
    stale = OrderLine.objects.filter(order_id=order.id, line_no__gt=len(built))
    removed, _ = stale.delete()
    if removed:
        counts.extra["lines removed"] = counts.extra.get("lines removed", 0) + removed


def load_interactions(checked: CheckedTable, missing_refs: list[str]) -> LoadCounts:
    """Upsert by (customer, occurred_at, channel, direction, subject); cost, notes and user
    (when the file has them) are updated on a match that differs."""
    created_parties = _create_parties(missing_refs)
    extra: list[str] = [f for f in ("cost", "notes") if f in checked.present]
    rows = _rows(checked, ("customer_ref", "occurred_at", "channel", "direction", "subject", *extra))
    if "user" in checked.present:
        for row, user_id in zip(rows, checked.ids["user"].to_pylist(), strict=True):
            row["user_id"] = user_id
        extra.append("user_id")
    party_ids = {p.ref: p.id for p in _fetch(Party.objects, "ref", [r["customer_ref"] for r in rows]).values()}
    existing: dict[tuple[Any, ...], Interaction] = {}
    for chunk in _chunks(sorted(set(party_ids.values()))):
        for i in Interaction.objects.filter(party_id__in=chunk).order_by("id"):
            existing.setdefault((i.party_id, i.occurred_at, i.channel, i.direction, i.subject), i)

    def key(row: dict[str, Any]) -> tuple[Any, ...]:
        return (party_ids[row["customer_ref"]], _aware(row["occurred_at"]), row["channel"], row["direction"],
                row["subject"])

    counts = upsert(
        Interaction, rows, existing, key, lambda r: {f: Decimal(r[f]) if f == "cost" else r[f] for f in extra},
        lambda r: dict(zip(("party_id", "occurred_at", "channel", "direction", "subject"), key(r), strict=True)),
    )
    counts.extra["customers created"] = created_parties
    return counts


def upsert(
    model: type[Model],
    rows: list[dict[str, Any]],
    existing: Mapping[tuple[Any, ...], Model],
    key: Callable[[dict[str, Any]], tuple[Any, ...]],
    values: Callable[[dict[str, Any]], dict[str, Any]],
    key_fields: Callable[[dict[str, Any]], dict[str, Any]],
    created: list[Model] | None = None,
) -> LoadCounts:
    """Insert or update ``model`` rows by ``key``; the new records are appended to ``created``."""
    counts = LoadCounts()
    new, changed, fields = [], [], set[str]()
    for row in rows:
        wanted = values(row)
        fields.update(wanted)
        record = existing.get(key(row))
        if record is None:
            new.append(model(**key_fields(row), **wanted))
        elif all(getattr(record, f) == v for f, v in wanted.items()):
            counts.unchanged += 1
        else:
            for f, v in wanted.items():
                setattr(record, f, v)
            changed.append(record)
    model._default_manager.bulk_create(new, batch_size=BATCH)
    if created is not None:
        created.extend(new)
    if changed:
        model._default_manager.bulk_update(changed, sorted(fields), batch_size=BATCH)
    counts.created, counts.updated = len(new), len(changed)
    return counts


def _create_parties(refs: list[str]) -> int:
    """Create the minimal customer party --create-missing promises: ref, name = ref."""
    Party.objects.bulk_create(
        [Party(ref=ref, name=ref, is_customer=True) for ref in refs], batch_size=BATCH
    )
    return len(refs)


def _ensure_products(rows: list[dict[str, Any]], counts: LoadCounts) -> dict[str, Product]:
    products = _fetch(Product.objects, "sku", [r["sku"] for r in rows])
    new: dict[str, Product] = {}
    for row in rows:
        sku = row["sku"]
        if sku not in products and sku not in new:
            new[sku] = Product(
                sku=sku,
                name=sku,
                list_price=Decimal(row["unit_price"]),
                unit_cost=Decimal(row["unit_cost"] or 0),
                currency=row["currency"],
            )
    Product.objects.bulk_create(list(new.values()), batch_size=BATCH)
    products.update(new)
    counts.extra["products created"] = len(new)
    return products


def _line(row: dict[str, Any], product: Product, line_no: int) -> OrderLine:
    cost = row["unit_cost"]
    return OrderLine(
        line_no=line_no,
        product_id=product.id,
        quantity=row["quantity"],
        unit_price=Decimal(row["unit_price"]),
        discount=Decimal(row["discount"]),
        unit_cost=Decimal(cost) if cost is not None else product.unit_cost,
    )


def _rows(checked: CheckedTable, names: Iterable[str]) -> list[dict[str, Any]]:
    names = list(names)
    columns = [checked.columns[n].to_pylist() for n in names]
    return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]


def _fetch(manager: Any, key: str, values: list[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for chunk in _chunks(sorted(set(values))):
        for obj in manager.filter(**{f"{key}__in": chunk}):
            found[getattr(obj, key)] = obj
    return found


def _chunks(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), BATCH):
        yield items[start:start + BATCH]


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
