"""Acquisition cohorts and period retention.

Definitions
-----------
Cohort
    The calendar month of a customer's first order (returned and cancelled
    orders do not count).
Active in month ``t`` of the cohort
    Placed at least one order in the calendar month ``t`` months after the
    cohort month (``t = 0`` is the acquisition month, where everyone is
    active).  This is the usual non-contractual "active = purchased" cohort
    table (Fader & Hardie's cohort charts read the same way); it is a
    purchase rate, not survival: a customer can be inactive in month 2 and
    active again in month 3.
Unobserved cells
    Months after the month of ``as_of`` are NaN, not zero; the month of
    ``as_of`` itself is included and may be partial.  Months in which nobody
    was acquired have no row.
Period retention (:func:`period_retention`)
    For consecutive calendar periods (quarters by default), the retention rate
    of period ``t`` is the share of the customers active in ``t - 1`` who are
    active again in ``t``; churn rate = 1 - retention rate.  The first period
    has no retention rate (NaN).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from clientela.insight.frames import TimeLike, instant, money, require_columns, timestamps


@dataclass(frozen=True)
class Cohorts:
    """The cohort tables; rows are cohort months, columns months since acquisition.

    Attributes
    ----------
    sizes : Series
        Customers acquired in each cohort month (index ``Period[M]``).
    active : DataFrame
        Number of cohort members with an order in each month since acquisition.
    retention : DataFrame
        ``active / sizes``: share of the cohort active in each month.
    revenue : DataFrame
        Revenue of the cohort in each month since acquisition.
    revenue_per_customer : DataFrame
        ``revenue / sizes``.
    """

    sizes: pd.Series
    active: pd.DataFrame
    retention: pd.DataFrame
    revenue: pd.DataFrame
    revenue_per_customer: pd.DataFrame


def _purchases(orders: pd.DataFrame, as_of: TimeLike | None) -> pd.DataFrame:
    require_columns(orders, ("party_id", "ordered_at", "amount"), name="orders")
    frame = pd.DataFrame(
        {
            "party_id": orders["party_id"].to_numpy(),
            "at": timestamps(orders, "ordered_at", name="orders").to_numpy(),
            "amount": money(orders, "amount", name="orders").to_numpy(),
        }
    )
    keep = np.ones(len(frame), dtype=bool)
    if "status" in orders.columns:
        status = orders["status"].astype("string").fillna("").to_numpy()
        keep &= ~np.isin(status, ["returned", "cancelled"])
    if as_of is not None:
        keep &= (frame["at"] <= instant(as_of)).to_numpy()
    return frame[keep]


def cohort_table(orders: pd.DataFrame, *, as_of: TimeLike, max_months: int | None = None) -> Cohorts:
    """Acquisition-month cohorts by months since acquisition.

    Parameters
    ----------
    orders : DataFrame
        ``party_id``, ``ordered_at``, ``amount``; optional ``status``
        (``"returned"``/``"cancelled"`` rows are dropped).
    as_of : timestamp
        End of observation; later orders are ignored and later months are NaN.
    max_months : int, optional
        Keep months since acquisition ``0..max_months`` only.

    Returns
    -------
    Cohorts
    """
    frame = _purchases(orders, as_of)
    month = frame["at"].dt.to_period("M")
    month_index = month.dt.year.to_numpy() * 12 + month.dt.month.to_numpy() - 1
    first = pd.Series(month_index).groupby(frame["party_id"].to_numpy()).transform("min").to_numpy()
    age = month_index - first
    cells = pd.DataFrame(
        {"cohort": first, "age": age, "party_id": frame["party_id"].to_numpy(), "amount": frame["amount"].to_numpy()}
    )
    if max_months is not None:
        cells = cells[cells["age"] <= max_months]
    end = instant(as_of).to_period("M")
    end_index = end.year * 12 + end.month - 1
    n_ages = int(cells["age"].max()) + 1 if len(cells) else 1
    if max_months is not None:
        n_ages = max_months + 1
    cohorts = np.arange(int(cells["cohort"].min()), end_index + 1) if len(cells) else np.array([], dtype=np.int64)
    ages = np.arange(n_ages)

    active = cells.drop_duplicates(["cohort", "age", "party_id"]).pivot_table(
        index="cohort", columns="age", values="party_id", aggfunc="size", fill_value=0
    )
    revenue = cells.pivot_table(index="cohort", columns="age", values="amount", aggfunc="sum", fill_value=0.0)
    active = active.reindex(index=cohorts, columns=ages, fill_value=0).astype("float64")
    revenue = revenue.reindex(index=cohorts, columns=ages, fill_value=0.0).astype("float64")
    unobserved = (cohorts[:, None] + ages[None, :]) > end_index
    active = active.mask(unobserved)
    revenue = revenue.mask(unobserved)
    sizes = active[0].fillna(0).astype("int64") if len(ages) else pd.Series(dtype="int64")

    labels = pd.PeriodIndex([pd.Period(year=int(c // 12), month=int(c % 12) + 1, freq="M") for c in cohorts], name="cohort")
    for table in (active, revenue):
        table.index = labels
        table.columns = pd.Index(ages, name="months_since_acquisition")
    sizes.index = labels
    sizes.name = "customers"
    nonempty = (sizes > 0).to_numpy()
    sizes, active, revenue = sizes[nonempty], active[nonempty], revenue[nonempty]
    denominator = sizes.astype("float64")
    return Cohorts(
        sizes=sizes,
        active=active,
        retention=active.div(denominator, axis=0),
        revenue=revenue,
        revenue_per_customer=revenue.div(denominator, axis=0),
    )


def period_retention(orders: pd.DataFrame, *, freq: str = "Q", as_of: TimeLike | None = None) -> pd.DataFrame:
    """Active, retained and new customers, retention and churn rates per calendar period.

    Parameters
    ----------
    orders : DataFrame
        ``party_id``, ``ordered_at``, ``amount``; optional ``status``.
    freq : str
        pandas period alias: ``"M"``, ``"Q"`` (default) or ``"Y"``.
    as_of : timestamp, optional
        Ignore later orders.  The last period may be incomplete: drop it
        before quoting its retention rate.

    Returns
    -------
    DataFrame indexed by ``period``
        ``active`` (customers with an order in the period), ``retained``
        (active in the previous period and this one), ``new`` (first order
        ever in this period), ``retention_rate`` (``retained / active`` of the
        previous period) and ``churn_rate`` (``1 - retention_rate``).
    """
    frame = _purchases(orders, as_of)
    periods = frame["at"].dt.to_period(freq)
    # ``.array`` keeps the period dtype; ``to_numpy()`` would box every order as a Period object.
    pairs = pd.DataFrame({"party_id": frame["party_id"].to_numpy(), "period": periods.array})
    pairs = pairs.drop_duplicates()
    if pairs.empty:
        return pd.DataFrame(
            columns=["active", "retained", "new", "retention_rate", "churn_rate"],
            index=pd.PeriodIndex([], freq=freq, name="period"),
        )
    index = pd.period_range(pairs["period"].min(), pairs["period"].max(), freq=freq, name="period")
    active = pairs.groupby("period").size().reindex(index, fill_value=0)
    first = pairs.groupby("party_id")["period"].min()
    new = first.value_counts().reindex(index, fill_value=0)
    shifted = pairs.assign(period=pairs["period"] + 1)
    retained = (
        pairs.merge(shifted, on=["party_id", "period"], how="inner")
        .groupby("period")
        .size()
        .reindex(index, fill_value=0)
    )
    previous = active.shift(1)
    rate = retained / previous.where(previous > 0)
    out = pd.DataFrame(
        {
            "active": active.astype("int64"),
            "retained": retained.astype("int64"),
            "new": new.astype("int64"),
            "retention_rate": rate.astype("float64"),
            "churn_rate": (1.0 - rate).astype("float64"),
        },
        index=index,
    )
    out.loc[index[0], ["retention_rate", "churn_rate"]] = np.nan
    return out
