"""RFM: recency, frequency and monetary scores 1-5 and named segments.

Scores (Hughes, *Strategic Database Marketing*, 1994; the quintile coding of
direct marketing) -- each of R, F and M is scored 1-5, **5 best**:

* recency ``R``: days from the last order to ``as_of`` (fewer is better);
* frequency ``F``: number of orders;
* monetary ``M``: total revenue over the window.

Quintiles are **rank-based with ties sharing the lowest score**: with
``rank`` the 1-based ``min`` rank of the value among the ``n`` customers
(identical values get the same rank) the score is::

    score = 1 + floor(5 * (rank - 1) / n)

so every score band holds at most a fifth of the customers plus the ties that
straddle its lower edge, identical values always get the same score, and the
result does not depend on row order.  Recency is ranked on ``-recency_days``.
When most customers bought once, all of them get ``F = 1``: a one-order
customer is never scored above another one-order customer.

Segments come from ``R`` and ``FM = floor((F + M + 1) / 2)`` (the mean of F
and M, halves rounded up) through this table (our own, in the spirit of the
public "R x FM" grids used by RFM tools):

======  ==============  ===================  ===================  ===========  ===========
R \\ FM  1               2                    3                    4            5
======  ==============  ===================  ===================  ===========  ===========
5       new             potential loyalists  potential loyalists  champions    champions
4       promising       potential loyalists  potential loyalists  loyal        champions
3       about to sleep  about to sleep       need attention       loyal        loyal
2       hibernating     hibernating          at risk              at risk      cannot lose
1       lost            lost                 hibernating          at risk      cannot lose
======  ==============  ===================  ===================  ===========  ===========

Only parties with at least one order are scored; prospects have no RFM.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from clientela.insight.frames import TimeLike, instant, money, require_columns, timestamps
from clientela.insight.vocabulary import SEGMENTS as SEGMENTS

# SEGMENT_GRID[R - 1][FM - 1]; rows R = 1..5, columns FM = 1..5 (see the module table).
SEGMENT_GRID: tuple[tuple[str, ...], ...] = (
    ("lost", "lost", "hibernating", "at risk", "cannot lose"),
    ("hibernating", "hibernating", "at risk", "at risk", "cannot lose"),
    ("about to sleep", "about to sleep", "need attention", "loyal", "loyal"),
    ("promising", "potential loyalists", "potential loyalists", "loyal", "champions"),
    ("new", "potential loyalists", "potential loyalists", "champions", "champions"),
)


def quintile_scores(values: pd.Series) -> pd.Series:
    """Score ``values`` 1-5, higher values higher, ties sharing the lowest score.

    Parameters
    ----------
    values : Series of float
        One value per customer; NaN is not allowed.

    Returns
    -------
    Series of int8
        ``1 + floor(5 * (min_rank - 1) / n)``, same index as ``values``.
    """
    if values.isna().any():
        raise ValueError("quintile_scores: values must not be NaN")
    n = len(values)
    if n == 0:
        return pd.Series([], index=values.index, dtype="int8")
    rank = values.rank(method="min").to_numpy(dtype=np.int64)
    scores = 1 + (5 * (rank - 1)) // n
    return pd.Series(scores.astype(np.int8), index=values.index)


def rfm_summary(orders: pd.DataFrame, *, as_of: TimeLike) -> pd.DataFrame:
    """Recency, frequency and monetary value per party from an order log.

    Parameters
    ----------
    orders : DataFrame
        One row per order: ``party_id``, ``ordered_at`` (timestamp; naive is
        read as UTC), ``amount`` (revenue, Decimal or float); optional
        ``status`` -- rows with ``"returned"`` or ``"cancelled"`` are dropped.
        Orders after ``as_of`` are ignored.
    as_of : timestamp
        The moment recency is measured to.

    Returns
    -------
    DataFrame indexed by ``party_id``
        ``recency_days`` (float, days since the last order), ``frequency``
        (int, number of orders), ``monetary`` (float, total revenue).
    """
    require_columns(orders, ("party_id", "ordered_at", "amount"), name="orders")
    cutoff = instant(as_of)
    frame = pd.DataFrame(
        {
            "party_id": orders["party_id"].to_numpy(),
            "at": timestamps(orders, "ordered_at", name="orders").to_numpy(),
            "amount": money(orders, "amount", name="orders").to_numpy(),
        }
    )
    keep = frame["at"] <= cutoff
    if "status" in orders.columns:
        status = orders["status"].astype("string").fillna("").to_numpy()
        keep &= ~np.isin(status, ["returned", "cancelled"])
    frame = frame[keep]
    grouped = frame.groupby("party_id", sort=True)
    last = grouped["at"].max()
    out = pd.DataFrame(
        {
            "recency_days": (cutoff - last).dt.total_seconds() / 86400.0,
            "frequency": grouped.size().astype("int64"),
            "monetary": grouped["amount"].sum(),
        }
    )
    out.index.name = "party_id"
    return out


def rfm_segments(r_score: pd.Series, fm_score: pd.Series) -> pd.Series:
    """Segment name for each (R, FM) pair from :data:`SEGMENT_GRID` (vectorised lookup).

    Returns a categorical Series with categories :data:`SEGMENTS`.
    """
    r = r_score.to_numpy(dtype=np.int64)
    fm = fm_score.to_numpy(dtype=np.int64)
    if ((r < 1) | (r > 5) | (fm < 1) | (fm > 5)).any():
        raise ValueError("rfm_segments: scores must be integers 1-5")
    grid = np.array(SEGMENT_GRID, dtype=object)
    names = grid[r - 1, fm - 1]
    return pd.Series(pd.Categorical(names, categories=list(SEGMENTS)), index=r_score.index)


def score_rfm(summary: pd.DataFrame) -> pd.DataFrame:
    """Add R, F, M scores, the RFM code and the segment to an RFM summary.

    Parameters
    ----------
    summary : DataFrame
        One row per customer: ``recency_days``, ``frequency``, ``monetary``
        (as returned by :func:`rfm_summary`).

    Returns
    -------
    DataFrame
        ``summary`` plus ``r_score``, ``f_score``, ``m_score`` (int8 1-5),
        ``fm_score`` (int8, ``floor((F + M + 1) / 2)``), ``rfm_code`` (str, e.g.
        ``"545"``) and ``segment`` (categorical, see the module table).
    """
    require_columns(summary, ("recency_days", "frequency", "monetary"), name="summary")
    out = summary.copy()
    out["r_score"] = quintile_scores(-summary["recency_days"].astype("float64"))
    out["f_score"] = quintile_scores(summary["frequency"].astype("float64"))
    out["m_score"] = quintile_scores(summary["monetary"].astype("float64"))
    out["fm_score"] = ((out["f_score"].astype(np.int64) + out["m_score"] + 1) // 2).astype(np.int8)
    out["rfm_code"] = (
        out["r_score"].astype(str) + out["f_score"].astype(str) + out["m_score"].astype(str)
    )
    out["segment"] = rfm_segments(out["r_score"], out["fm_score"])
    return out


def rfm(orders: pd.DataFrame, *, as_of: TimeLike) -> pd.DataFrame:
    """:func:`rfm_summary` then :func:`score_rfm`: the full RFM table per party."""
    return score_rfm(rfm_summary(orders, as_of=as_of))


def segment_counts(scored: pd.DataFrame) -> dict[str, int]:
    """Number of customers in each segment, every segment present (zeros included)."""
    require_columns(scored, ("segment",), name="scored")
    counts = scored["segment"].value_counts()
    return {name: int(counts.get(name, 0)) for name in SEGMENTS}
