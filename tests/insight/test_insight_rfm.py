"""RFM scores and segments on hand-made orders (answers worked out in comments)."""

from __future__ import annotations

import pandas as pd
import pytest

from clientela.insight import SEGMENTS, rfm, score_rfm, segment_counts
from clientela.insight.rfm import SEGMENT_GRID, quintile_scores, rfm_segments

AS_OF = "2026-11-23T00:00:00Z"


def test_quintile_scores_five_distinct_values_get_one_to_five() -> None:
    # n = 5, min ranks 1..5 -> 1 + floor(5 * (rank - 1) / 5) = rank.
    scores = quintile_scores(pd.Series([50.0, 10.0, 40.0, 20.0, 30.0]))
    assert scores.tolist() == [5, 1, 4, 2, 3]


def test_quintile_scores_ten_values_two_per_band() -> None:
    # n = 10: ranks 1..10 -> floor(5 * (r - 1) / 10) = 0,0,1,1,2,2,3,3,4,4.
    scores = quintile_scores(pd.Series(range(10), dtype="float64"))
    assert scores.tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_ties_share_the_lowest_score_whatever_the_row_order() -> None:
    # Values 1,1,1,1,2,3: min ranks 1,1,1,1,5,6 -> 1+floor(5*0/6)=1 (x4),
    # 1+floor(5*4/6)=1+3=4, 1+floor(5*5/6)=1+4=5.
    values = pd.Series([1.0, 1.0, 1.0, 1.0, 2.0, 3.0])
    assert quintile_scores(values).tolist() == [1, 1, 1, 1, 4, 5]
    shuffled = values.iloc[[5, 0, 4, 1, 2, 3]]
    assert quintile_scores(shuffled).tolist() == [5, 1, 4, 1, 1, 1]


def test_rfm_codes_and_segments_on_five_customers() -> None:
    orders = pd.DataFrame(
        {
            "party_id": ["a", "a", "a", "a", "b", "b", "b", "c", "c", "d", "e"],
            "ordered_at": [
                "2026-11-20", "2026-10-01", "2026-09-01", "2026-08-01",  # a: last 3 days ago, 4 orders
                "2026-11-10", "2026-06-01", "2026-05-01",  # b: 13 days, 3 orders
                "2026-08-25", "2026-01-01",  # c: 90 days, 2 orders
                "2026-05-27",  # d: 180 days, 1 order
                "2025-11-23",  # e: 365 days, 1 order
            ],
            "amount": [100, 100, 100, 200, 100, 50, 50, 60, 60, 30, 40],
        }
    )
    table = rfm(orders, as_of=AS_OF)
    # Recency days 3, 13, 90, 180, 365 -> R = 5, 4, 3, 2, 1.
    assert table["recency_days"].tolist() == [3.0, 13.0, 90.0, 180.0, 365.0]
    assert table["r_score"].tolist() == [5, 4, 3, 2, 1]
    # Frequency 4, 3, 2, 1, 1: min ranks 5, 4, 3, 1, 1 -> F = 5, 4, 3, 1, 1.
    assert table["f_score"].tolist() == [5, 4, 3, 1, 1]
    # Monetary 500, 200, 120, 30, 40: ranks 5, 4, 3, 1, 2 -> M = 5, 4, 3, 1, 2.
    assert table["m_score"].tolist() == [5, 4, 3, 1, 2]
    assert table["rfm_code"].tolist() == ["555", "444", "333", "211", "112"]
    # FM = floor((F + M + 1) / 2): 5, 4, 3, 1, 2 (e: (1+2+1)//2 = 2).
    assert table["fm_score"].tolist() == [5, 4, 3, 1, 2]
    # Grid: (5,5) champions, (4,4) loyal, (3,3) need attention, (2,1) hibernating, (1,2) lost.
    assert table["segment"].astype(str).tolist() == [
        "champions", "loyal", "need attention", "hibernating", "lost",
    ]
    counts = segment_counts(table)
    assert list(counts) == list(SEGMENTS) and sum(counts.values()) == 5
    assert counts["champions"] == 1 and counts["at risk"] == 0


def test_returned_and_cancelled_orders_and_later_orders_do_not_count() -> None:
    orders = pd.DataFrame(
        {
            "party_id": [1, 1, 1, 1],
            "ordered_at": ["2026-11-01", "2026-11-10", "2026-11-11", "2026-12-01"],
            "amount": [10.0, 99.0, 98.0, 97.0],
            "status": ["completed", "returned", "cancelled", "completed"],
        }
    )
    table = rfm(orders, as_of=AS_OF)
    assert table.loc[1, "frequency"] == 1
    assert table.loc[1, "monetary"] == 10.0
    assert table.loc[1, "recency_days"] == 22.0


def test_every_segment_is_reachable_and_grid_is_complete() -> None:
    names = {name for row in SEGMENT_GRID for name in row}
    assert names == set(SEGMENTS)
    r = pd.Series([r for r in range(1, 6) for _ in range(5)])
    fm = pd.Series([fm for _ in range(5) for fm in range(1, 6)])
    segments = rfm_segments(r, fm)
    assert segments.iloc[24] == "champions"  # R5 FM5
    assert segments.iloc[20] == "new"  # R5 FM1
    assert segments.iloc[4] == "cannot lose"  # R1 FM5


def test_missing_column_is_named() -> None:
    with pytest.raises(ValueError, match="'amount'"):
        rfm(pd.DataFrame({"party_id": [1], "ordered_at": ["2026-01-01"]}), as_of=AS_OF)
    with pytest.raises(ValueError, match="recency_days"):
        score_rfm(pd.DataFrame({"frequency": [1], "monetary": [1.0]}))
