"""Pareto/NBD discounted expected residual transactions: the ``U(1, 2-s, z)`` integral.

scipy's ``hyperu`` gave NaN (s = 10, z < 1) and values off by up to 99.97 % (s = 2,
z = 5e-9) in this range, so ``tricomi_u1`` integrates directly; it is checked here
against mpmath at 30 digits, and DERT as a whole against an independent mpmath
evaluation of its defining integral (Fader, Hardie & Lee 2005, JMR 42(4), eq. 2).
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientela.value.models.pareto_nbd import ParetoNBD, tricomi_u1

Z = np.array([1e-12, 1e-9, 5e-9, 1e-7, 1e-5, 1e-4, 1e-3, 0.01, 0.0611, 0.5, 1.0, 5.0, 50.0, 1e3, 1e5])


@pytest.mark.parametrize("s", [0.01, 0.05, 0.3, 0.61, 0.999, 1.0, 1.001, 2.0, 5.5, 10.0, 50.0, 300.0])
def test_u1_matches_mpmath(s: float) -> None:
    with mp.workdps(30):
        want = np.array([float(mp.hyperu(1, 2 - s, z)) for z in Z])
    got = tricomi_u1(s, Z)
    np.testing.assert_allclose(got, want, rtol=1e-11, atol=0)


def _fitted(r: float, alpha: float, s: float, beta: float) -> ParetoNBD:
    model = ParetoNBD()
    model.params_ = {"r": r, "alpha": alpha, "s": s, "beta": beta}
    return model


def _dert_mpmath(r, alpha, s, beta, x, t_x, big_t, delta, p_alive):  # type: ignore[no-untyped-def]
    """P(alive) (r+x)/(alpha+T) int_0^inf e^(-delta t) ((beta+T)/(beta+T+t))^s dt."""
    with mp.workdps(30):
        b = mp.mpf(beta) + big_t
        integral = mp.quad(lambda t: mp.e ** (-delta * t) * (b / (b + t)) ** s, [0, 1 / delta, mp.inf])
        return float(p_alive * (r + x) / (alpha + big_t) * integral)


@pytest.mark.parametrize("params", [
    (0.55, 10.58, 0.61, 11.67),  # CDNOW (Fader, Hardie & Lee 2005, Marketing Science)
    (2.0, 5.0, 2.0, 0.5),  # where scipy's hyperu was 97 % off
    (1.2, 30.0, 10.0, 3.0),  # where it returned NaN
])
def test_dert_matches_its_defining_integral(params: tuple[float, float, float, float]) -> None:
    model = _fitted(*params)
    summary = pd.DataFrame({"frequency": [0, 2, 14, 3], "recency": [0.0, 30.4, 70.0, 10.0],
                            "T": [38.9, 38.9, 77.0, 60.0]})
    delta = 0.0027  # about 15 % a year on weekly data
    got = model.expected_discounted_residual_transactions(delta, summary).to_numpy()
    alive = model.p_alive(summary).to_numpy()
    want = [_dert_mpmath(*params, row.frequency, row.recency, row.T, delta, a)
            for row, a in zip(summary.itertuples(), alive, strict=True)]
    np.testing.assert_allclose(got, want, rtol=1e-9)
    assert np.all(np.isfinite(got))


@settings(max_examples=60, deadline=None)
@given(s=st.floats(0.01, 500.0), beta=st.floats(1e-3, 1e4), big_t=st.floats(0.0, 1e3),
       delta=st.floats(1e-7, 10.0))
def test_dert_factor_is_finite_positive_and_below_one_over_delta(s: float, beta: float, big_t: float,
                                                                 delta: float) -> None:
    """E[1/(delta + mu)] for mu >= 0 lies in (0, 1/delta]."""
    b = beta + big_t
    value = b * tricomi_u1(s, np.array([delta * b]))[0]
    assert np.isfinite(value) and 0 < value <= 1 / delta * (1 + 1e-12)
