"""Scheduled clean-up of what the API keeps: stored idempotent responses past their TTL.

A stored response can hold personal data (the body of the answer it replays), so it is
deleted once ``API_IDEMPOTENCY_TTL_SECONDS`` (24 h) have passed, not only when the same key
comes again (``gateway._reserve`` does that for one key).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings


def purge_expired_idempotency_keys(now: datetime) -> dict[str, Any]:
    from clientela.api.models import IdempotencyKey

    expired = now - timedelta(seconds=settings.API_IDEMPOTENCY_TTL_SECONDS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=expired).delete()
    return {"deleted": deleted}
