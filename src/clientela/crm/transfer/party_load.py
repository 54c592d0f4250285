"""Load a parties (or customers) file with batched ORM writes, on every database.

Upserts by ``customer_ref``. Columns the file leaves out leave their fields alone; a file
without ``roles`` gives each party the customer role and keeps its others (the customers
file of old). ``referred_by`` is set after the parties exist, so a party may name one
created by the same file.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from clientela.crm.parties.models import ROLE_FIELDS, Party
from clientela.crm.transfer.batch_load import BATCH, _aware, _fetch, _rows
from clientela.crm.transfer.columns import WORD_SEPARATOR
from clientela.crm.transfer.csv_import import LoadCounts
from clientela.crm.transfer.references import ensure_teams
from clientela.crm.transfer.validation import CheckedTable

BASE = ("name", "kind", "email", "phone", "country", "acquired_at", "acquisition_channel")
OPTIONAL_PLAIN = ("street", "postal_code", "city", "language", "preferred_channel", "archived_at")


def load_parties(checked: CheckedTable) -> LoadCounts:
    present = checked.present
    plain = [*BASE, *(f for f in OPTIONAL_PLAIN if f in present)]
    names = ["customer_ref", *plain, *(f for f in ("roles", "tags", "team", "referred_by") if f in present)]
    rows = _rows(checked, names)
    owner_ids = checked.ids["owner"].to_pylist() if "owner" in present else None
    teams = ensure_teams([r["team"] for r in rows]) if "team" in present else {}
    existing = _fetch(Party.objects, "ref", [r["customer_ref"] for r in rows])
    now = timezone.now()
    counts = LoadCounts()
    new: list[Party] = []
    changed: dict[str, Party] = {}
    fields = set(plain)
    for i, row in enumerate(rows):
        values: dict[str, Any] = {f: row[f] for f in plain}
        for f in ("acquired_at", "archived_at"):
            if f in values:
                values[f] = _aware(values[f])
        if "roles" in present:
            roles = set(filter(None, row["roles"].split(WORD_SEPARATOR)))
            values.update({f: f.removeprefix("is_") in roles for f in ROLE_FIELDS})
        else:
            values["is_customer"] = True
        if "tags" in present:
            values["tags"] = [t for t in row["tags"].split(WORD_SEPARATOR) if t]
        if owner_ids is not None:
            values["owner_id"] = owner_ids[i]
        if "team" in present:
            values["team_id"] = teams.get(row["team"]) if row["team"] else None
        fields.update(values)
        party = existing.get(row["customer_ref"])
        if party is None:
            new.append(Party(ref=row["customer_ref"], **values))
            continue
        if all(getattr(party, f) == v for f, v in values.items()):
            continue
        for f, v in values.items():
            setattr(party, f, v)
        changed[party.ref] = party
    Party.objects.bulk_create(new, batch_size=BATCH)
    if "referred_by" in present:
        _set_referrers(rows, existing, changed)
    for party in changed.values():
        party.version += 1
        party.updated_at = now
    Party.objects.bulk_update(list(changed.values()), [*sorted(fields), "referred_by_id", "version", "updated_at"],
                              batch_size=BATCH)
    counts.created, counts.updated = len(new), len(changed)
    counts.unchanged = len(rows) - counts.created - counts.updated
    return counts


def _set_referrers(rows: list[dict[str, Any]], existing: dict[str, Party], changed: dict[str, Party]) -> None:
    """Point each party at its referrer (by ref); a new party's link is written here too."""
    refs = {r["referred_by"] for r in rows if r["referred_by"]} | {r["customer_ref"] for r in rows}
    ids = dict(_fetch(Party.objects.only("id", "ref"), "ref", sorted(refs)).items())
    ids = {ref: p.id for ref, p in ids.items()}
    fresh: list[Party] = []
    for row in rows:
        target = ids.get(row["referred_by"]) if row["referred_by"] else None
        party = existing.get(row["customer_ref"])
        if party is None:
            if target is not None:
                fresh.append(Party(id=ids[row["customer_ref"]], referred_by_id=target))
            continue
        if party.referred_by_id != target:
            party.referred_by_id = target
            changed[party.ref] = party
    Party.objects.bulk_update(fresh, ["referred_by_id"], batch_size=BATCH)
