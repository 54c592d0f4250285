"""The cohort matrix and period retention on a hand-made log."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clientela.insight import cohort_table, period_retention

ORDERS = pd.DataFrame(
    {
        "party_id": [1, 1, 1, 2, 2, 3, 4, 5],
        "ordered_at": [
            "2026-01-05", "2026-02-10", "2026-04-01",  # 1: Jan cohort, active months 0, 1, 3
            "2026-01-20", "2026-03-03",  # 2: Jan cohort, active months 0, 2
            "2026-02-14",  # 3: Feb cohort, month 0 only
            "2026-03-30",  # 4: Mar cohort
            "2026-03-31",  # 5: returned -> not a purchase
        ],
        "amount": [10.0, 20.0, 30.0, 5.0, 6.0, 100.0, 7.0, 999.0],
        "status": ["completed"] * 7 + ["returned"],
    }
)


def test_cohort_matrix_by_hand() -> None:
    cohorts = cohort_table(ORDERS, as_of="2026-04-15")
    assert [str(p) for p in cohorts.sizes.index] == ["2026-01", "2026-02", "2026-03"]
    assert cohorts.sizes.tolist() == [2, 1, 1]
    nan = np.nan
    # Jan: month 0 both, month 1 only #1, month 2 only #2, month 3 only #1.
    # Feb: observed months 0..2 (Feb, Mar, Apr).  Mar: months 0..1.
    expected_active = [[2, 1, 1, 1], [1, 0, 0, nan], [1, 0, nan, nan]]
    np.testing.assert_array_equal(cohorts.active.to_numpy(), np.array(expected_active, dtype=float))
    expected_retention = [[1, 0.5, 0.5, 0.5], [1, 0, 0, nan], [1, 0, nan, nan]]
    np.testing.assert_allclose(cohorts.retention.to_numpy(), expected_retention)
    # Jan revenue: month 0 = 10 + 5, month 1 = 20, month 2 = 6, month 3 = 30.
    np.testing.assert_allclose(cohorts.revenue.to_numpy()[0], [15, 20, 6, 30])
    np.testing.assert_allclose(cohorts.revenue_per_customer.to_numpy()[0], [7.5, 10, 3, 15])
    assert cohorts.active.columns.name == "months_since_acquisition"


def test_cohort_matrix_max_months() -> None:
    cohorts = cohort_table(ORDERS, as_of="2026-04-15", max_months=1)
    assert list(cohorts.active.columns) == [0, 1]


def test_period_retention_by_month() -> None:
    table = period_retention(ORDERS, freq="M")
    assert table["active"].tolist() == [2, 2, 2, 1]  # Jan {1,2}, Feb {1,3}, Mar {2,4}, Apr {1}
    assert table["new"].tolist() == [2, 1, 1, 0]
    assert table["retained"].tolist() == [0, 1, 0, 0]  # only #1 bought in Jan and Feb
    assert np.isnan(table["retention_rate"].iloc[0])
    assert table["retention_rate"].iloc[1:].tolist() == pytest.approx([0.5, 0.0, 0.0])
    assert table["churn_rate"].iloc[1:].tolist() == pytest.approx([0.5, 1.0, 1.0])


def test_period_retention_by_quarter() -> None:
    table = period_retention(ORDERS, freq="Q")
    # Q1 active {1,2,3,4}; Q2 active {1}, retained from Q1 = {1} -> 1/4.
    assert table["active"].tolist() == [4, 1]
    assert table["retention_rate"].iloc[1] == pytest.approx(0.25)
