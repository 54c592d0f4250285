"""Scheduled clean-up of what Django itself keeps: expired sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Any


def purge_expired_sessions(now: datetime) -> dict[str, Any]:
    """Delete sessions that expired before ``now`` (what ``clearsessions`` does, with the
    schedule's clock)."""
    from django.contrib.sessions.models import Session

    deleted, _ = Session.objects.filter(expire_date__lt=now).delete()
    return {"deleted": deleted}
