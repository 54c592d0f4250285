"""Customer profitability: revenue down to net contribution, and the loss-makers.

Per party (customer accounting in the activity-based style of Kaplan &
Narayanan, "Measuring and managing customer profitability", 2001)::

    revenue          = order amounts (returned orders reversed, cancelled ignored)
    cost_of_goods    = order costs   (returned orders reversed, cancelled ignored)
    gross_margin     = revenue - cost_of_goods
    cost_to_serve    = interaction_cost + service_cost
    net_contribution = gross_margin - cost_to_serve - campaign_cost

Rules
-----
Returns
    An order with ``status == "returned"`` is kept in the ledger but its
    revenue and cost of goods are reversed (they net to zero: the money went
    back and the goods came back to stock), while every interaction and
    service case it caused stays as cost to serve.  ``returns`` counts such
    orders and ``returned_revenue`` sums their amounts.  ``"cancelled"``
    orders are ignored.  Credit notes given as negative amounts are taken as
    they are.
Cost to serve
    Each interaction at its ``cost``; where the cost is missing, at
    ``channel_costs[channel]`` when a mapping is given, else zero.  Service
    cases (optional input) at their ``cost``.
Attributed campaign cost
    Each campaign's ``spend`` is divided equally over an *attributed set*:
    for a campaign of kind ``"acquisition"`` with at least one member flagged
    ``acquired``, the acquired members (the customers won carry the cost of
    the prospects who were not -- the CAC view); for every other campaign, all
    its members.  Spend of a campaign with no members is not attributed to
    anyone; its total is kept in ``result.attrs["unattributed_campaign_spend"]``.
    In per-period tables campaign cost falls in the period of ``starts_on``.
Flags
    ``unprofitable``: net contribution < 0 over the window.
    ``persistently_unprofitable``: net contribution < 0 in each of the last
    ``periods`` (default 2) periods of a per-period table (default quarters).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict, Unpack

import numpy as np
import pandas as pd

from clientela.insight.frames import (
    TimeLike,
    instant,
    money,
    optional_float,
    require_columns,
    timestamps,
)

COMPONENTS: tuple[str, ...] = (
    "revenue",
    "returned_revenue",
    "returns",
    "cost_of_goods",
    "interaction_cost",
    "service_cost",
    "campaign_cost",
)

class CostInputs(TypedDict, total=False):
    """What both :func:`profitability` and :func:`profitability_by_period` read beside
    the orders (documented with :func:`profitability`)."""

    interactions: pd.DataFrame | None
    service_cases: pd.DataFrame | None
    campaigns: pd.DataFrame | None
    campaign_members: pd.DataFrame | None
    channel_costs: Mapping[str, float] | None
    start: TimeLike | None
    end: TimeLike | None


PROFIT_COLUMNS: tuple[str, ...] = (
    "revenue",
    "returned_revenue",
    "returns",
    "cost_of_goods",
    "gross_margin",
    "interaction_cost",
    "service_cost",
    "cost_to_serve",
    "campaign_cost",
    "net_contribution",
    "unprofitable",
)


def _ledger(
    orders: pd.DataFrame,
    *,
    interactions: pd.DataFrame | None,
    service_cases: pd.DataFrame | None,
    campaigns: pd.DataFrame | None,
    campaign_members: pd.DataFrame | None,
    channel_costs: Mapping[str, float] | None,
) -> tuple[pd.DataFrame, float]:
    """Long table ``party_id, at, component, value`` of every money movement."""
    parts: list[pd.DataFrame] = []

    require_columns(orders, ("party_id", "ordered_at", "amount", "cost"), name="orders")
    status = (
        orders["status"].astype("string").fillna("").to_numpy()
        if "status" in orders.columns
        else np.full(len(orders), "", dtype=object)
    )
    keep = status != "cancelled"
    returned = (status == "returned")[keep]
    party = orders["party_id"].to_numpy()[keep]
    at = timestamps(orders, "ordered_at", name="orders").to_numpy()[keep]
    amount = money(orders, "amount", name="orders").to_numpy()[keep]
    cost = money(orders, "cost", name="orders").to_numpy()[keep]
    sold = np.where(returned, 0.0, 1.0)
    for component, value in (
        ("revenue", amount * sold),
        ("cost_of_goods", cost * sold),
        ("returned_revenue", np.where(returned, amount, 0.0)),
        ("returns", returned.astype(np.float64)),
    ):
        parts.append(
            pd.DataFrame({"party_id": party, "at": at, "component": _component(component, party.size), "value": value})
        )

    if interactions is not None:
        require_columns(interactions, ("party_id", "occurred_at"), name="interactions")
        costs = optional_float(interactions, "cost")
        if channel_costs is not None and "channel" in interactions.columns:
            by_channel = interactions["channel"].map(dict(channel_costs)).astype("float64")
            costs = costs.fillna(by_channel)
        parts.append(
            pd.DataFrame(
                {
                    "party_id": interactions["party_id"].to_numpy(),
                    "at": timestamps(interactions, "occurred_at", name="interactions").to_numpy(),
                    "component": _component("interaction_cost", len(interactions)),
                    "value": costs.fillna(0.0).to_numpy(),
                }
            )
        )

    if service_cases is not None:
        require_columns(service_cases, ("party_id", "opened_at", "cost"), name="service_cases")
        parts.append(
            pd.DataFrame(
                {
                    "party_id": service_cases["party_id"].to_numpy(),
                    "at": timestamps(service_cases, "opened_at", name="service_cases").to_numpy(),
                    "component": _component("service_cost", len(service_cases)),
                    "value": money(service_cases, "cost", name="service_cases").to_numpy(),
                }
            )
        )

    unattributed = 0.0
    if campaigns is not None and campaign_members is not None:
        require_columns(campaigns, ("campaign_id", "spend", "starts_on"), name="campaigns")
        require_columns(campaign_members, ("campaign_id", "party_id"), name="campaign_members")
        camp = pd.DataFrame(
            {
                "campaign_id": campaigns["campaign_id"].to_numpy(),
                "spend": money(campaigns, "spend", name="campaigns").to_numpy(),
                "at": timestamps(campaigns, "starts_on", name="campaigns").to_numpy(),
                "acquisition": (
                    campaigns["kind"].astype("string").fillna("").to_numpy() == "acquisition"
                    if "kind" in campaigns.columns
                    else np.zeros(len(campaigns), dtype=bool)
                ),
            }
        )
        members = pd.DataFrame(
            {
                "campaign_id": campaign_members["campaign_id"].to_numpy(),
                "party_id": campaign_members["party_id"].to_numpy(),
                "acquired": (
                    campaign_members["acquired"].fillna(False).astype(bool).to_numpy()
                    if "acquired" in campaign_members.columns
                    else np.zeros(len(campaign_members), dtype=bool)
                ),
            }
        ).drop_duplicates(["campaign_id", "party_id"])
        members = members.merge(camp, on="campaign_id", how="inner")
        any_acquired = members.groupby("campaign_id")["acquired"].transform("any")
        # Acquisition campaigns that won someone: only the acquired carry the spend.
        members = members[~(members["acquisition"] & any_acquired) | members["acquired"]]
        share = members["spend"] / members.groupby("campaign_id")["party_id"].transform("size")
        parts.append(
            pd.DataFrame(
                {
                    "party_id": members["party_id"].to_numpy(),
                    "at": members["at"].to_numpy(),
                    "component": _component("campaign_cost", len(members)),
                    "value": share.to_numpy(),
                }
            )
        )
        unattributed = float(camp.loc[~camp["campaign_id"].isin(members["campaign_id"]), "spend"].sum())

    # Each part's component is already categorical (same categories), so the concatenation
    # stays categorical instead of building and converting millions of strings.
    ledger = pd.concat(parts, ignore_index=True)
    return ledger, unattributed


_COMPONENT_DTYPE = pd.CategoricalDtype(categories=list(COMPONENTS))


def _component(name: str, size: int) -> pd.Categorical:
    """``size`` copies of the component ``name`` as a categorical over :data:`COMPONENTS`."""
    codes = np.full(size, COMPONENTS.index(name), dtype=np.int8)
    return pd.Categorical.from_codes(codes, dtype=_COMPONENT_DTYPE)


def _finish(table: pd.DataFrame) -> pd.DataFrame:
    for component in COMPONENTS:
        if component not in table.columns:
            table[component] = 0.0
    table["returns"] = table["returns"].round().astype("int64")
    table["gross_margin"] = table["revenue"] - table["cost_of_goods"]
    table["cost_to_serve"] = table["interaction_cost"] + table["service_cost"]
    table["net_contribution"] = (
        table["gross_margin"] - table["cost_to_serve"] - table["campaign_cost"]
    )
    table["unprofitable"] = table["net_contribution"] < 0
    return table[list(PROFIT_COLUMNS)]


def _window(ledger: pd.DataFrame, start: TimeLike | None, end: TimeLike | None) -> pd.DataFrame:
    if start is not None:
        ledger = ledger[ledger["at"] >= instant(start)]
    if end is not None:
        ledger = ledger[ledger["at"] < instant(end)]
    return ledger


def _windowed_ledger(orders: pd.DataFrame, inputs: CostInputs) -> tuple[pd.DataFrame, float]:
    """The ledger of ``orders`` and ``inputs`` within ``[start, end)``, and the
    unattributed campaign spend."""
    ledger, unattributed = _ledger(
        orders, interactions=inputs.get("interactions"), service_cases=inputs.get("service_cases"),
        campaigns=inputs.get("campaigns"), campaign_members=inputs.get("campaign_members"),
        channel_costs=inputs.get("channel_costs"),
    )
    return _window(ledger, inputs.get("start"), inputs.get("end")), unattributed


def profitability(orders: pd.DataFrame, **inputs: Unpack[CostInputs]) -> pd.DataFrame:
    """Revenue, costs and net contribution per party over ``[start, end)``.

    Parameters
    ----------
    orders : DataFrame
        ``party_id``, ``ordered_at``, ``amount`` (revenue net of discounts),
        ``cost`` (cost of goods); optional ``status`` (``"returned"`` and
        ``"cancelled"`` are treated as in the module rules).
    interactions : DataFrame, optional
        ``party_id``, ``occurred_at``; optional ``cost`` and ``channel``.
    service_cases : DataFrame, optional
        ``party_id``, ``opened_at``, ``cost``.
    campaigns : DataFrame, optional
        ``campaign_id``, ``spend``, ``starts_on``; optional ``kind``
        (``"acquisition"``, ``"retention"``, ...).  Needs ``campaign_members``.
    campaign_members : DataFrame, optional
        ``campaign_id``, ``party_id``; optional ``acquired`` (bool: this
        campaign acquired the party).
    channel_costs : mapping, optional
        Cost of one interaction per channel, for interactions without a cost.
    start, end : timestamp, optional
        Window; rows are included when ``start <= at < end``.

    Returns
    -------
    DataFrame indexed by ``party_id``
        :data:`PROFIT_COLUMNS`: ``revenue``, ``returned_revenue``, ``returns``
        (int), ``cost_of_goods``, ``gross_margin``, ``interaction_cost``,
        ``service_cost``, ``cost_to_serve``, ``campaign_cost``,
        ``net_contribution`` (float) and ``unprofitable`` (bool).  Every party
        appearing in any input is a row.
    """
    ledger, unattributed = _windowed_ledger(orders, inputs)
    # The pivot (party x component sums) one component at a time: a one-key group-by
    # per component instead of a two-key one over the whole ledger. Each cell sums the
    # same rows in the same order, so the figures are the same to the last bit.
    codes = ledger["component"].cat.codes.to_numpy()
    sums = {
        name: ledger.loc[codes == code, ["party_id", "value"]].groupby("party_id")["value"].sum()
        for code, name in enumerate(COMPONENTS)
        if (codes == code).any()
    }
    if sums:
        table = pd.concat(sums, axis=1).sort_index().fillna(0.0)
    else:
        table = pd.DataFrame(index=pd.Index(ledger["party_id"].unique(), name="party_id"))
    table.index.name = "party_id"
    table.columns.name = None
    result = _finish(table)
    result.attrs["unattributed_campaign_spend"] = unattributed
    return result


def profitability_by_period(
    orders: pd.DataFrame, *, freq: str = "Q", **inputs: Unpack[CostInputs]
) -> pd.DataFrame:
    """Net contribution per party and calendar period (a wide table).

    Inputs as :func:`profitability`; ``freq`` is a pandas period alias
    (``"Q"`` quarters, ``"M"`` months, ``"Y"`` years).  Returns a DataFrame
    indexed by ``party_id`` with one column per ``Period`` from the first to
    the last period present, in order; a party with no movement in a period
    has 0 there.  Include only complete periods (set ``end`` to the start of
    the current period) when the table feeds
    :func:`persistently_unprofitable`.
    """
    ledger, _ = _windowed_ledger(orders, inputs)
    sign = np.where(ledger["component"].isin(["revenue"]), 1.0, -1.0)
    sign = np.where(ledger["component"].isin(["returned_revenue", "returns"]), 0.0, sign)
    flows = pd.DataFrame(
        {
            "party_id": ledger["party_id"].to_numpy(),
            "period": ledger["at"].dt.to_period(freq),
            "value": ledger["value"].to_numpy() * sign,
        }
    )
    wide = flows.pivot_table(
        index="party_id", columns="period", values="value", aggfunc="sum", fill_value=0.0
    )
    if len(wide.columns):
        full = pd.period_range(wide.columns.min(), wide.columns.max(), freq=freq)
        wide = wide.reindex(columns=full, fill_value=0.0)
    wide.columns.name = "period"
    return wide


def persistently_unprofitable(by_period: pd.DataFrame, *, periods: int = 2) -> pd.Series:
    """True where net contribution is negative in each of the last ``periods`` columns.

    Parameters
    ----------
    by_period : DataFrame
        Net contribution per party (rows) and period (columns, in time order),
        as :func:`profitability_by_period` returns.
    periods : int
        How many consecutive latest periods must be negative (default 2).

    Returns
    -------
    Series of bool, indexed like ``by_period``; all False when fewer than
    ``periods`` periods exist.
    """
    if periods < 1:
        raise ValueError("persistently_unprofitable: periods must be at least 1")
    if by_period.shape[1] < periods:
        return pd.Series(False, index=by_period.index, dtype=bool)
    last = by_period.iloc[:, -periods:].to_numpy(dtype=np.float64)
    return pd.Series((last < 0).all(axis=1), index=by_period.index, dtype=bool)
