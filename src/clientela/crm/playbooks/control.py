"""The playbook's control group, drawn by the experiments app (``crm/experiments``):
every playbook is an experiment (subject ``playbook``, its id); only customers assigned
``treated`` are acted on, the others are recorded as held out."""

from __future__ import annotations

from typing import Any

from clientela.crm.playbooks.models import Playbook


def groups(playbook: Playbook, party_ids: list[int], *, at: Any = None) -> dict[int, str]:
    """``{party_id: "treated" | "control" | "holdout"}``, stored by the experiments app so that
    a customer keeps the group they were drawn into."""
    if not party_ids:
        return {}
    try:
        from clientela.crm.experiments.assignment import assign, experiment_for
    except ImportError:  # TEMPORARY until the experiments branch is merged
        return _hashed(playbook, party_ids)
    experiment = experiment_for("playbook", playbook.pk, user=playbook.owner, name=playbook.name,
                                control_share=playbook.definition.get("control_share"))
    return dict(assign(experiment, party_ids, at=at))


def _hashed(playbook: Playbook, party_ids: list[int]) -> dict[int, str]:
    import hashlib

    share = float(playbook.definition.get("control_share") or 0)
    out = {}
    for party in party_ids:
        digest = hashlib.sha256(f"playbook:{playbook.pk}:{party}".encode()).digest()
        out[party] = "control" if int.from_bytes(digest[:8], "big") / 2**64 < share else "treated"
    return out
