"""Restricted randomization for control groups: the big stick design, per stratum.

A *big stick* design (Soares & Wu 1983, "Some restricted randomization rules in
sequential designs", Communications in Statistics — Theory and Methods 12(17)) tosses a
coin for each arriving unit unless the imbalance would cross a bound, where the allocation
is forced. Here it is generalised to an unequal allocation ``share`` (the control share
``p``) with the imbalance ``D = controls − p · n`` kept within ±1, separately in each
stratum (Rosenberger & Lachin 2016, *Randomization in Clinical Trials*, 2nd ed., ch. 3
and 7, stratified randomization). Every draw comes from
``numpy.random.default_rng([seed, stratum, k])`` for the k-th arrival, so the groups are a
pure function of the seed and of the order of the arrivals and can be replayed.

No Django here: ``crm.experiments.assignment`` stores the groups, and the demo company
draws its planted experiments with the same functions.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

CONTROL = "control"
TREATED = "treated"
STRATUM_CODES = {"": 0, "top": 1, "middle": 2, "rest": 3}
_EPS = 1e-12


def stratum_code(stratum: str) -> int:
    """The number a stratum's name enters the draws' seeds as (unknown names: 9)."""
    return STRATUM_CODES.get(stratum, 9)


def draw_group(*, seed: int, stratum: str, k: int, controls: int, share: float) -> str:
    """The group of the k-th (0-based) arrival in a stratum already holding ``controls``
    controls among ``k`` parties.

    Control with probability ``share`` unless that would take ``D`` above +1 (then
    treated), or treating would take it below −1 (then control); from ``|D| ≤ 1`` one of the
    two is always allowed, so the bound holds after every arrival.
    """
    imbalance = controls - share * k
    if imbalance + 1 - share > 1 + _EPS:
        return TREATED
    if imbalance - share < -1 - _EPS:
        return CONTROL
    u = np.random.default_rng([seed, stratum_code(stratum), k]).random()
    return CONTROL if u < share else TREATED


def arrival_order(ids: Sequence[int], *, seed: int, stratum: str, k: int) -> list[int]:
    """The units of one call in one stratum (``k`` arrived before) in an order drawn from
    the seed: sorted first, so the caller's order does not matter."""
    ordered = sorted(int(i) for i in ids)
    rng = np.random.default_rng([seed, stratum_code(stratum), k, 1])
    return [ordered[i] for i in rng.permutation(len(ordered))]


def allocate(ids: Sequence[int], *, seed: int, stratum: str, share: float, k: int = 0,
             controls: int = 0) -> dict[int, str]:
    """The groups of the units ``ids`` arriving together in a stratum where ``k`` units,
    ``controls`` of them in control, arrived before."""
    out: dict[int, str] = {}
    for unit in arrival_order(ids, seed=seed, stratum=stratum, k=k):
        group = draw_group(seed=seed, stratum=stratum, k=k, controls=controls, share=share)
        controls += group == CONTROL
        k += 1
        out[unit] = group
    return out
