"""The experiments' part of a person's GDPR export and erasure (``crm.privacy``).

A party's rows are its group in each experiment and its global-holdout membership. They
hold no free text, so erasure changes nothing in them (the groups stay, so the outcome
reports' group sizes do not change); the export lists them.
"""

from __future__ import annotations

from typing import Any

from clientela.crm.experiments.models import Assignment, HoldoutMember


def export(party: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {"experiment": a.experiment.name, "subject_kind": a.experiment.subject_kind,
         "subject_id": a.experiment.subject_id, "group": a.group, "stratum": a.stratum,
         "assigned_at": a.assigned_at.isoformat()}
        for a in Assignment.objects.filter(party=party).select_related("experiment").order_by("id")
    ]
    rows += [{"global_holdout_since": m.since.isoformat()} for m in HoldoutMember.objects.filter(party=party)]
    return rows


def erase(party: Any, actor: Any) -> int:
    return 0
