"""The SLA hours table: how long a case of each priority may stay unresolved.

``settings.py`` reads ``CLIENTELA_SLA_HOURS`` into ``SERVICE_SLA_HOURS`` (priority → hours);
the app checks its priorities when it starts (``check_hours_table`` from ``apps.py``).
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


def check_hours_table(table: dict[str, int]) -> None:
    """ValueError naming a key of ``SERVICE_SLA_HOURS`` that is not a priority."""
    for key in table:
        if key not in PRIORITIES:
            raise ValueError(f"{key!r}: expected PRIORITY=HOURS with PRIORITY one of {', '.join(PRIORITIES)}")
