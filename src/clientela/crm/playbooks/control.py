"""The playbook's control group, drawn by the experiments app (``crm/experiments``):
every playbook is an experiment (subject ``playbook``, its id); only customers assigned
``treated`` are acted on, the others are recorded as held out."""

from __future__ import annotations

from typing import Any

from clientela.crm.playbooks.models import Playbook


def groups(playbook: Playbook, party_ids: list[int], *, at: Any = None) -> dict[int, str]:
    """``{party_id: "treated" | "control" | "holdout"}``, stored by the experiments app so that
    a customer keeps the group they were drawn into."""
    from clientela.crm.experiments.assignment import assign, experiment_for

    if not party_ids:
        return {}
    experiment = experiment_for("playbook", playbook.pk, user=playbook.owner, name=playbook.name,
                                control_share=playbook.definition.get("control_share"))
    return dict(assign(experiment, party_ids, at=at))
