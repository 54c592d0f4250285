"""The SLA hours table: how long a case of each priority may stay unresolved.

No model imports here: ``settings.py`` parses ``CLIENTELA_SLA_HOURS`` with this module.
"""

from __future__ import annotations

from datetime import datetime, timedelta

PRIORITIES = ("low", "normal", "high", "urgent")
DEFAULT_HOURS = {"urgent": 4, "high": 8, "normal": 24, "low": 72}


def hours_for(priority: str) -> int:
    """Hours allowed for ``priority`` (``settings.SERVICE_SLA_HOURS`` over the defaults)."""
    from django.conf import settings

    table = {**DEFAULT_HOURS, **getattr(settings, "SERVICE_SLA_HOURS", {})}
    return int(table[priority])


def due_at(opened_at: datetime, priority: str) -> datetime:
    return opened_at + timedelta(hours=hours_for(priority))


def parse_hours_table(text: str) -> dict[str, int]:
    """Parse ``"urgent=4,high=8,normal=24,low=72"``; raise ValueError naming the bad part."""
    table: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        key = key.strip().lower()
        if not sep or key not in PRIORITIES:
            raise ValueError(f"{part!r}: expected PRIORITY=HOURS with PRIORITY one of {', '.join(PRIORITIES)}")
        try:
            hours = int(value)
        except ValueError:
            raise ValueError(f"{part!r}: hours must be a whole number") from None
        if hours <= 0:
            raise ValueError(f"{part!r}: hours must be positive")
        table[key] = hours
    return table
