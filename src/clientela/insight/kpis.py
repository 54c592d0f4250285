"""Customer KPIs for management, from the per-customer score table and campaign spend.

Definitions (keys of :meth:`CustomerKPIs.as_dict`):

=======================  =======================================================
key                      definition
=======================  =======================================================
customer_equity          ``current + future``
customer_equity_current  sum of CLV over customers (parties with >= 1 purchase;
                         a missing CLV counts 0) -- Blattberg, Getz & Thomas 2001
customer_equity_future   value of future acquisitions net of their cost, given by
                         the caller (e.g. from :mod:`clientela.insight.allocation`)
customers                parties with at least one purchase
active_customers         customers with P(alive) >= 0.5; without ``p_alive``,
                         customers whose last purchase is within 365 days
mean_clv                 mean CLV over customers
acquisition_spend        spend of campaigns of kind ``"acquisition"`` starting in
                         the window
acquired_customers       customers with ``acquired_at`` in the window
cac                      acquisition_spend / acquired_customers
cac_by_channel           the same per channel (campaign ``channel`` matched with
                         the party's ``acquisition_channel``); NaN where a
                         channel spent but acquired nobody
clv_to_cac               mean CLV of the customers acquired in the window / cac
                         (mean_clv / cac when ``acquired_at`` is absent)
retention_rate           last row of a :func:`~clientela.insight.cohorts.period_retention`
                         table given by the caller (pass complete periods only)
churn_rate               1 - retention_rate
repeat_purchase_rate     customers with >= 2 purchases / customers
top20_revenue_share      share of revenue from the top 20 % of customers
ladder_distribution      parties per ladder stage, all stages listed
=======================  =======================================================

Undefined figures (no customers, no spend) are NaN, never a guess.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from clientela.insight.concentration import top_shares
from clientela.insight.frames import TimeLike, instant, money, optional_float, require_columns
from clientela.insight.vocabulary import STAGES


@dataclass(frozen=True)
class CustomerKPIs:
    """The KPI figures; see the module table for each definition."""

    customer_equity: float
    customer_equity_current: float
    customer_equity_future: float
    customers: int
    active_customers: int
    mean_clv: float
    acquisition_spend: float
    acquired_customers: int
    cac: float
    cac_by_channel: dict[str, float] = field(default_factory=dict)
    clv_to_cac: float = math.nan
    retention_rate: float = math.nan
    churn_rate: float = math.nan
    repeat_purchase_rate: float = math.nan
    top20_revenue_share: float = math.nan
    ladder_distribution: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Plain dict (JSON-ready except NaN, which the caller maps to null)."""
        return asdict(self)


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else math.nan


