"""Reads that the playbook pages, the API and the CLI share."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from clientela.crm.playbooks.models import Firing, Outcome, Playbook, PlaybookRun, PlaybookVersion


def with_counts(playbooks: QuerySet[Playbook]) -> QuerySet[Playbook]:
    """Each playbook with how many customers it acted on and held out (all versions)."""
    return playbooks.select_related("owner").annotate(
        fired=Count("firings", filter=Q(firings__outcome=Outcome.FIRED)),
        held_out=Count("firings", filter=Q(firings__outcome=Outcome.HELD_OUT)),
    )


def recent_runs(playbook: Playbook, limit: int = 20) -> list[PlaybookRun]:
    return list(PlaybookRun.objects.filter(playbook=playbook).order_by("-at", "-id")[:limit])


def recent_firings(playbook: Playbook, limit: int = 50) -> list[Firing]:
    return list(Firing.objects.filter(playbook=playbook).select_related("party").order_by("-at", "-id")[:limit])


def versions(playbook: Playbook) -> list[PlaybookVersion]:
    return list(PlaybookVersion.objects.filter(playbook=playbook).select_related("created_by").order_by("-number"))


def history(firings: QuerySet[Firing], limit: int = 20) -> list[Firing]:
    """A customer's playbook history, newest first, with each playbook's name."""
    return list(firings.select_related("playbook").order_by("-at", "-id")[:limit])


def firing_json(firing: Firing) -> dict[str, Any]:
    return {"id": firing.pk, "playbook_id": firing.playbook_id, "version": firing.version,
            "party_id": firing.party_id, "group": firing.group, "outcome": firing.outcome,
            "at": firing.at.isoformat(), "done_at": firing.done_at.isoformat() if firing.done_at else None,
            "results": firing.results}
