"""Customer profitability: the ledger by hand, returns, campaign attribution, flags."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from clientela.insight import persistently_unprofitable, profitability, profitability_by_period


def _orders() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "party_id": ["a", "a", "b", "c", "c"],
            "ordered_at": ["2026-01-10", "2026-02-10", "2026-04-05", "2026-05-01", "2026-05-02"],
            "amount": [Decimal("100.00"), Decimal("50.00"), Decimal("80.00"), Decimal("300.00"), Decimal("40.00")],
            "cost": [Decimal("60.00"), Decimal("30.00"), Decimal("40.00"), Decimal("200.00"), Decimal("25.00")],
            "status": ["completed", "returned", "completed", "completed", "cancelled"],
        }
    )


def test_ledger_by_hand() -> None:
    interactions = pd.DataFrame(
        {
            "party_id": ["a", "a", "b", "d"],
            "occurred_at": ["2026-02-11", "2026-02-12", "2026-04-06", "2026-03-01"],
            "channel": ["phone", "email", "phone", "email"],
            "cost": [None, 1.0, 15.0, None],
        }
    )
    cases = pd.DataFrame({"party_id": ["b"], "opened_at": ["2026-04-07"], "cost": [30.0]})
    campaigns = pd.DataFrame(
        {
            "campaign_id": [1, 2, 3],
            "kind": ["acquisition", "retention", "retention"],
            "spend": [90.0, 20.0, 7.0],
            "starts_on": ["2026-01-01", "2026-04-01", "2026-04-01"],
        }
    )
    members = pd.DataFrame(
        {
            "campaign_id": [1, 1, 1, 2, 2],
            "party_id": ["a", "d", "e", "b", "c"],
            "acquired": [True, False, False, False, False],
        }
    )
    table = profitability(
        _orders(),
        interactions=interactions,
        service_cases=cases,
        campaigns=campaigns,
        campaign_members=members,
        channel_costs={"phone": 12.0, "email": 0.5},
    )
    a = table.loc["a"]
    # a: revenue 100 (the 50 order was returned: reversed, counted in returns),
    # COGS 60, margin 40; interactions phone 12 (channel cost) + email 1 = 13;
    # acquisition campaign 1 acquired only a -> a carries all 90.
    # net = 40 - 13 - 90 = -63.
    assert (a["revenue"], a["returned_revenue"], a["returns"]) == (100.0, 50.0, 1)
    assert (a["cost_of_goods"], a["gross_margin"]) == (60.0, 40.0)
    assert (a["interaction_cost"], a["cost_to_serve"], a["campaign_cost"]) == (13.0, 13.0, 90.0)
    assert a["net_contribution"] == pytest.approx(-63.0)
    assert bool(a["unprofitable"])
    b = table.loc["b"]
    # b: 80 - 40 = 40 margin; phone 15 + case 30 = 45 to serve; retention campaign 2
    # spread over its 2 members -> 10.  net = 40 - 45 - 10 = -15.
    assert b["cost_to_serve"] == 45.0 and b["campaign_cost"] == 10.0
    assert b["net_contribution"] == pytest.approx(-15.0)
    c = table.loc["c"]
    # c: cancelled order ignored; 300 - 200 - 10 = 90.
    assert c["revenue"] == 300.0 and c["net_contribution"] == pytest.approx(90.0)
    assert not bool(c["unprofitable"])
    # d: a prospect that cost an email at channel cost 0.5 and got no acquisition cost.
    assert table.loc["d", "net_contribution"] == pytest.approx(-0.5)
    assert "e" not in table.index
    # Campaign 3 has no members: its 7 are reported, not spread.
    assert table.attrs["unattributed_campaign_spend"] == 7.0


def test_acquisition_campaign_without_acquisitions_is_spread_over_members() -> None:
    campaigns = pd.DataFrame({"campaign_id": [1], "kind": ["acquisition"], "spend": [30.0], "starts_on": ["2026-01-01"]})
    members = pd.DataFrame({"campaign_id": [1, 1, 1], "party_id": ["a", "b", "c"]})
    table = profitability(_orders(), campaigns=campaigns, campaign_members=members)
    assert table["campaign_cost"].tolist() == [10.0, 10.0, 10.0]


def test_window_limits_rows() -> None:
    table = profitability(_orders(), start="2026-04-01", end="2026-06-01")
    assert set(table.index) == {"b", "c"}


def test_persistently_unprofitable_needs_the_last_k_periods_negative() -> None:
    orders = pd.DataFrame(
        {
            "party_id": ["x", "y", "z"],
            "ordered_at": ["2026-01-15", "2026-01-15", "2026-01-15"],
            "amount": [10.0, 100.0, 100.0],
            "cost": [8.0, 50.0, 50.0],
        }
    )
    interactions = pd.DataFrame(
        {
            "party_id": ["x", "x", "x", "y", "z"],
            "occurred_at": ["2026-02-01", "2026-05-01", "2026-08-01", "2026-08-01", "2026-05-01"],
            "cost": [5.0, 5.0, 5.0, 5.0, 5.0],
        }
    )
    by_period = profitability_by_period(orders, interactions=interactions, freq="Q")
    # Quarters 2026Q1..Q3.  x: 10-8-5 = -3, -5, -5 -> negative in last 2 -> flagged.
    # y: +50, 0, -5 -> only the last negative.  z: +50, -5, 0 -> last is 0.
    assert [str(p) for p in by_period.columns] == ["2026Q1", "2026Q2", "2026Q3"]
    assert by_period.loc["x"].tolist() == pytest.approx([-3.0, -5.0, -5.0])
    flags = persistently_unprofitable(by_period, periods=2)
    assert flags.to_dict() == {"x": True, "y": False, "z": False}
    assert persistently_unprofitable(by_period, periods=3)["x"]
    assert not persistently_unprofitable(by_period, periods=4).any()


def test_missing_order_cost_column_is_named() -> None:
    with pytest.raises(ValueError, match="orders: missing column.*'cost'"):
        profitability(_orders().drop(columns=["cost"]))
