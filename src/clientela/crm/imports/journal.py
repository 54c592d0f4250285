"""What an import created and what it changed, kept so that the import can be undone.

``Journal.before`` and ``Journal.after`` run inside the importer's transaction, around
its load (the hook in ``transfer.csv_import.import_file``): ``before`` reads the rows the
file names (parties by customer_ref, orders with their lines by order_ref, products by
SKU, the interactions of the file's parties), ``after`` reads them again and keeps the
keys of the rows that are new and the earlier values of the rows that differ. Every
concrete column of those rows is kept, so a column the importer gains is restored too.

``undo`` removes what the import created and writes the earlier values back, newest
table first, in the caller's transaction.
"""

from __future__ import annotations

import json
import uuid
import zlib
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models

from clientela.crm.commerce.models import Order, OrderLine, Product
from clientela.crm.engagement.models import Interaction
from clientela.crm.parties.models import Party
from clientela.crm.transfer.columns import Kind

# The kinds the wizard imports (and can undo).
WIZARD_KINDS = (Kind.CUSTOMERS, Kind.ORDERS, Kind.INTERACTIONS)
CHUNK = 500


class UndoRefused(Exception):
    """The import cannot be undone as things stand (the message says why)."""


def _chunks(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def _rows(model: type[models.Model], key: str, values: list[Any]) -> dict[Any, dict[str, Any]]:
    found: dict[Any, dict[str, Any]] = {}
    for chunk in _chunks(values):
        for row in model._default_manager.filter(**{f"{key}__in": chunk}).values():
            found[row[key]] = row
    return found


def _distinct(checked: Any, column: str) -> list[str]:
    import pyarrow.compute as pc  # only when an import runs: the web process starts without pyarrow

    return sorted(v for v in pc.unique(checked.columns[column]).to_pylist() if v)


class Journal:
    """Collects one entry per table an import loads; ``on_complete`` runs (in the load's
    transaction) after the ``expected``-th, so the import's record commits with it."""

    def __init__(self, *, expected: int = 1, on_complete: Callable[[Journal], None] | None = None) -> None:
        self.entries: list[dict[str, Any]] = []
        self.counts: list[dict[str, Any]] = []
        self.expected = expected
        self.on_complete = on_complete
        self._before: dict[str, Any] = {}

    def before(self, checked: Any) -> None:
        refs = _distinct(checked, "customer_ref")
        state: dict[str, Any] = {"refs": refs, "parties": _rows(Party, "ref", refs)}
        if checked.kind is Kind.ORDERS:
            order_refs = _distinct(checked, "order_ref")
            orders = _rows(Order, "ref", order_refs)
            state["order_refs"] = order_refs
            state["orders"] = orders
            state["lines"] = self._lines([o["id"] for o in orders.values()])
            skus = _distinct(checked, "sku")
            state["skus"] = skus
            state["products"] = set(_rows(Product, "sku", skus))
        if checked.kind is Kind.INTERACTIONS:
            state["interactions"] = self._interactions(state["parties"])
        self._before = state

    def after(self, checked: Any, counts: Any) -> None:
        was = self._before
        parties = _rows(Party, "ref", was["refs"])
        entry: dict[str, Any] = {
            "kind": checked.kind.value,
            "parties_created": sorted(set(parties) - set(was["parties"])),
            "parties_changed": [row for ref, row in was["parties"].items() if parties.get(ref) != row],
        }
        if checked.kind is Kind.ORDERS:
            orders = _rows(Order, "ref", was["order_refs"])
            lines = self._lines([o["id"] for o in orders.values()])
            entry["orders_created"] = sorted(set(orders) - set(was["orders"]))
            entry["orders_changed"] = [
                {"order": row, "lines": was["lines"].get(row["id"], [])}
                for ref, row in was["orders"].items()
                if orders.get(ref) != row or lines.get(row["id"]) != was["lines"].get(row["id"])
            ]
            entry["products_created"] = sorted(set(_rows(Product, "sku", was["skus"])) - was["products"])
        if checked.kind is Kind.INTERACTIONS:
            now = self._interactions(parties)
            entry["interactions_created"] = sorted(now - was["interactions"])
        self.entries.append(entry)
        self.counts.append({"kind": checked.kind.value, "created": counts.created, "updated": counts.updated,
                            "unchanged": counts.unchanged, **counts.extra})
        self._before = {}
        if len(self.entries) == self.expected and self.on_complete is not None:
            self.on_complete(self)

    @staticmethod
    def _lines(order_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
        lines: dict[int, list[dict[str, Any]]] = {}
        for chunk in _chunks(sorted(order_ids)):
            for row in OrderLine.objects.filter(order_id__in=chunk).order_by("order_id", "line_no").values():
                lines.setdefault(row["order_id"], []).append(row)
        return lines

    @staticmethod
    def _interactions(parties: dict[str, dict[str, Any]]) -> set[int]:
        ids: set[int] = set()
        for chunk in _chunks(sorted(p["id"] for p in parties.values())):
            ids.update(Interaction.objects.filter(party_id__in=chunk).values_list("id", flat=True))
        return ids

    def dumps(self) -> bytes:
        return zlib.compress(json.dumps(self.entries, default=_json_value).encode("utf-8"))


def summary(entries: list[dict[str, Any]]) -> dict[str, int]:
    """How many records of each sort the import created and changed."""
    out: dict[str, int] = {}
    for entry in entries:
        for name, value in entry.items():
            if isinstance(value, list):
                out[name] = out.get(name, 0) + len(value)
    return out


def loads(blob: bytes | memoryview | None) -> list[dict[str, Any]]:
    if not blob:
        return []
    return json.loads(zlib.decompress(bytes(blob)).decode("utf-8"))  # type: ignore[no-any-return]


def _json_value(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (Decimal, uuid.UUID)):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not kept in an import journal")


def _restore(model: type[models.Model], row: dict[str, Any]) -> dict[str, Any]:
    values = {}
    for name, value in row.items():
        field = model._meta.get_field(name)
        values[name] = None if value is None else field.to_python(value)
    return values


def undo(entries: list[dict[str, Any]]) -> dict[str, int]:
    """Remove what the import created and write back what it changed (newest table first)."""
    from django.db.models import ProtectedError

    removed = {"parties": 0, "orders": 0, "products": 0, "interactions": 0}
    for entry in reversed(entries):
        for chunk in _chunks(entry.get("interactions_created", [])):
            removed["interactions"] += Interaction.objects.filter(pk__in=chunk).delete()[1].get(
                Interaction._meta.label, 0)
        for chunk in _chunks(entry.get("orders_created", [])):
            OrderLine.objects.filter(order__ref__in=chunk).delete()
            removed["orders"] += Order.objects.filter(ref__in=chunk).delete()[1].get(Order._meta.label, 0)
        for changed in entry.get("orders_changed", []):
            order = _restore(Order, changed["order"])
            Order.objects.filter(pk=order.pop("id")).update(**order)
            OrderLine.objects.filter(order_id=changed["order"]["id"]).delete()
            OrderLine.objects.bulk_create([OrderLine(**_restore(OrderLine, line)) for line in changed["lines"]])
        for chunk in _chunks(entry.get("products_created", [])):
            unused = Product.objects.filter(sku__in=chunk).exclude(order_lines__isnull=False)
            removed["products"] += unused.delete()[1].get(Product._meta.label, 0)
        for chunk in _chunks(entry.get("parties_created", [])):
            try:
                removed["parties"] += Party.objects.filter(ref__in=chunk).delete()[1].get(Party._meta.label, 0)
            except ProtectedError:
                raise UndoRefused(
                    "a customer this import created has since got records that keep it (orders, deals or "
                    "cases from elsewhere); remove them first"
                ) from None
        for row in entry.get("parties_changed", []):
            values = _restore(Party, row)
            Party.objects.filter(pk=values.pop("id")).update(**values)
    return removed
