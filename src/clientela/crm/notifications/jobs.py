"""The notification scans as the job scheduler runs them: ``f(now) -> dict`` (the
schedule's registry in ``crm.jobs.schedules`` names these paths), each calling its
action as the system (actor ``None``).

Suggested timings: ``notify-sla-breaches`` every 15 minutes, ``notify-due-tasks`` daily
at 07:00 (and again any time: it is idempotent), ``send-digests`` daily at 07:30.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any


def notify_due_tasks(now: datetime) -> dict[str, Any]:
    from clientela.crm.notifications import actions

    return {"notified": actions.notify_due_tasks(None, now)}


def notify_sla_breaches(now: datetime) -> dict[str, Any]:
    from clientela.crm.notifications import actions

    return {"notified": actions.notify_sla_breaches(None, now)}


def send_digests(now: datetime) -> dict[str, Any]:
    from clientela.crm.notifications import actions

    sent = actions.send_digests(None, now)
    return {"sent": len(sent), "to": [message.username for message in sent]}
