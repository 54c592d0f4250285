"""The playbook's control group, drawn by the experiments app (``crm/experiments``):
every playbook is an experiment (subject ``playbook``, its id; the control share of the
playbook's first version, as the experiment keeps its own once created); only customers
assigned ``treated`` are acted on, the others (``control``, and ``holdout`` — the global
holdout) are recorded as held out."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from clientela.crm.experiments.assignment import assign, experiment_for
from clientela.crm.playbooks.models import Playbook


def groups(playbook: Playbook, party_ids: list[int], *, at: Any = None) -> dict[int, str]:
    """``{party_id: "treated" | "control" | "holdout"}``, stored by the experiments app so that
    a customer keeps the group they were first drawn into."""
    if not party_ids:
        return {}
    share = Decimal(str(playbook.definition.get("control_share", "0.1")))
    experiment = experiment_for("playbook", playbook.pk, user=playbook.owner, name=playbook.name,
                                control_share=share)
    return dict(assign(experiment, party_ids, at=at))
