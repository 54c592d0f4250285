"""GDPR erasure in the worker: erase one party as a job (idempotent: erasing an erased
party finds nothing personal left)."""

from __future__ import annotations

from typing import Any


def erase_job(job: Any, *, party_id: int, actor_id: int | None = None) -> dict[str, Any]:
    from clientela.crm.accounts.models import User
    from clientela.crm.parties.models import Party
    from clientela.crm.privacy.actions import erase_party

    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    party = Party.objects.get(pk=party_id)
    job.progress(0, 1, force=True)
    counts = erase_party(actor, party)
    job.progress(1, 1, force=True)
    return {"party_id": party_id, "rows": counts}


def queue_erasure(actor: Any, party: Any) -> Any:
    """Queue the erasure of ``party`` for the worker (audited through ``enqueue_job``);
    an erasure of it queued or running already is returned instead of a second one."""
    from django.db import transaction

    from clientela.crm.jobs.actions import enqueue_job
    from clientela.crm.jobs.queries import active_job
    from clientela.crm.parties.models import Party

    subject = f"party:{party.pk}"
    with transaction.atomic():
        Party.objects.select_for_update().filter(pk=party.pk).first()  # two requests at once queue one
        running = active_job(subject)
        if running is not None and running.kind == "privacy.erase":
            return running
        return enqueue_job(actor, kind="privacy.erase",
                           params={"party_id": party.pk, "actor_id": getattr(actor, "pk", None)},
                           label=f"Erase party {party.pk}", subject=subject)
