"""The outcome report's interval for the repurchase rate: published values and exact coverage.

Repurchase is a 0/1 outcome, and the per-tier rows of an outcome report often have a handful
of control customers. Newcombe's hybrid score interval keeps its coverage there; the
unpooled-variance interval it replaced did not (a control group of four customers none of
whom bought again has no variance, and the interval collapsed onto the treated group's).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from clientela.insight.experiment_outcomes import compare, newcombe, wilson

# Newcombe (1998), Statistics in Medicine 17, 873-890, Table II, method 10 (95 %):
# x1/n1 - x2/n2 and the interval's ends to four decimals.
PUBLISHED = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((0, 10, 0, 10), (-0.2775, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
    ((10, 10, 0, 10), (0.6075, 1.0000)),
]


@pytest.mark.parametrize(("counts", "expected"), PUBLISHED)
def test_newcombe_reproduces_the_published_intervals(counts: tuple[int, int, int, int],
                                                     expected: tuple[float, float]) -> None:
    low, high = newcombe(*counts)
    assert (round(low, 4), round(high, 4)) == expected


def test_wilson_reproduces_a_published_interval() -> None:
    # Newcombe (1998), Statistics in Medicine 17, 857-872, Table I, method 3: 81/263.
    low, high = wilson(81, 263)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)


def _people(successes: int, n: int) -> np.ndarray:
    return np.r_[np.ones(successes), np.zeros(n - successes)]


GRID = [(0.25, 0.05), (0.15, 0.10), (0.30, 0.30), (0.50, 0.40)]


@pytest.mark.parametrize(("n1", "n2"), [(40, 4), (100, 10), (60, 30)])
def test_repurchase_intervals_keep_their_coverage_in_small_control_groups(n1: int, n2: int) -> None:
    # Exact, not simulated: P(the report's interval covers p1 - p2) sums every outcome
    # (x1, x2) weighted by its binomial probability. The old Welch interval covered
    # 0.70-0.94 on this grid; Newcombe's covers 0.948-0.962.
    ends = np.empty((n1 + 1, n2 + 1, 2))
    for x1 in range(n1 + 1):
        for x2 in range(n2 + 1):
            effect = compare("repurchase", _people(x1, n1), _people(x2, n2))
            assert effect is not None
            ends[x1, x2] = effect.ci_low, effect.ci_high
    for p1, p2 in GRID:
        weight = np.outer(stats.binom.pmf(np.arange(n1 + 1), n1, p1), stats.binom.pmf(np.arange(n2 + 1), n2, p2))
        covered = (ends[..., 0] <= p1 - p2 + 1e-12) & (p1 - p2 - 1e-12 <= ends[..., 1])
        assert float((weight * covered).sum()) >= 0.94, (p1, p2)


def test_a_repurchase_outcome_must_be_zero_or_one() -> None:
    with pytest.raises(ValueError, match="0/1"):
        compare("repurchase", [0, 1, 2], [0, 1, 0])
