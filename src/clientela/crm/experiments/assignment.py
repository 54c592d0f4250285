"""Randomized assignment to treated and control groups, stratified by value tier.

The design is a *big stick* restricted randomization (Soares & Wu 1983, "Some restricted
randomization rules in sequential designs", Communications in Statistics 12(17)),
generalised to an unequal allocation ``p`` (the control share) and run separately in each
stratum (the party's value tier in the current scoring run, Rosenberger & Lachin 2016,
*Randomization in Clinical Trials*, ch. 3 and 7):

* Within a stratum, the parties are numbered in the order they arrive (parties arriving
  in one call are ordered by a shuffle drawn from the seed). Before the k-th arrival the
  imbalance is ``D = controls − p · (k − 1)``.
* The k-th party goes to control with probability ``p`` — unless that would take the
  imbalance above +1 (then it is treated) or treating it would take the imbalance below −1
  (then it is control). So in every stratum the number of controls stays within one
  party of ``p × size`` however many calls the parties arrive in — playbooks assign
  customers one batch at a time as they fire.
* The k-th draw is ``numpy.random.default_rng([seed, stratum, k])``: the groups are a pure
  function of the stored seed and the order of the calls, so they can be replayed.

A party already assigned keeps its group (and stratum); a member of the global holdout is
never assigned and is answered ``"holdout"`` (also when it was assigned before the holdout
drew it). ``contactable`` is what a sender may touch.
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

__all__ = ["assign", "contactable", "experiment_for"]

# The stratum codes that enter the draws' seeds (a party without a score is "").
_STRATUM_CODES = {"": 0, "top": 1, "middle": 2, "rest": 3}
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


def _draw_group(*, seed: int, stratum: str, k: int, controls: int, share: float) -> str:
    """The group of the k-th (0-based) arrival in a stratum holding ``controls`` controls."""
    imbalance = controls - share * k
    if imbalance + 1 - share > 1 + 1e-12:  # control would leave the +1 bound
        return Group.TREATED
    if imbalance - share < -1 - 1e-12:  # treated would leave the −1 bound
        return Group.CONTROL
    import numpy as np

    u = np.random.default_rng([seed, _STRATUM_CODES.get(stratum, 9), k]).random()
    return Group.CONTROL if u < share else Group.TREATED


def _arrival_order(ids: list[int], *, seed: int, stratum: str, k: int) -> list[int]:
    """The parties of one call in one stratum, in an order drawn from the seed."""
    import numpy as np

    ordered = sorted(ids)
    rng = np.random.default_rng([seed, _STRATUM_CODES.get(stratum, 9), k, 1])
    return [ordered[i] for i in rng.permutation(len(ordered))]


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
            k = so_far.count()
            controls = so_far.filter(group=Group.CONTROL).count()
            for pid in _arrival_order(ids, seed=experiment.seed, stratum=stratum, k=k):
                group = _draw_group(seed=experiment.seed, stratum=stratum, k=k, controls=controls, share=share)
                controls += group == Group.CONTROL
                k += 1
                groups[pid] = group
                rows.append(Assignment(experiment=experiment, party_id=pid, group=group, stratum=stratum,
                                       assigned_at=at))
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
