"""Reads of experiments that sending, pages and the API share."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from clientela.crm.experiments.holdout import held_out_party_ids, settings_row
from clientela.crm.experiments.models import Assignment, Experiment, Group, Holdout, HoldoutMember


def experiment_of(subject_kind: str, subject_id: int) -> Experiment | None:
    return Experiment.objects.filter(subject_kind=subject_kind, subject_id=subject_id).first()


def held_back(subject_kind: str, subject_id: int) -> Q:
    """A condition on ``party_id``: the party is in the subject's control group or in the
    global holdout — nobody a send or a playbook may touch."""
    control = Assignment.objects.filter(
        experiment__subject_kind=subject_kind, experiment__subject_id=subject_id, group=Group.CONTROL,
    ).values("party_id")
    return Q(party_id__in=control) | Q(party_id__in=held_out_party_ids())


def groups_of(experiment: Experiment | None, party_ids: list[int]) -> dict[int, str]:
    """The recorded group of each of ``party_ids`` ("holdout" for global-holdout members)."""
    if experiment is None or not party_ids:
        groups: dict[int, str] = {}
    else:
        groups = dict(Assignment.objects.filter(experiment=experiment, party_id__in=party_ids)
                      .values_list("party_id", "group"))
    holdout = settings_row()
    if holdout.enabled and party_ids:
        for pid in HoldoutMember.objects.filter(seed=holdout.seed, party_id__in=party_ids).values_list(
                "party_id", flat=True):
            groups[pid] = "holdout"
    return groups


def group_sizes(experiment: Experiment) -> dict[str, int]:
    rows = experiment.assignments.order_by().values("group").annotate(n=Count("id")).values_list("group", "n")
    sizes: dict[str, int] = {str(Group.TREATED): 0, str(Group.CONTROL): 0}
    sizes.update(dict(rows))
    return sizes


def list_experiments(subject_kind: str | None = None) -> QuerySet[Experiment]:
    qs = Experiment.objects.annotate(
        treated_n=Count("assignments", filter=Q(assignments__group=Group.TREATED)),
        control_n=Count("assignments", filter=Q(assignments__group=Group.CONTROL)),
    )
    if subject_kind:
        qs = qs.filter(subject_kind=subject_kind)
    return qs.order_by("-created_at", "-id")


def holdout_state() -> tuple[Holdout, int]:
    """The holdout's settings and how many members it holds now."""
    config = settings_row()
    n = HoldoutMember.objects.filter(seed=config.seed).count() if config.enabled else 0
    return config, n
