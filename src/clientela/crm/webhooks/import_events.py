"""What a bulk import announces: ``import.completed`` for every file an import loads, and
for a small file (at most ``RECORD_EVENTS_UP_TO`` rows) one event per record it created
or changed, as the app's own actions send them (``party.created``, ``party.updated``,
``order.created``). A large file sends only ``import.completed``: its receiver fetches
the records through the API (the event's ``links``) instead of taking thousands of posts.

``ImportAnnouncer.before`` and ``.after`` run inside the importer's transaction, around
its load (``transfer.csv_import.import_file``), so the events are rows of that
transaction: an import that fails or is rolled back announces nothing. The records are
told apart by reading them before and after the load — only for a small file, and only
when a subscription listens to a per-record event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from clientela.crm.webhooks.events import emit, listened_to, order_payload, party_payload

RECORD_EVENTS_UP_TO = 100  # rows in a file; a larger file sends only import.completed
PARTY_KINDS = ("parties", "customers")
RECORD_EVENTS = ("party.created", "party.updated", "order.created")


def _distinct(checked: Any, column: str) -> list[str]:
    import pyarrow.compute as pc  # only while an import runs

    if column not in checked.columns:
        return []
    return sorted(v for v in pc.unique(checked.columns[column]).to_pylist() if v)


def _parties(refs: list[str]) -> dict[str, tuple[int, int]]:
    from clientela.crm.parties.models import Party

    found: dict[str, tuple[int, int]] = {}
    for start in range(0, len(refs), 500):
        rows = Party.objects.filter(ref__in=refs[start:start + 500]).values_list("ref", "pk", "version")
        found.update({ref: (pk, version) for ref, pk, version in rows})
    return found


def _orders(refs: list[str]) -> dict[str, int]:
    from clientela.crm.commerce.models import Order

    found: dict[str, int] = {}
    for start in range(0, len(refs), 500):
        found.update(Order.objects.filter(ref__in=refs[start:start + 500]).values_list("ref", "pk"))
    return found


class ImportAnnouncer:
    """Announces one file's import; ``import_id`` is the import wizard's import (None for
    ``clientela import``, whose event names the file's SHA-256 instead)."""

    def __init__(self, *, kind: str, rows: int, import_id: int | None = None) -> None:
        self.kind = kind
        self.rows = rows
        self.import_id = import_id
        self.per_record = (rows <= RECORD_EVENTS_UP_TO and kind in (*PARTY_KINDS, "orders")
                           and listened_to(RECORD_EVENTS))
        self._parties: dict[str, tuple[int, int]] = {}
        self._orders: dict[str, int] = {}

    def before(self, checked: Any) -> None:
        if self.per_record:
            self._parties = _parties(_distinct(checked, "customer_ref"))
            self._orders = _orders(_distinct(checked, "order_ref"))

    def after(self, checked: Any, counts: Any, *, file_sha256: str) -> None:
        records: dict[str, list[int]] = {}
        if self.per_record:
            records = self._announce_records(checked)
        dates = self._order_dates(checked) if self.kind == "orders" else None
        emit("import.completed", {
            "import_id": self.import_id, "file_sha256": file_sha256, "kind": self.kind, "rows": self.rows,
            "created": counts.created, "updated": counts.updated, "unchanged": counts.unchanged,
            "record_events": self.per_record, "records": records, "links": self._links(dates),
        })

    def _announce_records(self, checked: Any) -> dict[str, list[int]]:
        from clientela.crm.commerce.models import Order
        from clientela.crm.parties.models import Party

        now = _parties(sorted(self._parties.keys() | set(_distinct(checked, "customer_ref"))))
        created = [pk for ref, (pk, _v) in now.items() if ref not in self._parties]
        updated = [pk for ref, (pk, version) in now.items()
                   if ref in self._parties and self._parties[ref][1] != version]
        parties = Party.objects.in_bulk(created + updated)
        for pk in sorted(created):
            emit("party.created", party_payload(parties[pk]))
        for pk in sorted(updated):
            emit("party.updated", party_payload(parties[pk]) | {"changed": []})
        records = {"parties_created": sorted(created), "parties_updated": sorted(updated)}
        if self.kind == "orders":
            orders = _orders(_distinct(checked, "order_ref"))
            new = sorted(pk for ref, pk in orders.items() if ref not in self._orders)
            for order in Order.objects.filter(pk__in=new).select_related("party").order_by("pk"):
                emit("order.created", order_payload(order), at=order.ordered_at)
            records["orders_created"] = new
        return records

    def _order_dates(self, checked: Any) -> tuple[datetime, datetime] | None:
        import pyarrow.compute as pc  # only while an import runs

        column = checked.columns.get("ordered_at")
        if column is None or len(column) == 0:
            return None
        bounds = pc.min_max(column).as_py()
        if bounds["min"] is None:
            return None
        return bounds["min"], bounds["max"]

    def _links(self, dates: tuple[datetime, datetime] | None) -> dict[str, str]:
        """Where a receiver fetches what the import loaded, through the REST API."""
        links = {}
        if self.import_id is not None:
            links["import"] = f"/api/v1/imports/{self.import_id}"
        if self.kind in PARTY_KINDS or self.kind == "orders":
            links["parties"] = "/api/v1/parties?" + urlencode({"ordering": "-created_at"})
        if dates is not None:
            links["orders"] = "/api/v1/orders?" + urlencode({
                "ordered_from": _utc(dates[0]), "ordered_to": _utc(dates[1]), "ordering": "ordered_at"})
        return links


def _utc(moment: datetime) -> str:
    from datetime import UTC

    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
