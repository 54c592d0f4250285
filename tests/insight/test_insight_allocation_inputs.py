"""The equity planner's calibration (``allocation_inputs``) on a hand-made history."""

from __future__ import annotations

import pandas as pd
import pytest

from clientela.insight import AllocationInputs, allocation_inputs


def _orders(rows: list[tuple[int, str, float, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["party_id", "ordered_at", "amount", "cost"])
    frame["ordered_at"] = pd.to_datetime(frame["ordered_at"], utc=True)
    return frame


def history() -> tuple[pd.DataFrame, pd.DataFrame]:
    # Quarters 2025Q3 … 2026Q3 complete at as_of 2026-11-01; 2026Q4 is incomplete.
    rows = []
    buyers = {  # quarter start → parties buying in it
        "2025-07-10": [1, 2, 3, 4],
        "2025-10-10": [1, 2, 3, 5],      # retained 3 of 4
        "2026-01-10": [1, 2, 6, 7],      # retained 2 of 4
        "2026-04-10": [1, 6, 7, 8],      # retained 3 of 4
        "2026-07-10": [1, 8, 9, 10],     # retained 2 of 4
        "2026-10-10": [1, 2, 3, 4, 5],   # incomplete quarter: ignored
    }
    for day, parties in buyers.items():
        rows += [(p, day, 100.0, 60.0) for p in parties]
    campaigns = pd.DataFrame({
        "kind": ["acquisition", "acquisition", "retention", "retention", "add_on"],
        "starts_on": pd.to_datetime(["2026-01-05", "2025-06-01", "2026-03-01", "2026-09-01", "2026-02-01"]).date,
        "spend": [3000.0, 9999.0, 800.0, 400.0, 555.0],
    })
    return _orders(rows), campaigns


def test_inputs_measured_by_hand() -> None:
    orders, campaigns = history()
    inputs = allocation_inputs(orders, campaigns, open_prospects=6, as_of=pd.Timestamp("2026-11-01", tz="UTC"),
                               discount_annual=0.1)
    # Last four complete quarters 2025Q4 … 2026Q3: retained 3 + 2 + 3 + 2 of 4 + 4 + 4 + 4.
    assert inputs.retention_rate == pytest.approx(10 / 16)
    assert inputs.customers == pytest.approx(4.0)
    assert inputs.margin == pytest.approx(40.0)  # 16 orders × 40 margin / 16 quarterly buyers
    # First orders in the year before 2026-11-01: parties 6, 7 (Jan), 8 (Apr), 9, 10 (Jul) → 5.
    assert inputs.prospects == 5 + 6
    assert inputs.acquisition_rate == pytest.approx(5 / 11)
    assert inputs.acquisition_budget == 3000.0  # the 2025-06 campaign is older than a year
    assert inputs.retention_budget == 1200.0
    assert inputs.discount == pytest.approx(1.1 ** 0.25 - 1)
    assert inputs.acquisition_ceiling == pytest.approx(5 / 11 + (6 / 11) / 2)
    assert inputs.retention_ceiling == pytest.approx(10 / 16 + (6 / 16) / 2)


def test_budgets_and_spends_round_trip_and_equity_scales_with_prospects() -> None:
    orders, campaigns = history()
    inputs = allocation_inputs(orders, campaigns, open_prospects=6, as_of=pd.Timestamp("2026-11-01", tz="UTC"),
                               discount_annual=0.1)
    a, r = inputs.spends(3000.0, 1200.0)
    assert a == pytest.approx(3000 / 11) and r == pytest.approx(1200 / 4 / 4)
    plan = inputs.plan()
    assert inputs.budgets(plan.current) == pytest.approx((3000.0, 1200.0))
    assert inputs.equity(3000.0, 1200.0) == pytest.approx(plan.current_equity)
    best = inputs.equity(*inputs.budgets(plan.optimal))
    assert best == pytest.approx(plan.optimal_equity)
    for acquisition, retention in ((0, 0), (1500, 600), (6000, 2400), (9000, 5000)):
        assert inputs.equity(acquisition, retention) <= best + 1e-9
    # Twice the prospects and twice the budget: the same curve per prospect, twice the equity.
    doubled = AllocationInputs(**{**inputs.__dict__, "prospects": 2 * inputs.prospects,
                                  "acquisition_budget": 2 * inputs.acquisition_budget})
    assert doubled.equity(6000.0, 1200.0) == pytest.approx(2 * inputs.equity(3000.0, 1200.0))


def test_missing_spend_or_history_is_named() -> None:
    orders, campaigns = history()
    as_of = pd.Timestamp("2026-11-01", tz="UTC")
    with pytest.raises(ValueError, match="retention spend"):
        allocation_inputs(orders, campaigns[campaigns["kind"] != "retention"], open_prospects=6, as_of=as_of,
                          discount_annual=0.1)
    with pytest.raises(ValueError, match="two complete quarters"):
        allocation_inputs(orders, campaigns, open_prospects=6, as_of=pd.Timestamp("2025-10-01", tz="UTC"),
                          discount_annual=0.1)
