"""Load validated rows into PostgreSQL: COPY into TEMP staging tables, then set-based upserts.

Runs inside the transaction csv_import opens (``transaction.atomic()``), so the
staging tables (``ON COMMIT DROP``) and every write go or stay together. The
validated, typed columns are written to CSV by pyarrow and streamed through
psycopg 3's ``cursor.copy()``. SQL takes values only as parameters; the
identifiers in it are constants or come from the models' ``_meta``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.db import connection
from django.db.models import Model
from django.utils import timezone

from clientela.crm.commerce.models import Order, OrderLine, Product
from clientela.crm.engagement.models import Interaction
from clientela.crm.parties.models import Party
from clientela.crm.transfer import pg_bulk
from clientela.crm.transfer.csv_import import LoadCounts
from clientela.crm.transfer.validation import CheckedTable

PARTY = Party._meta.db_table
PRODUCT = Product._meta.db_table
ORDER = Order._meta.db_table
LINE = OrderLine._meta.db_table
INTERACTION = Interaction._meta.db_table

# Order header columns a file may leave out (then new orders take the model's defaults
# and stored ones keep theirs), with their SQL types.
OPTIONAL_HEADER = {"channel": "text", "status": "text", "returned_at": "timestamptz"}


def load_orders(checked: CheckedTable, missing_refs: list[str]) -> LoadCounts:
    """Orders and their lines, into the live tables with their keys and indexes kept (other
    sessions go on reading and writing them). When none of the file's orders exists yet,
    the rows are COPYed straight into the final tables; otherwise they go through staging
    tables and set-based upserts."""
    assert checked.order_first_rows is not None and checked.line_no is not None  # noqa: S101
    counts = LoadCounts()
    orders = len(checked.order_first_rows)
    with connection.cursor() as cur:
        # Room for the set-based joins to hash in memory instead of spilling to disk
        # (SET LOCAL: this transaction only).
        cur.execute("SET LOCAL work_mem = '256MB'")
        new_only = not pg_bulk.any_key_exists(
            cur.cursor, ORDER, "ref", pc.take(checked.columns["order_ref"], pa.array(checked.order_first_rows)))
        counts.extra["customers created"] = _create_parties(cur, missing_refs)
        counts.extra["products created"] = _create_products(cur, checked)
        unit_cost = _resolved_unit_cost(cur, checked)
        if new_only:
            _copy_new_orders(cur.cursor, checked, unit_cost)
            counts.created = checked.num_rows
            counts.extra["orders created"] = orders
        else:
            _upsert_orders(cur, checked, unit_cost, *_order_totals(checked, unit_cost), counts)
    return counts


def _copy_new_orders(cur: Any, checked: CheckedTable, unit_cost: pa.Array) -> None:
    """COPY orders none of which exists yet, and their lines, straight into the final tables
    (the orders' ids drawn from their sequence first, so the lines can name their orders;
    the lines take their ids from their column default)."""
    assert checked.order_index is not None and checked.line_no is not None  # noqa: S101
    cols = checked.columns
    first = pa.array(checked.order_first_rows)
    order_ids = pg_bulk.reserve_ids(cur, ORDER, len(first))
    party_ids = pg_bulk.ids_by_key(cur, PARTY, "ref", pc.take(cols["customer_ref"], first))
    lines = _with_defaults(OrderLine, {
        "order_id": pa.array(order_ids[checked.order_index]),
        "line_no": pa.array(checked.line_no),
        "product_id": pg_bulk.ids_by_key(cur, PRODUCT, "sku", cols["sku"]),
        "quantity": cols["quantity"],
        "unit_price": cols["unit_price"],
        "discount": cols["discount"],
        "unit_cost": unit_cost,
    })
    # The foreign keys are checked at COMMIT (deferred), so the lines may go first: the
    # order totals are computed while the server stores them.
    with pg_bulk.copying(cur, LINE, lines):
        amount, cost = _order_totals(checked, unit_cost)
        orders = _with_defaults(Order, {
            "id": pa.array(order_ids),
            "ref": pc.take(cols["order_ref"], first),
            "party_id": party_ids,
            "ordered_at": pc.take(cols["ordered_at"], first),
            "currency": pc.take(cols["currency"], first),
            "total_amount": amount,
            "total_cost": cost,
            **{f: pc.take(cols[f], first) for f in OPTIONAL_HEADER if f in checked.present},
        })
    pg_bulk.copy_rows(cur, ORDER, orders)


def _with_defaults(model: type[Model], data: dict[str, pa.Array]) -> pa.Table:
    """``data`` plus a constant column for each field it lacks (model defaults; timestamps: now)."""
    rows = len(next(iter(data.values())))
    for name, value in _default_values(model, set(data)):
        if value is None:
            data[name] = pa.nulls(rows, pa.timestamp("us", tz="UTC") if name.endswith("_at") else pa.string())
            continue
        data[name] = pa.repeat(value, rows)
    return pa.table(data)


def _upsert_orders(
    cur: Any, checked: CheckedTable, unit_cost: pa.Array, amount: pa.Array, cost: pa.Array,
    counts: LoadCounts,
) -> None:
    """Stage the orders and lines, then insert or update them by order_ref and line number."""
    assert checked.order_first_rows is not None and checked.line_no is not None  # noqa: S101
    cols = checked.columns
    first = pa.array(checked.order_first_rows)
    extra = [f for f in OPTIONAL_HEADER if f in checked.present]
    _stage(cur, "clientela_stage_orders", {
        "ref": ("text", pc.take(cols["order_ref"], first)),
        "customer_ref": ("text", pc.take(cols["customer_ref"], first)),
        "ordered_at": ("timestamptz", pc.take(cols["ordered_at"], first)),
        "currency": ("text", pc.take(cols["currency"], first)),
        **{f: (OPTIONAL_HEADER[f], pc.take(cols[f], first)) for f in extra},
        "n_lines": ("integer", pa.array(checked.order_line_counts)),
        "total_amount": ("numeric", amount),
        "total_cost": ("numeric", cost),
    })
    _stage(cur, "clientela_stage_lines", {
        "order_ref": ("text", cols["order_ref"]),
        "line_no": ("integer", pa.array(checked.line_no)),
        "sku": ("text", cols["sku"]),
        "quantity": ("integer", cols["quantity"]),
        "unit_price": ("numeric", cols["unit_price"]),
        "discount": ("numeric", cols["discount"]),
        "unit_cost": ("numeric", unit_cost),
    })
    cur.execute("ANALYZE clientela_stage_orders")
    cur.execute("ANALYZE clientela_stage_lines")
    cur.execute(
        f"SELECT count(*) FROM clientela_stage_orders so JOIN {ORDER} o ON o.ref = so.ref"  # noqa: S608
    )
    existing_orders = cur.fetchone()[0]
    if existing_orders:
        counts.created, counts.updated = _classify_lines(cur, extra)
    else:
        counts.created = checked.num_rows
    counts.unchanged = checked.num_rows - counts.created - counts.updated
    counts.extra["orders created"] = len(checked.order_first_rows) - existing_orders
    order_cols, order_defaults = _defaults(
        Order, {"ref", "party_id", "ordered_at", "currency", "total_amount", "total_cost", *extra}
    )
    header = ("party_id", "ordered_at", "currency", "total_amount", "total_cost", *extra)
    selected = _list("so.ref", "p.id", "so.ordered_at", "so.currency", "so.total_amount", "so.total_cost",
                     *(f"so.{f}" for f in extra), _placeholders(order_defaults))
    cur.execute(
        f"INSERT INTO {ORDER} ({_list('ref', *header, order_cols)}) "  # noqa: S608
        f"SELECT {selected} "
        f"FROM clientela_stage_orders so JOIN {PARTY} p ON p.ref = so.customer_ref "
        f"ON CONFLICT (ref) DO UPDATE SET {', '.join(f'{c} = EXCLUDED.{c}' for c in header)} "
        f"WHERE ({', '.join(f'{ORDER}.{c}' for c in header)}) IS DISTINCT FROM "
        f"({', '.join(f'EXCLUDED.{c}' for c in header)})",
        order_defaults,
    )
    line_cols = ("product_id", "quantity", "unit_price", "discount", "unit_cost")
    insert_lines = (
        f"INSERT INTO {LINE} (order_id, line_no, {', '.join(line_cols)}) "  # noqa: S608
        f"SELECT o.id, s.line_no, p.id, s.quantity, s.unit_price, s.discount, s.unit_cost "
        f"FROM clientela_stage_lines s JOIN {ORDER} o ON o.ref = s.order_ref "
        f"JOIN {PRODUCT} p ON p.sku = s.sku"
    )
    if existing_orders:
        cur.execute(
            insert_lines
            + f" ON CONFLICT (order_id, line_no) DO UPDATE SET "
            f"{', '.join(f'{c} = EXCLUDED.{c}' for c in line_cols)} "
            f"WHERE ({', '.join(f'{LINE}.{c}' for c in line_cols)}) IS DISTINCT FROM "
            f"({', '.join(f'EXCLUDED.{c}' for c in line_cols)})"
        )
        # The file holds each order whole: its lines beyond the file's last are removed.
        cur.execute(
            f"DELETE FROM {LINE} l USING clientela_stage_orders so, {ORDER} o "  # noqa: S608
            f"WHERE o.ref = so.ref AND l.order_id = o.id AND l.line_no > so.n_lines"
        )
        if cur.rowcount:
            counts.extra["lines removed"] = cur.rowcount
    else:
        cur.execute(insert_lines)


def load_interactions(checked: CheckedTable, missing_refs: list[str]) -> LoadCounts:
    """Upsert by (customer, occurred_at, channel, direction, subject): cost, notes and user
    (when the file has them) are updated where they differ, then the new ones inserted."""
    cols = checked.columns
    key = ("channel", "direction", "subject")
    extra = {f: t for f, t in (("cost", "numeric"), ("notes", "text")) if f in checked.present}
    if "user" in checked.present:
        extra["user_id"] = "bigint"
    with connection.cursor() as cur:
        created_parties = _create_parties(cur, missing_refs)
        _stage(cur, "clientela_stage_interactions", {
            "customer_ref": ("text", cols["customer_ref"]),
            "occurred_at": ("timestamptz", cols["occurred_at"]),
            **{k: ("text", cols[k]) for k in key},
            **{f: (t, checked.ids["user"] if f == "user_id" else cols[f]) for f, t in extra.items()},
        })
        # No unique constraint holds the natural key, so keep concurrent imports from
        # inserting the same interaction twice (readers are not blocked).
        cur.execute(f"LOCK TABLE {INTERACTION} IN SHARE ROW EXCLUSIVE MODE")
        match = ("i.party_id = p.id AND i.occurred_at = s.occurred_at AND i.channel = s.channel "
                 "AND i.direction = s.direction AND i.subject = s.subject")
        updated = 0
        if extra:
            cur.execute(
                f"UPDATE {INTERACTION} i SET {', '.join(f'{f} = s.{f}' for f in extra)} "  # noqa: S608
                f"FROM clientela_stage_interactions s JOIN {PARTY} p ON p.ref = s.customer_ref "
                f"WHERE {match} AND ({', '.join(f'i.{f}' for f in extra)}) IS DISTINCT FROM "
                f"({', '.join(f's.{f}' for f in extra)})"
            )
            updated = cur.rowcount
        names, defaults = _defaults(Interaction, {"party_id", "occurred_at", *key, *extra})
        selected = _list("p.id", "s.occurred_at", "s.channel", "s.direction", "s.subject",
                         *(f"s.{f}" for f in extra), _placeholders(defaults))
        cur.execute(
            f"INSERT INTO {INTERACTION} ({_list('party_id', 'occurred_at', *key, *extra, names)}) "  # noqa: S608
            f"SELECT {selected} "
            f"FROM clientela_stage_interactions s JOIN {PARTY} p ON p.ref = s.customer_ref "
            f"WHERE NOT EXISTS (SELECT 1 FROM {INTERACTION} i WHERE {match})",
            defaults,
        )
        created = cur.rowcount
    return LoadCounts(
        created=created,
        updated=updated,
        unchanged=checked.num_rows - created - updated,
        extra={"customers created": created_parties},
    )


def _classify_lines(cur: Any, extra: list[str]) -> tuple[int, int]:
    """(created, updated) line counts, comparing the staged lines with those stored."""
    old = "".join(f", o.{f}" for f in extra)
    new = "".join(f", so.{f}" for f in extra)
    cur.execute(
        f"SELECT count(*) FILTER (WHERE l.id IS NULL), "  # noqa: S608
        f"count(*) FILTER (WHERE l.id IS NOT NULL AND ("
        f"(l.product_id, l.quantity, l.unit_price, l.discount, l.unit_cost) IS DISTINCT FROM "
        f"(p.id, s.quantity, s.unit_price, s.discount, s.unit_cost) "
        f"OR (o.party_id, o.ordered_at, o.currency{old}) IS DISTINCT FROM (c.id, so.ordered_at, so.currency{new}))) "
        f"FROM clientela_stage_lines s "
        f"JOIN clientela_stage_orders so ON so.ref = s.order_ref "
        f"JOIN {PRODUCT} p ON p.sku = s.sku JOIN {PARTY} c ON c.ref = so.customer_ref "
        f"LEFT JOIN {ORDER} o ON o.ref = s.order_ref "
        f"LEFT JOIN {LINE} l ON l.order_id = o.id AND l.line_no = s.line_no"
    )
    created, updated = cur.fetchone()
    return created, updated


def _create_parties(cur: Any, refs: list[str]) -> int:
    """The minimal customer party --create-missing promises: ref, name = ref."""
    if not refs:
        return 0
    names, defaults = _defaults(Party, {"ref", "name", "is_customer"})
    cur.execute(
        f"INSERT INTO {PARTY} (ref, name, is_customer, {names}) "  # noqa: S608
        f"SELECT r, r, true, {_placeholders(defaults)} FROM unnest(%s::text[]) AS r "
        f"ON CONFLICT (ref) DO NOTHING",
        [*defaults, refs],
    )
    return int(cur.rowcount)


def _create_products(cur: Any, checked: CheckedTable) -> int:
    """Products for unknown SKUs: name = sku, list price and cost from the SKU's first line."""
    cols = checked.columns
    encoded = pc.dictionary_encode(cols["sku"])
    first = pc.index_in(encoded.dictionary, value_set=cols["sku"])  # first row of each SKU
    skus = encoded.dictionary.to_pylist()
    prices = pc.take(cols["unit_price"], first).to_pylist()
    costs = pc.fill_null(pc.take(cols["unit_cost"], first), "0").to_pylist()
    currencies = pc.take(cols["currency"], first).to_pylist()
    names, defaults = _defaults(Product, {"sku", "name", "list_price", "unit_cost", "currency"})
    cur.execute(
        f"INSERT INTO {PRODUCT} (sku, name, list_price, unit_cost, currency, {names}) "  # noqa: S608
        f"SELECT s, s, lp, uc, cu, {_placeholders(defaults)} "
        f"FROM unnest(%s::text[], %s::numeric[], %s::numeric[], %s::text[]) AS t(s, lp, uc, cu) "
        f"ON CONFLICT (sku) DO NOTHING",
        [*defaults, skus, prices, costs, currencies],
    )
    return int(cur.rowcount)


