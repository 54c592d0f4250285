"""Output schema of audit entries (read-only)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema


class AuditEntryOut(Schema):
    id: int
    at: dt.datetime
    actor_id: int | None
    actor_name: str
    entity: str
    object_id: str
    action: str
    field: str
    old: str | None
    new: str | None
    party_id: int | None
