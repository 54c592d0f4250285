"""Resolve the columns that name other records (``ColumnSpec.refers_to``) before any write.

A username, an order's ref or a party's ref that names nothing is an error on its row,
like any bad cell, so a file with one is refused whole. Teams are configuration named by
the file: a team that does not exist yet is created by the load (``ensure_teams``).
A parties file's ``referred_by`` may also name a party of the same file.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from clientela.crm.transfer.columns import COLUMNS, Kind, Ref
from clientela.crm.transfer.validation import CheckedTable

NOUNS = {
    Ref.PARTY: "no party has this ref",
    Ref.USER: "no user has this username (create the users first)",
    Ref.ORDER: "no order has this ref (import the orders first)",
}


def resolve(checked: CheckedTable) -> None:
    """Fill ``checked.ids`` with the id each reference cell names; unknown ones are errors."""
    for spec in COLUMNS[checked.kind]:
        if spec.refers_to is None or spec.refers_to is Ref.TEAM or spec.name not in checked.present:
            continue
        values = checked.columns[spec.name]
        filled = _np(pc.and_(pc.is_valid(values), pc.not_equal(pc.utf8_length(pc.fill_null(values, "")), 0)))
        distinct = [v for v in pc.unique(pc.filter(values, pa.array(filled))).to_pylist() if "\x00" not in v]
        known = ids_by_key(spec.refers_to, distinct)
        if checked.kind in (Kind.PARTIES, Kind.CUSTOMERS) and spec.name == "referred_by":
            in_file = set(checked.columns["customer_ref"].to_pylist())
            known.update({ref: -1 for ref in distinct if ref in in_file and ref not in known})
        keys = pa.array(list(known), pa.string())
        ids = pc.take(pa.array(list(known.values()), pa.int64()), pc.index_in(values, value_set=keys))
        unknown = filled & _np(pc.is_null(ids))
        checked.errors.add(np.flatnonzero(unknown), spec.name, NOUNS[spec.refers_to])
        checked.ids[spec.name] = ids


def ids_by_key(ref: Ref, keys: list[str]) -> dict[str, int]:
    from clientela.crm.accounts.models import User
    from clientela.crm.commerce.models import Order
    from clientela.crm.parties.models import Party

    model: Any
    model, field = {Ref.PARTY: (Party, "ref"), Ref.USER: (User, "username"), Ref.ORDER: (Order, "ref")}[ref]
    found: dict[str, int] = {}
    for start in range(0, len(keys), 500):
        found.update(model.objects.filter(**{f"{field}__in": keys[start:start + 500]}).values_list(field, "id"))
    return found


def ensure_teams(names: list[Any]) -> dict[str, int]:
    """The id of each team named (created when missing)."""
    from clientela.crm.accounts.models import Team

    wanted = sorted({n for n in names if n})
    found = dict(Team.objects.filter(name__in=wanted).values_list("name", "id"))
    missing = [Team(name=n) for n in wanted if n not in found]
    for team in Team.objects.bulk_create(missing):
        found[team.name] = Team.objects.get(name=team.name).id if team.id is None else team.id
    return found


def _np(array: pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(array, False))
