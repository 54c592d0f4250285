"""Fetch experiments for a user, or refuse.

An experiment is seen by whoever may see campaigns (the campaign's outcome report, and a
playbook's, whose builders are the same marketers); which of its money figures a role
sees is ``accounts.permissions.GROUP_OF_FIELD["experiment"]``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from clientela.crm.accounts.permissions import Op, can, first_or_refuse, hidden_fields
from clientela.crm.experiments.models import Experiment


def visible_experiments(user: Any) -> QuerySet[Experiment]:
    return Experiment.objects.all() if can(user, "campaign", "view") else Experiment.objects.none()


def access_experiment_by_id(user: Any, experiment_id: int, *, op: Op = "view") -> Experiment:
    return first_or_refuse(user, visible_experiments(user), experiment_id, entity="campaign", op=op)


def hidden_figures(user: Any) -> frozenset[str]:
    """The report's figures (metric names and money fields) the user may not see."""
    return hidden_fields(user, "experiment")