def _resolved_unit_cost(cur: Any, checked: CheckedTable) -> pa.Array:
    """Each line's unit cost: the file's, or the product's when the cell is empty."""
    given = checked.columns["unit_cost"]
    if given.null_count == 0:
        return given
    skus = pc.unique(pc.filter(checked.columns["sku"], pc.is_null(given))).to_pylist()
    cur.execute(f"SELECT sku, unit_cost::text FROM {PRODUCT} WHERE sku = ANY(%s)", [skus])  # noqa: S608
    known = dict(cur.fetchall())
    keys = pa.array(list(known), pa.string())
    product_cost = pc.take(pa.array(list(known.values()), pa.string()),
                           pc.index_in(checked.columns["sku"], value_set=keys))
    return pc.coalesce(given, product_cost)


def _order_totals(checked: CheckedTable, unit_cost: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Exact decimal totals per order (in first-appearance order); PostgreSQL rounds to cents."""
    cols = checked.columns
    money = pa.decimal128(16, 4)
    quantity = pc.cast(cols["quantity"], pa.decimal128(19, 0))
    amount = pc.subtract(pc.multiply(quantity, pc.cast(cols["unit_price"], money)),
                         pc.cast(cols["discount"], money))
    cost = pc.multiply(quantity, pc.cast(unit_cost, money))
    assert checked.order_index is not None  # noqa: S101
    grouped = pa.table({"o": checked.order_index, "a": amount, "c": cost}).group_by("o").aggregate(
        [("a", "sum"), ("c", "sum")]
    )
    # Reorder the groups to the orders' first-appearance order (the staging order):
    # order_index already numbers the orders that way.
    assert checked.order_first_rows is not None  # noqa: S101
    position = pc.index_in(pa.array(np.arange(len(checked.order_first_rows))), value_set=grouped["o"])
    return (pc.take(grouped["a_sum"], position).cast(pa.string()),
            pc.take(grouped["c_sum"], position).cast(pa.string()))


def _stage(cur: Any, table: str, columns: dict[str, tuple[str, pa.Array]]) -> None:
    """Create TEMP ``table`` with ``columns`` (name: (SQL type, values)) and COPY the values in."""
    cur.execute(f"DROP TABLE IF EXISTS {table}")
    definition = ", ".join(f"{name} {sql_type}" for name, (sql_type, _) in columns.items())
    cur.execute(f"CREATE TEMP TABLE {table} ({definition}) ON COMMIT DROP")
    pg_bulk.copy_rows(cur.cursor, table, pa.table({name: values for name, (_, values) in columns.items()}))


def _defaults(model: type[Model], provided: set[str]) -> tuple[str, list[Any]]:
    """Columns the import does not set, with the model's defaults (timestamps: now)."""
    pairs = _default_values(model, provided)
    return ", ".join(name for name, _ in pairs), [value for _, value in pairs]


def _default_values(model: type[Model], provided: set[str]) -> list[tuple[str, Any]]:
    now = timezone.now()
    pairs = []
    for f in model._meta.concrete_fields:
        if f.primary_key or f.attname in provided or f.name in provided:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            pairs.append((f.column, now))
        else:
            pairs.append((f.column, f.get_db_prep_save(f.get_default(), connection)))
    return pairs


def _list(*parts: str) -> str:
    """The non-empty ``parts`` joined by commas (a column list whose defaults may be none)."""
    return ", ".join(p for p in parts if p)


def _placeholders(values: list[Any]) -> str:
    return ", ".join(["%s"] * len(values))
