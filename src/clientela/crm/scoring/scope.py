"""The copy of each party's owner and team on its scores (``CustomerScore.owner/team``).

The customer list of a sales representative or a team reads its page from the
``(run, owner, -clv, party)`` / ``(run, team, -clv, party)`` indexes, so the copy must
follow the party: the scoring run writes it, and ``sync_party_scope`` updates the current
run's rows when an owner or team changes (called by ``parties.actions`` in the same
transaction). Light on purpose: importable from the parties app without pandas.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection

from clientela.crm.scoring.models import CustomerScore, ModelRun


def copy_party_scope(run_id: int, party_ids: Iterable[int] | None = None) -> int:
    """Copy the parties' owner and team onto their scores in ``run_id`` where they differ
    (every party of the run, or only ``party_ids``); return how many scores changed.

    One UPDATE joining the parties; for a whole run of 1M scores a hash join that finds
    the few differences (seconds), for a few parties the (party, run) index."""
    differs = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    table = CustomerScore._meta.db_table
    sql = (
        f'UPDATE "{table}" SET owner_id = p.owner_id, team_id = p.team_id '  # noqa: S608 (constants)
        f'FROM parties_party p WHERE p.id = "{table}".party_id AND "{table}".run_id = %s '
        f'AND ("{table}".owner_id {differs} p.owner_id OR "{table}".team_id {differs} p.team_id)'
    )
    params: list[Any] = [run_id]
    if party_ids is not None:
        ids = sorted({int(i) for i in party_ids})
        if not ids:
            return 0
        sql += f' AND "{table}".party_id IN ({", ".join(["%s"] * len(ids))})'
        params += ids
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def sync_party_scope(party_ids: Iterable[int]) -> int:
    """After an owner or team change: copy them onto the parties' scores in the current
    run (no run yet: nothing to do). Call it inside the transaction of the change."""
    run_id = ModelRun.objects.filter(is_current=True).values_list("pk", flat=True).first()
    if run_id is None:
        return 0
    return copy_party_scope(run_id, party_ids)
