"""The demo company's purchase behaviour: a seasonal BG/NBD buy-till-you-die process.

Pure NumPy, no Django. Time is measured in days from the start of the window.

Each customer makes a first purchase at acquisition. While alive, it buys as a Poisson
process with rate ``lambda ~ gamma(shape=r, scale=1/alpha)``; after each *repeat*
purchase it dies with probability ``p ~ beta(a, b)`` (Fader, Hardie & Lee 2005,
"Counting your customers the easy way", Marketing Science 24(2), the BG/NBD model).
Seasonality multiplies the rate by a month factor whose mean over the year is one;
the process is simulated by thinning (Lewis & Shedler 1979): candidate times come at
the peak rate and each is kept with probability ``season(t) / peak``. Dropout is only
drawn after a kept purchase, so the count/dropout structure is exactly BG/NBD with a
seasonal clock.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# December peak, summer dip; normalised below to a mean of one over the months.
_RAW_SEASON = np.array([0.85, 0.85, 0.95, 1.0, 1.0, 0.9, 0.75, 0.75, 1.0, 1.05, 1.3, 1.65])
MONTH_SEASONALITY: FloatArray = _RAW_SEASON / _RAW_SEASON.mean()


@dataclass(frozen=True)
class PurchaseProcess:
    """True population parameters of the BG/NBD process (rates per day)."""

    r: float = 0.75
    alpha: float = 70.0
    a: float = 0.9
    b: float = 3.5

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def season_by_day(start: date, days: int) -> FloatArray:
    """The month multiplier for every calendar day of the window."""
    months = np.array([(start + timedelta(days=i)).month - 1 for i in range(days)])
    return MONTH_SEASONALITY[months]


def draw_rates(
    rng: np.random.Generator, n: int, process: PurchaseProcess
) -> tuple[FloatArray, FloatArray]:
    """Each customer's purchase rate (per day) and dropout probability."""
    lam = rng.gamma(shape=process.r, scale=1.0 / process.alpha, size=n)
    p = rng.beta(process.a, process.b, size=n)
    return lam, p


@dataclass
class PurchaseHistory:
    """Purchases as parallel arrays, sorted by customer then time."""

    customer: IntArray
    time: FloatArray
    dropped_out: NDArray[np.bool_]
    dropped_out_time: FloatArray  # NaN when still alive at the end


def simulate_purchases(
    rng: np.random.Generator,
    *,
    first_purchase: FloatArray,
    lam: FloatArray,
    p: FloatArray,
    season: FloatArray,
) -> PurchaseHistory:
    """Simulate every customer at once, one candidate event per customer per round.

    ``first_purchase`` is the acquisition time (the first purchase, day offset); the
    horizon is ``len(season)`` days. Loops over rounds, vectorised over customers.
    """
    n = len(lam)
    horizon = float(len(season))
    peak = float(season.max())
    customers: list[IntArray] = [np.arange(n, dtype=np.int64)]
    times: list[FloatArray] = [first_purchase.astype(np.float64)]
    dropped = np.zeros(n, dtype=bool)
    dropped_time = np.full(n, np.nan)

    active = np.arange(n, dtype=np.int64)
    now = first_purchase.astype(np.float64).copy()
    while active.size:
        gaps = rng.exponential(1.0, size=active.size) / (lam[active] * peak)
        now[active] += gaps
        inside = now[active] < horizon
        active = active[inside]
        if not active.size:
            break
        t = now[active]
        kept = rng.random(active.size) < season[t.astype(np.int64)] / peak
        buyers = active[kept]
        customers.append(buyers)
        times.append(now[buyers].copy())
        dies = rng.random(buyers.size) < p[buyers]
        dead = buyers[dies]
        dropped[dead] = True
        dropped_time[dead] = now[dead]
        still = np.ones(active.size, dtype=bool)
        still[np.flatnonzero(kept)[dies]] = False
        active = active[still]

    customer = np.concatenate(customers)
    time = np.concatenate(times)
    order = np.lexsort((time, customer))
    return PurchaseHistory(customer[order], time[order], dropped, dropped_time)


def acquisition_days(rng: np.random.Generator, n: int, horizon: int) -> FloatArray:
    """Acquisition times over the window, growing over time and peaking before Christmas."""
    # A growing business: a third of the customers spread evenly, the rest with a density
    # rising linearly over time. The last week is left out so every customer has history.
    usable = horizon - 7
    even = rng.random(n) < 0.35
    u = rng.random(n)
    t = usable * np.where(even, u, np.sqrt(u))
    return np.sort(t)


def spend_levels(rng: np.random.Generator, n: int, *, shape: float, mean: float) -> FloatArray:
    """Each customer's mean basket value before discounts (gamma across customers, PLN)."""
    return rng.gamma(shape=shape, scale=mean / shape, size=n)
