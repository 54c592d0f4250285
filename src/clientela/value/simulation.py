"""Exact simulators of the BG/NBD, MBG/NBD and Pareto/NBD models.

Used for parameter-recovery tests and benchmarks.  Each customer is observed
for a whole number of days; time is measured in weeks (days / 7), as in the
CDNOW summary.  Everything is vectorised over customers:

* purchases while alive form a Poisson process with rate ``lambda``; given
  ``K`` events in ``(0, L]`` their times are ``K`` sorted uniforms on
  ``(0, L]``, so the ``n``-th is ``L * Beta(n, K - n + 1)``;
* BG/NBD: the customer dies right after her ``N``-th repeat purchase,
  ``N ~ Geometric(p)`` on ``{1, 2, ...}``; MBG/NBD: ``N - 1`` (dropout also
  right after the first purchase); then ``x = min(K, N)`` over ``(0, T]``;
* Pareto/NBD: she dies at ``tau ~ Exp(mu)``; ``x ~ Poisson(lambda min(tau, T))``.

Recency is then counted in whole days (first purchase at a uniform time
within its day), as a summary built from dated transactions would be.  (Two purchases on the same day would collapse into
one period there; at the purchase rates simulated this is negligible.)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

DAYS_PER_WEEK = 7.0


def _observation_days(n: int, max_days: int, rng: np.random.Generator) -> NDArray[np.float64]:
    return rng.integers(1, max_days + 1, size=n).astype(np.float64)


def _summary(
    x: NDArray[np.int64],
    t_x: NDArray[np.float64],
    days: NDArray[np.float64],
    rng: np.random.Generator,
) -> pd.DataFrame:
    # The first purchase happens at a uniform time within its day, so the
    # day count between two purchases is floor(offset + elapsed days).
    offset = rng.uniform(0.0, 1.0, len(x))
    recency_days = np.minimum(np.floor(offset + t_x * DAYS_PER_WEEK), days)
    return pd.DataFrame(
        {
            "frequency": x,
            "recency": np.where(x > 0, recency_days, 0.0) / DAYS_PER_WEEK,
            "T": days / DAYS_PER_WEEK,
        }
    )


def simulate_beta_geo(
    params: dict[str, float],
    n: int,
    *,
    max_days: int = 365,
    rng: np.random.Generator,
    modified: bool = False,
) -> pd.DataFrame:
    """Simulate BG/NBD (or, with ``modified=True``, MBG/NBD) customer summaries.

    Parameters
    ----------
    params : dict
        ``r, alpha, a, b`` (rates per week).
    n : int
        Number of customers.
    max_days : int
        Each customer's observation length is uniform on ``1..max_days`` days.
    rng : numpy.random.Generator
        Source of randomness (seed it for reproducibility).
    modified : bool
        Simulate the MBG/NBD instead.

    Returns
    -------
    pandas.DataFrame
        Columns ``frequency, recency, T`` in weeks.
    """
    days = _observation_days(n, max_days, rng)
    big_t = days / DAYS_PER_WEEK
    lam = rng.gamma(params["r"], 1.0 / params["alpha"], size=n)
    p = rng.beta(params["a"], params["b"], size=n)
    alive_repeats = rng.geometric(p) - (1 if modified else 0)
    k = rng.poisson(lam * big_t)
    x = np.minimum(k, alive_repeats)
    return _summary(x, _nth_event_time(x, k, big_t, rng), days, rng)


def simulate_pareto_nbd(
    params: dict[str, float], n: int, *, max_days: int = 365, rng: np.random.Generator
) -> pd.DataFrame:
    """Simulate Pareto/NBD customer summaries (``r, alpha, s, beta``; see above)."""
    days = _observation_days(n, max_days, rng)
    big_t = days / DAYS_PER_WEEK
    lam = rng.gamma(params["r"], 1.0 / params["alpha"], size=n)
    mu = rng.gamma(params["s"], 1.0 / params["beta"], size=n)
    lifetime = np.minimum(rng.exponential(1.0 / mu), big_t)
    x = rng.poisson(lam * lifetime)
    return _summary(x, _nth_event_time(x, x, lifetime, rng), days, rng)


def _nth_event_time(
    nth: NDArray[np.int64],
    events: NDArray[np.int64],
    length: NDArray[np.float64],
    rng: np.random.Generator,
) -> NDArray[np.float64]:
    """Time of the ``nth`` of ``events`` uniform events on ``(0, length]`` (0 if none)."""
    has = nth > 0
    out = np.zeros(len(nth))
    out[has] = length[has] * rng.beta(nth[has], events[has] - nth[has] + 1)
    return out


def transactions_from_summary(
    summary: pd.DataFrame,
    *,
    start: str = "2024-01-01",
    rng: np.random.Generator,
    amount_shape: float = 5.0,
    amount_scale: float = 10.0,
) -> pd.DataFrame:
    """A dated transaction log consistent with a simulated summary (for benchmarks).

    Customer ``i`` makes her first purchase so that she is observed for ``T``
    weeks up to a common end date; her repeat purchases are at ``t_x`` and
    ``x - 1`` uniform times before it (the Poisson-process order statistics),
    on whole days.  Amounts are gamma-distributed.
    """
    x = summary["frequency"].to_numpy(np.int64)
    t_x = summary["recency"].to_numpy() * DAYS_PER_WEEK
    big_t = np.rint(summary["T"].to_numpy() * DAYS_PER_WEEK).astype(np.int64)
    horizon = int(big_t.max())
    first_day = horizon - big_t
    n = len(x)
    counts = x + 1
    customer = np.repeat(np.arange(n, dtype=np.int64), counts)
    offset = np.repeat(np.cumsum(counts) - counts, counts)
    rank = np.arange(len(customer)) - offset  # 0 = first purchase, x = last repeat
    span = np.repeat(t_x, counts)
    nrep = np.repeat(x, counts)
    day = rng.uniform(0.0, 1.0, len(customer)) * span
    day = np.where(rank == 0, 0.0, np.where(rank == nrep, span, day))
    whole_days = np.floor(day).astype(np.int64) + np.repeat(first_day, counts)
    dates = np.datetime64(start, "D") + whole_days.astype("timedelta64[D]")
    amounts = np.round(rng.gamma(amount_shape, amount_scale, len(customer)), 2)
    return pd.DataFrame({"customer_id": customer, "date": dates, "amount": amounts})