def customer_kpis(
    scores: pd.DataFrame,
    *,
    campaigns: pd.DataFrame | None = None,
    start: TimeLike | None = None,
    end: TimeLike | None = None,
    retention: pd.DataFrame | None = None,
    future_equity: float = 0.0,
    active_p_alive: float = 0.5,
    active_window_days: float = 365.0,
) -> CustomerKPIs:
    """Compute the customer KPIs.

    Parameters
    ----------
    scores : DataFrame, one row per party
        ``purchases`` (int) and ``clv`` (float) required; optional
        ``p_alive``, ``recency_days``, ``revenue`` (for the top-20 % share),
        ``stage`` (ladder stage, for the distribution), ``acquired_at`` and
        ``acquisition_channel`` (for CAC).
    campaigns : DataFrame, optional
        ``kind``, ``channel``, ``spend``, ``starts_on``; only kind
        ``"acquisition"`` counts towards CAC.
    start, end : timestamp, optional
        The CAC window ``[start, end)`` for both campaign ``starts_on`` and
        party ``acquired_at``; open-ended when omitted.
    retention : DataFrame, optional
        A :func:`~clientela.insight.cohorts.period_retention` table of
        complete periods; its last ``retention_rate`` is reported.
    future_equity : float
        The future part of customer equity (default 0).
    active_p_alive, active_window_days : float
        Thresholds of "active" (module table).
    """
    require_columns(scores, ("purchases", "clv"), name="scores")
    customer = scores["purchases"].fillna(0).to_numpy(dtype=np.float64) >= 1
    n_customers = int(customer.sum())
    clv = optional_float(scores, "clv")
    customer_clv = clv[customer]
    current = float(customer_clv.fillna(0.0).sum())
    mean_clv = float(customer_clv.mean()) if customer_clv.notna().any() else math.nan

    if "p_alive" in scores.columns:
        active = int((optional_float(scores, "p_alive")[customer] >= active_p_alive).sum())
    elif "recency_days" in scores.columns:
        active = int((optional_float(scores, "recency_days")[customer] <= active_window_days).sum())
    else:
        active = n_customers

    lo = instant(start) if start is not None else None
    hi = instant(end) if end is not None else None

    def in_window(stamps: pd.Series) -> np.ndarray:
        keep = stamps.notna().to_numpy().copy()
        if lo is not None:
            keep &= (stamps >= lo).to_numpy(dtype=bool, na_value=False)
        if hi is not None:
            keep &= (stamps < hi).to_numpy(dtype=bool, na_value=False)
        return keep

    spend_by_channel = pd.Series(dtype="float64")
    if campaigns is not None:
        require_columns(campaigns, ("kind", "channel", "spend", "starts_on"), name="campaigns")
        started = pd.to_datetime(campaigns["starts_on"], utc=True).dt.tz_convert(None)
        chosen = in_window(started) & (campaigns["kind"].astype("string").fillna("").to_numpy() == "acquisition")
        spend = money(campaigns, "spend", name="campaigns")[chosen]
        spend_by_channel = spend.groupby(campaigns["channel"][chosen].astype(str).to_numpy()).sum()
    acquisition_spend = float(spend_by_channel.sum())

    acquired_mask = np.zeros(len(scores), dtype=bool)
    acquired_by_channel = pd.Series(dtype="int64")
    if "acquired_at" in scores.columns:
        acquired_at = pd.to_datetime(scores["acquired_at"], utc=True).dt.tz_convert(None)
        acquired_mask = in_window(acquired_at) & customer
        if "acquisition_channel" in scores.columns:
            channels = scores["acquisition_channel"][acquired_mask].astype("string").fillna("").to_numpy()
            acquired_by_channel = pd.Series(channels).value_counts()
    acquired = int(acquired_mask.sum())
    cac = _ratio(acquisition_spend, acquired)
    cac_by_channel = {
        str(channel): _ratio(float(spend_by_channel[channel]), float(acquired_by_channel.get(channel, 0)))
        for channel in spend_by_channel.index
    }
    if acquired:
        clv_to_cac = _ratio(float(clv[acquired_mask].fillna(0.0).mean()), cac)
    else:
        clv_to_cac = _ratio(mean_clv, cac) if "acquired_at" not in scores.columns else math.nan

    retention_rate = math.nan
    if retention is not None and len(retention):
        require_columns(retention, ("retention_rate",), name="retention")
        retention_rate = float(retention["retention_rate"].iloc[-1])

    repeat = _ratio(float((scores["purchases"].fillna(0).to_numpy()[customer] >= 2).sum()), n_customers)
    top20 = math.nan
    if "revenue" in scores.columns and n_customers:
        top20 = top_shares(optional_float(scores, "revenue")[customer].fillna(0.0).to_numpy(), (0.2,))[0.2]
    ladder: dict[str, int] = {}
    if "stage" in scores.columns:
        counts = scores["stage"].astype("string").value_counts()
        ladder = {stage: int(counts.get(stage, 0)) for stage in STAGES}

    return CustomerKPIs(
        customer_equity=current + future_equity,
        customer_equity_current=current,
        customer_equity_future=future_equity,
        customers=n_customers,
        active_customers=active,
        mean_clv=mean_clv,
        acquisition_spend=acquisition_spend,
        acquired_customers=acquired,
        cac=cac,
        cac_by_channel=cac_by_channel,
        clv_to_cac=clv_to_cac,
        retention_rate=retention_rate,
        churn_rate=1.0 - retention_rate,
        repeat_purchase_rate=repeat,
        top20_revenue_share=top20,
        ladder_distribution=ladder,
    )
