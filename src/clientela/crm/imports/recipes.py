"""Recipes: the order exports of Shopify, WooCommerce and PrestaShop, read in one click.

Each recipe recognises its format by the header, reads the order lines (one row per line
item, order-level values filled down from the order's first row where the shop leaves
them blank), and gives two canonical tables to import in turn: the customers the record
does not know yet (a customer is found by its e-mail address; a new one takes the address
as its customer_ref) and the order lines. Customers already in the record are left as
they are. When the importer's orders have a ``status`` column, the shop's state is mapped
onto it (refunded → returned, cancelled → cancelled, anything else → completed).

Column lists used:

* Shopify, the orders CSV of the admin (Orders → Export): "Exporting orders",
  https://help.shopify.com/en/manual/fulfillment/managing-orders/exporting-orders ; one row
  per line item with order fields only on the first (described at
  https://docs.xbp.app/docs/development/integrations/shopify/order-format).
* WooCommerce, the Customer / Order / Coupon Export extension's "Default CSV format - One
  row per line item" (https://woocommerce.com/document/ordercustomer-csv-exporter/) and the
  ``line_items`` / ``line_item_N`` cells ("name:…|sku:…|quantity:…|total:…") of its default
  format and of Import Export Suite
  (https://woocommerce.com/document/import-and-export-of-woocommerce-orders/).
* PrestaShop, whose back office exports orders without their lines: the SQL Manager's CSV
  of the ``orders`` and ``order_detail`` fields
  (https://devdocs.prestashop-project.org/9/webservice/resources/orders/ and
  .../resources/order_details/); docs/import-export.md gives the query.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from clientela.crm.imports.headers import fold
from clientela.crm.transfer.columns import COLUMNS, Kind

Rows = list[tuple[int, list[str]]]


@dataclass(frozen=True)
class Table:
    kind: Kind
    header: list[str]
    rows: Rows


@dataclass(frozen=True)
class Recipe:
    key: str
    label: str
    docs: str
    recognise: Callable[[set[str]], bool]
    read: Callable[[list[str], Iterable[tuple[int, list[str]]]], list[Table]]


@dataclass
class OrderLine:
    line: int
    order_ref: str
    email: str
    name: str
    phone: str
    country: str
    ordered_at: str
    sku: str
    quantity: str
    unit_price: str
    currency: str
    discount: str = ""
    status: str = ""


def _has(*names: str) -> Callable[[set[str]], bool]:
    wanted = {fold(n) for n in names}
    return lambda header: wanted <= header


def _index(header: list[str]) -> Callable[[list[str], str], str]:
    position = {fold(h): i for i, h in enumerate(header)}

    def get(row: list[str], name: str) -> str:
        i = position.get(fold(name))
        return row[i].strip() if i is not None and i < len(row) else ""

    return get


_SHOPIFY_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}(?::\d{2})?) ?([+-]\d{2}):?(\d{2})$")


def shopify_time(value: str) -> str:
    """``2025-10-07 09:50:26 +0200`` (Shopify's form) as ISO-8601."""
    match = _SHOPIFY_TIME.match(value.strip())
    if not match:
        return value
    day, clock, hours, minutes = match.groups()
    return f"{day}T{clock}{hours}:{minutes}"


def read_shopify(header: list[str], rows: Iterable[tuple[int, list[str]]]) -> list[Table]:
    get = _index(header)
    lines: list[OrderLine] = []
    first: dict[str, list[str]] = {}
    for line, row in rows:
        ref = get(row, "Name")
        head = first.setdefault(ref, row)
        state = ("cancelled" if get(head, "Cancelled at") else
                 "returned" if get(head, "Financial Status").lower() == "refunded" else "completed")
        lines.append(OrderLine(
            line=line, order_ref=ref, email=get(head, "Email") or get(row, "Email"),
            name=get(head, "Billing Name"), phone=get(head, "Billing Phone"),
            country=get(head, "Billing Country"), ordered_at=shopify_time(get(head, "Created at")),
            sku=get(row, "Lineitem sku") or get(row, "Lineitem name")[:64],
            quantity=get(row, "Lineitem quantity"), unit_price=get(row, "Lineitem price"),
            currency=get(head, "Currency"), discount=get(row, "Lineitem discount"), status=state,
        ))
    return _tables(lines)


_WOO_STATES = {"refunded": "returned", "cancelled": "cancelled", "failed": "cancelled"}


def read_woocommerce(header: list[str], rows: Iterable[tuple[int, list[str]]]) -> list[Table]:
    get = _index(header)
    folded = [fold(h) for h in header]
    item_cells = [i for i, h in enumerate(folded) if h == "line items" or re.fullmatch(r"line item \d+", h)]
    lines: list[OrderLine] = []
    for line, row in rows:
        ref = get(row, "order_number") or get(row, "order_id")
        status = _WOO_STATES.get(get(row, "status").lower().removeprefix("wc-"), "completed")
        base = dict(
            line=line, order_ref=ref, email=get(row, "billing_email") or get(row, "customer_email"),
            name=" ".join(filter(None, (get(row, "billing_first_name"), get(row, "billing_last_name")))),
            phone=get(row, "billing_phone"), country=get(row, "billing_country"),
            ordered_at=get(row, "order_date"), currency=get(row, "order_currency"), status=status,
        )
        if item_cells:
            for i in item_cells:
                cell = row[i] if i < len(row) else ""
                for item in filter(None, (part.strip() for part in cell.split(";"))):
                    values = dict(_pair(p) for p in item.split("|"))
                    lines.append(_woo_line(base, values.get("sku") or values.get("name", "")[:64],
                                           values.get("quantity", ""),
                                           values.get("subtotal") or values.get("sub_total") or values.get("total", ""),
                                           values.get("total", "")))
        else:
            lines.append(_woo_line(base, get(row, "item_sku") or get(row, "item_name")[:64], get(row, "item_quantity"),
                                   get(row, "item_subtotal") or get(row, "item_total"), get(row, "item_total")))
    return _tables(lines)


def _pair(text: str) -> tuple[str, str]:
    key, _sep, value = text.partition(":")
    return key.strip().lower(), value.strip()


def _woo_line(base: dict[str, object], sku: str, quantity: str, subtotal: str, total: str) -> OrderLine:
    """A line from its line totals: unit price = subtotal / quantity, discount = subtotal − total."""
    price, discount = subtotal, ""
    try:
        count = Decimal(quantity)
        before = Decimal(subtotal.replace(",", "."))
        if count > 0:
            price = format((before / count).quantize(Decimal("0.0001")).normalize(), "f")
        if total:
            off = before - Decimal(total.replace(",", "."))
            discount = format(off, "f") if off > 0 else ""
    except (InvalidOperation, ValueError):
        pass  # the importer names the bad cell
    return OrderLine(sku=sku, quantity=quantity, unit_price=price, discount=discount, **base)  # type: ignore[arg-type]


# PrestaShop's default order states (install data): 6 Canceled, 7 Refunded.
_PRESTA_STATES = {"6": "cancelled", "7": "returned"}


def read_prestashop(header: list[str], rows: Iterable[tuple[int, list[str]]]) -> list[Table]:
    get = _index(header)
    lines: list[OrderLine] = []
    for line, row in rows:
        price = get(row, "unit_price_tax_excl") or get(row, "unit_price_tax_incl") or get(row, "product_price")
        lines.append(OrderLine(
            line=line, order_ref=get(row, "reference") or get(row, "id_order"), email=get(row, "email"),
            name=" ".join(filter(None, (get(row, "firstname"), get(row, "lastname")))) or get(row, "company"),
            phone="", country=get(row, "country_iso_code"), ordered_at=get(row, "date_add"),
            sku=get(row, "product_reference") or get(row, "product_name")[:64],
            quantity=get(row, "product_quantity"), unit_price=price,
            currency=get(row, "iso_code") or get(row, "currency"),
            status=_PRESTA_STATES.get(get(row, "current_state"), "completed"),
        ))
    return _tables(lines)


def _tables(lines: list[OrderLine]) -> list[Table]:
    """The new customers and the order lines, customer refs resolved by e-mail address."""
    from clientela.crm.imports.queries import party_refs_by_email
    from clientela.crm.transfer.csv_import import known_party_refs

    emails = sorted({ln.email.lower() for ln in lines if ln.email})
    refs = party_refs_by_email(emails)
    for email in emails:
        refs.setdefault(email, email)
    known = known_party_refs(sorted(set(refs.values())))
    customer_rows: Rows = []
    first_order: dict[str, str] = {}  # a new customer is acquired at its earliest order in the file
    for ln in lines:
        ref = refs.get(ln.email.lower(), "")
        if ref and ln.ordered_at and (ref not in first_order or ln.ordered_at < first_order[ref]):
            first_order[ref] = ln.ordered_at
    seen: set[str] = set()
    for ln in lines:
        ref = refs.get(ln.email.lower(), "")
        if not ref or ref in known or ref in seen:
            continue
        seen.add(ref)
        country = ln.country.upper() if len(ln.country) == 2 else ""
        customer_rows.append((ln.line, [ref, ln.name or ln.email, ln.email, ln.phone, country,
                                        first_order.get(ref, "")]))
    order_names = {spec.name for spec in COLUMNS[Kind.ORDERS]}
    header = ["order_ref", "customer_ref", "ordered_at", "sku", "quantity", "unit_price", "currency", "discount"]
    with_status = "status" in order_names
    if with_status:
        header.append("status")
    order_rows: Rows = []
    for ln in lines:
        row = [ln.order_ref, refs.get(ln.email.lower(), ""), ln.ordered_at, ln.sku, ln.quantity,
               ln.unit_price, ln.currency, ln.discount]
        if with_status:
            row.append(ln.status)
        order_rows.append((ln.line, row))
    tables = []
    if customer_rows:
        tables.append(Table(Kind.CUSTOMERS, ["customer_ref", "name", "email", "phone", "country", "acquired_at"],
                            customer_rows))
    tables.append(Table(Kind.ORDERS, header, order_rows))
    return tables


RECIPES: dict[str, Recipe] = {
    "shopify": Recipe(
        "shopify", "Shopify orders export",
        "https://help.shopify.com/en/manual/fulfillment/managing-orders/exporting-orders",
        _has("Name", "Email", "Financial Status", "Created at", "Currency", "Lineitem quantity", "Lineitem price"),
        read_shopify,
    ),
    "woocommerce": Recipe(
        "woocommerce", "WooCommerce orders export",
        "https://woocommerce.com/document/ordercustomer-csv-exporter/",
        lambda h: (bool({"order_number", "order_id"} & h) and {"order_date", "order_currency"} <= h
                   and bool({"billing_email", "customer_email"} & h)
                   and ("item_quantity" in h or "line_items" in h or "line_item_1" in h
                        or "line items" in h or "line item 1" in h)),
        read_woocommerce,
    ),
    "prestashop": Recipe(
        "prestashop", "PrestaShop orders with their lines (SQL Manager)",
        "https://devdocs.prestashop-project.org/9/webservice/resources/order_details/",
        lambda h: ({"date_add", "product_quantity"} <= h and bool({"reference", "id_order"} & h)
                   and bool({"product_reference", "product_name"} & h)),
        read_prestashop,
    ),
}


def recognise(header: list[str]) -> str:
    """The key of the recipe whose format ``header`` is, or ``""``."""
    raw = {h.strip().lower() for h in header}
    folded = {fold(h) for h in header}
    for key, recipe in RECIPES.items():
        if recipe.recognise(folded) or recipe.recognise(raw):
            return key
    return ""


def read(key: str, header: list[str], rows: Iterator[tuple[int, list[str]]]) -> list[Table]:
    return RECIPES[key].read(header, rows)
