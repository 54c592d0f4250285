"""Loyalty ladder stages, the missing-data notes, history and transitions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from clientela.insight import (
    STAGES,
    LadderRules,
    ladder_features,
    ladder_history,
    ladder_stages,
    stage_counts,
    transition_matrix,
)
from clientela.insight.ladder import NO_SATISFACTION_NOTE

nan = np.nan


def _features(**columns: list[object]) -> pd.DataFrame:
    return pd.DataFrame(columns, index=pd.Index(range(len(next(iter(columns.values())))), name="party_id"))


def test_stage_rules_with_full_data() -> None:
    features = _features(
        purchases=[0, 1, 3, 3, 3, 3, 3, 0, 4],
        p_alive=[nan, 0.9, 0.7, 0.7, 0.7, 0.2, 0.7, nan, 0.6],
        csat=[nan, 5, nan, 4, 3, nan, nan, nan, 2],
        nps=[nan, 10, 6, nan, 9, 10, nan, nan, nan],
        referrals=[0, 0, 0, 0, 0, 0, 2, 0, 0],
        is_partner=[False, False, False, False, False, False, False, True, False],
    )
    out = ladder_stages(features)
    assert out["stage"].astype(str).tolist() == [
        "prospect",  # 0: no purchase
        "customer",  # 1: one purchase; NPS 10 but not a repeat buyer
        "client",  # 2: repeat, alive, NPS 6 is neither satisfied nor promoter
        "supporter",  # 3: CSAT 4
        "advocate",  # 4: NPS 9 (CSAT 3 does not matter)
        "customer",  # 5: repeat but P(alive) 0.2 -> not a client, so not an advocate
        "advocate",  # 6: referred 2 parties, no satisfaction data needed
        "partner",  # 7: partnership flag, even without purchases
        "client",  # 8: CSAT 2 -> client, satisfaction measured
    ]
    assert out.loc[2, "satisfaction_basis"] == "nps"
    assert out.loc[4, "satisfaction_basis"] == "csat+nps"
    assert out.loc[3, "alive_basis"] == "p_alive"
    assert out.loc[1, "alive_basis"] == ""  # one purchase: not assessed
    assert (out["note"] == "").all()
    assert out.attrs["notes"] == []
    assert list(out["stage"].cat.categories) == list(STAGES)


def test_no_satisfaction_data_is_said_not_guessed() -> None:
    features = _features(purchases=[2, 2, 1], recency_days=[30.0, 400.0, 10.0], referrals=[0, 0, 0])
    out = ladder_stages(features)
    # 0: repeat, bought 30 days ago (within 365) -> client, supporter not assessed.
    # 1: repeat but 400 days -> customer.  2: one purchase -> customer.
    assert out["stage"].astype(str).tolist() == ["client", "customer", "customer"]
    assert out.loc[0, "note"] == NO_SATISFACTION_NOTE
    assert out.loc[0, "alive_basis"] == "recency"
    assert out.loc[0, "satisfaction_basis"] == "none"
    assert any("No satisfaction data" in note for note in out.attrs["notes"])
    assert any("No P(alive)" in note for note in out.attrs["notes"])


def test_p_alive_missing_for_one_party_falls_back_to_recency() -> None:
    features = _features(purchases=[3, 3, 3], p_alive=[0.4, nan, nan], recency_days=[5.0, 5.0, nan])
    out = ladder_stages(features)
    assert out["stage"].astype(str).tolist() == ["customer", "client", "customer"]
    assert out["alive_basis"].tolist() == ["p_alive", "recency", "none"]


def test_rules_are_configurable() -> None:
    features = _features(purchases=[3], p_alive=[0.4], csat=[3.0])
    loose = LadderRules(p_alive_threshold=0.3, csat_satisfied=3.0)
    assert ladder_stages(features, rules=loose)["stage"].astype(str).tolist() == ["supporter"]


PARTIES = pd.DataFrame(
    {
        "party_id": [1, 2, 3, 4],
        "is_partner": [False, False, False, True],
        "created_at": ["2025-01-01", "2025-01-01", "2026-05-01", "2025-01-01"],
    }
)
ORDERS = pd.DataFrame(
    {
        "party_id": [1, 1, 2, 2, 3, 1],
        "ordered_at": ["2026-01-10", "2026-02-10", "2025-03-01", "2025-04-01", "2026-06-01", "2026-03-01"],
        "status": ["completed", "completed", "completed", "completed", "completed", "cancelled"],
    }
)
FEEDBACK = pd.DataFrame(
    {
        "party_id": [1, 1],
        "answered_at": ["2026-05-01", "2026-08-01"],
        "kind": ["CSAT", "nps"],
        "score": [5, 10],
    }
)


def test_features_as_of_a_date() -> None:
    features = ladder_features(PARTIES, ORDERS, as_of="2026-06-30", feedback=FEEDBACK)
    assert features.loc[1, "purchases"] == 2  # the cancelled order does not count
    assert features.loc[1, "csat"] == 5 and np.isnan(features.loc[1, "nps"])  # NPS came later
    assert features.loc[2, "recency_days"] == 455.0  # 2025-04-01 -> 2026-06-30
    early = ladder_features(PARTIES, ORDERS, as_of="2026-03-31")
    assert 3 not in early.index  # created in May


def test_history_and_transition_matrix() -> None:
    referrals = pd.DataFrame({"referrer_id": [2], "referred_at": ["2026-08-15"]})
    history = ladder_history(
        PARTIES, ORDERS, start="2026-01-01", end="2026-09-30", freq="Q",
        feedback=FEEDBACK, referrals=referrals,
    )
    table = history.pivot(index="party_id", columns="period", values="stage").astype("string")
    # Party 1: Q1 two purchases, recent -> client; Q2 CSAT 5 -> supporter; Q3 NPS 10 -> advocate.
    assert table.loc[1].tolist() == ["client", "supporter", "advocate"]
    # Party 2: repeat buyer from 2025; last purchase 2025-04-01 -> client in Q1 2026
    # (364 days to 2026-03-31), lapsed by Q2; the referral in Q3 does not help a non-client.
    assert table.loc[2].tolist() == ["client", "customer", "customer"]
    # Party 3 exists from Q2, buys once in June.
    assert pd.isna(table.loc[3].iloc[0]) and table.loc[3].tolist()[1:] == ["customer", "customer"]
    assert table.loc[4].tolist() == ["partner"] * 3

    moves = transition_matrix(history)
    assert moves.loc["client", "supporter"] == 1
    assert moves.loc["supporter", "advocate"] == 1
    assert moves.loc["client", "customer"] == 1  # party 2 moved down
    assert moves.loc["partner", "partner"] == 2
    assert int(moves.to_numpy().sum()) == 7  # 1: 2 moves, 2: 2, 3: 1, 4: 2
    shares = transition_matrix(history, normalize=True)
    assert shares.loc["client"].sum() == 1.0
    assert shares.loc["prospect"].isna().all()

    counts = stage_counts(history[history["period"] == history["period"].max()])
    assert counts == {"prospect": 0, "customer": 2, "client": 0, "supporter": 0, "advocate": 1, "partner": 1}
