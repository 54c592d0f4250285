"""The ``voice.refresh`` job: ``actions.refresh_themes`` in the worker (a person's
*Refresh themes*; the nightly ``feedback-themes`` schedule calls the action directly)."""

from __future__ import annotations

from typing import Any


def refresh_job(job: Any, *, actor_id: int | None = None) -> dict[str, Any]:
    from clientela.crm.accounts.models import User
    from clientela.crm.voice.actions import refresh_themes

    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    return refresh_themes(actor)
