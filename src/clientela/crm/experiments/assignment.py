"""Randomized assignment of a campaign's or playbook's customers to treated and control.

The draw is the big stick design of ``insight.randomization``, run in each stratum — the
party's value tier in the current scoring run ("" without a score): within a tier the
number of controls stays within one party of ``control share × size`` however many calls
the parties arrive in (playbooks assign customers one batch at a time as they fire), and
the groups are a pure function of the experiment's stored seed and the order of the calls.

A party already assigned keeps its group (and stratum); a member of the global holdout
(``experiments.holdout``) is never assigned and is answered ``"holdout"`` (also when it was
assigned before the holdout drew it). ``contactable`` is what a sender may touch.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from clientela.crm.audit.actions import created, record_change
from clientela.crm.errors import InvalidInput
from clientela.crm.experiments.holdout import held_out_among
from clientela.crm.experiments.models import (
    DEFAULT_CONTROL_SHARE,
    HOLDOUT,
    Assignment,
    Experiment,
    Group,
    SubjectKind,
)
from clientela.insight.randomization import allocate

__all__ = ["assign", "contactable", "experiment_for"]

_SEED_BITS = 62


def _new_seed() -> int:
    """A fresh seed for an experiment or the holdout (stored, so the draw can be replayed)."""
    return secrets.randbits(_SEED_BITS)


def experiment_for(
    subject_kind: str,
    subject_id: int,
    *,
    user: Any,
    name: str,
    control_share: Decimal | None = None,
    seed: int | None = None,
) -> Experiment:
    """The experiment of a campaign or playbook, created (and audited) the first time.

    ``control_share`` (default 10 %) and ``seed`` (default a fresh random one) are used only
    when the experiment is created; an existing experiment keeps its own.
    """
    if subject_kind not in SubjectKind.values:
        raise InvalidInput({"subject_kind": f"{subject_kind!r} is not one of {', '.join(SubjectKind.values)}"})
    share = DEFAULT_CONTROL_SHARE if control_share is None else Decimal(control_share)
    if not Decimal("0") <= share < Decimal("1"):
        raise InvalidInput({"control_share": "must be at least 0 and below 1"})
    if seed is not None and not 0 <= int(seed) < 2**63:
        raise InvalidInput({"seed": "must be a non-negative 63-bit integer"})
    existing = Experiment.objects.filter(subject_kind=subject_kind, subject_id=subject_id).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            experiment = Experiment.objects.create(
                name=name[:200], subject_kind=subject_kind, subject_id=subject_id,
                control_share=share.quantize(Decimal("0.001")),
                seed=_new_seed() if seed is None else int(seed),
                created_by_id=getattr(user, "pk", None),
            )
            record_change(
                user, entity="experiment", object_id=experiment.pk, action="create",
                changes=created({"name": experiment.name, "subject_kind": subject_kind, "subject_id": subject_id,
                                 "control_share": experiment.control_share, "seed": experiment.seed}),
            )
    except IntegrityError:  # created by a concurrent call meanwhile
        return Experiment.objects.get(subject_kind=subject_kind, subject_id=subject_id)
    return experiment


def _strata(party_ids: list[int]) -> dict[int, str]:
    """Each party's value tier in the current scoring run ("" without a score)."""
    from clientela.crm.engagement.segments import tier_cutoffs, tier_of
    from clientela.crm.scoring.models import CustomerScore
    from clientela.crm.scoring.queries import current_run

    run = current_run()
    if run is None:
        return dict.fromkeys(party_ids, "")
    cutoffs = tier_cutoffs(run)
    values: dict[int, Any] = {}
    for start in range(0, len(party_ids), 2000):
        chunk = party_ids[start:start + 2000]
        values.update(CustomerScore.objects.filter(run=run, party_id__in=chunk).values_list("party_id", "clv"))
    return {pid: tier_of(values.get(pid), cutoffs) for pid in party_ids}


def assign(experiment: Experiment, party_ids: Iterable[int], *, at: datetime | None = None) -> dict[int, str]:
    """Each party's group: ``"treated"``, ``"control"`` or ``"holdout"`` (global holdout).

    Parties already assigned keep their group; the others are drawn as the module describes
    and recorded with their stratum and ``at`` (default now). One transaction, holding the
    experiment's row so that concurrent calls number the arrivals one after the other.
    """
    at = at or timezone.now()
    wanted = sorted({int(pid) for pid in party_ids})
    if not wanted:
        return {}
    with transaction.atomic():
        experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
        groups: dict[int, str] = {}
        for start in range(0, len(wanted), 2000):
            groups.update(Assignment.objects.filter(
                experiment=experiment, party_id__in=wanted[start:start + 2000]).values_list("party_id", "group"))
        # The global holdout wins over an earlier assignment (a party drawn into it after
        # being assigned is not touched again); its members are not assigned.
        held = held_out_among(wanted)
        fresh = [pid for pid in wanted if pid not in groups and pid not in held]
        groups.update(dict.fromkeys(held, HOLDOUT))
        by_stratum: dict[str, list[int]] = {}
        for pid, stratum in _strata(fresh).items():
            by_stratum.setdefault(stratum, []).append(pid)
        share = float(experiment.control_share)
        rows: list[Assignment] = []
        for stratum, ids in sorted(by_stratum.items()):
            so_far = Assignment.objects.filter(experiment=experiment, stratum=stratum)
            drawn = allocate(ids, seed=experiment.seed, stratum=stratum, share=share, k=so_far.count(),
                             controls=so_far.filter(group=Group.CONTROL).count())
            groups.update(drawn)
            rows.extend(Assignment(experiment=experiment, party_id=pid, group=group, stratum=stratum,
                                   assigned_at=at) for pid, group in drawn.items())
        Assignment.objects.bulk_create(rows, batch_size=2000)
        if rows:
            record_change(
                None, entity="experiment", object_id=experiment.pk, action="update",
                changes={"assigned": (None, len(rows)),
                         "control": (None, sum(r.group == Group.CONTROL for r in rows)),
                         "holdout": (None, len(held))},
            )
    return groups


def contactable(experiment: Experiment, party_ids: Iterable[int]) -> list[int]:
    """The treated ones among ``party_ids`` (assigning those not assigned yet): never a
    control member, never a member of the global holdout."""
    groups = assign(experiment, party_ids)
    return sorted(pid for pid, group in groups.items() if group == Group.TREATED)
