"""Next best action for constructed parties, number formatting, and the KPI figures."""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
import pytest

from clientela.insight import ACTIONS, ActionRules, action_counts, customer_kpis, next_best_actions
from clientela.insight.next_best_action import format_amount, format_probability, format_ratio

nan = np.nan


def _parties() -> pd.DataFrame:
    return pd.DataFrame(
        {
            #   acq   none  retain win   dev   nurt  nurt  exit  none(supplier)  retain(no prev)
            "purchases": [0, 0, 5, 3, 8, 2, 1, 4, 0, 6],
            "is_prospect": [True, True, False, False, False, False, False, False, False, False],
            "prospect_signals": [2, 0, 0, 0, 0, 0, 0, 0, 5, 0],
            "p_alive": [nan, nan, 0.42, 0.1, 0.9, 0.8, nan, 0.2, nan, 0.45],
            "p_alive_previous": [nan, nan, 0.81, 0.5, 0.92, 0.8, nan, 0.3, nan, nan],
            "clv": [nan, nan, 3150, 100, 5000, 50, 20, 10, nan, 4000],
            "historical_value": [0, 0, 8000, 6000, 9000, 100, 30, 200, 0, 7000],
            "persistently_unprofitable": [False] * 7 + [True, False, False],
            "net_contribution": [0, 0, 1, 1, 1, 1, 1, -1234.4, 0, 1],
            "add_on_product": [None, None, None, None, "SKU-9", None, None, None, None, None],
            "add_on_lift": [nan, nan, nan, nan, 2.345, nan, nan, nan, nan, nan],
        },
        index=pd.Index(list("abcdefghij"), name="party_id"),
    )


def test_one_action_per_constructed_party() -> None:
    out = next_best_actions(_parties())
    # Customers' CLV median over c..h, j = [3150, 100, 5000, 50, 20, 10, 4000] -> 100;
    # historical value median over customers = 200.
    assert out["action"].astype(str).to_dict() == {
        "a": "acquire",  # prospect with 2 signals
        "b": "none",  # prospect without signals
        "c": "retain",  # CLV 3150 >= 100, P(alive) fell 0.81 -> 0.42 (>= 0.10)
        "d": "win_back",  # P(alive) 0.1 < 0.3 and past value 6000 >= 200
        "e": "develop",  # alive 0.9 with an add-on, lift 2.3 > 1
        "f": "nurture",  # low value (50 < 100), alive, no add-on
        "g": "nurture",  # P(alive) unknown
        "h": "managed_exit",  # persistently unprofitable beats everything
        "i": "none",  # neither customer nor prospect (a supplier)
        "j": "retain",  # no previous run: valuable with 0.3 <= 0.45 < 0.6
    }
    reasons = out["reason"].to_dict()
    assert reasons["c"] == "P(alive) fell from 0.81 to 0.42; CLV 3,150 PLN"
    assert reasons["j"] == "P(alive) 0.45 below 0.60; CLV 4,000 PLN"
    assert reasons["d"] == "lapsed: P(alive) 0.10; past value 6,000 PLN; CLV 100 PLN"
    assert reasons["e"] == "add-on SKU-9 (lift 2.3); P(alive) 0.90; CLV 5,000 PLN"
    assert reasons["h"].startswith("unprofitable in consecutive periods; net contribution -1,234 PLN")
    assert reasons["a"] == "prospect with 2 engagement signal(s)"
    assert reasons["i"] == "not a customer or prospect"
    assert out.loc["e", "add_on_product"] == "SKU-9"
    assert pd.isna(out.loc["c", "add_on_product"])
    counts = action_counts(out)
    assert list(counts) == list(ACTIONS) and sum(counts.values()) == 10


def test_thresholds_are_configurable() -> None:
    rules = ActionRules(valuable_clv=5000.0, lapsed_p_alive=0.05)
    out = next_best_actions(_parties(), rules=rules, currency="EUR")
    # c is no longer "valuable" (3150 < 5000): nurture; d (0.1) is no longer lapsed.
    assert out.loc["c", "action"] == "nurture"
    assert out.loc["d", "action"] == "nurture"
    assert out.loc["c", "reason"] == "CLV 3,150 EUR; P(alive) 0.42"


def test_number_formatting_is_exact() -> None:
    amounts = format_amount(pd.Series([0, 999.4, 999.6, 1000, -1234.4, 1234567, 12345678901, nan]), "PLN")
    assert amounts.tolist() == [
        "0 PLN", "999 PLN", "1,000 PLN", "1,000 PLN", "-1,234 PLN", "1,234,567 PLN",
        "12,345,678,901 PLN", "n/a",
    ]
    assert format_probability(pd.Series([0.0, 0.814, 1.0, nan])).tolist() == ["0.00", "0.81", "1.00", "n/a"]
    assert format_ratio(pd.Series([0.04, 2.36, -1.26, 12.0, nan])).tolist() == ["0.0", "2.4", "-1.3", "12.0", "n/a"]


def test_reasons_for_many_parties_are_fast() -> None:
    rng = np.random.default_rng(11)
    n = 100_000
    big = pd.DataFrame(
        {
            "purchases": rng.integers(0, 5, n),
            "p_alive": rng.random(n),
            "p_alive_previous": rng.random(n),
            "clv": rng.gamma(2, 500, n),
            "historical_value": rng.gamma(2, 500, n),
            "prospect_signals": rng.integers(0, 3, n),
            "add_on_product": np.where(rng.random(n) < 0.5, "SKU-1", None),
            "add_on_lift": rng.random(n) * 3,
        }
    )
    started = time.perf_counter()
    out = next_best_actions(big)
    elapsed = time.perf_counter() - started
    assert (out["reason"] != "").all()
    assert elapsed < 5.0, f"{elapsed:.2f} s for {n} parties"


def test_kpis_by_hand() -> None:
    scores = pd.DataFrame(
        {
            "purchases": [0, 1, 2, 3, 1],
            "clv": [nan, 100.0, 200.0, 300.0, nan],
            "p_alive": [nan, 0.2, 0.6, 0.9, 0.5],
            "revenue": [0.0, 10.0, 20.0, 70.0, 0.0],
            "stage": ["prospect", "customer", "client", "advocate", "customer"],
            "acquired_at": [None, "2026-01-05", "2026-02-01", "2025-01-01", "2026-03-01"],
            "acquisition_channel": [None, "web", "store", "web", "web"],
        }
    )
    campaigns = pd.DataFrame(
        {
            "kind": ["acquisition", "acquisition", "retention", "acquisition"],
            "channel": ["web", "store", "web", "sms"],
            "spend": [60.0, 30.0, 100.0, 15.0],
            "starts_on": ["2026-01-01", "2026-01-01", "2026-01-01", "2025-06-01"],
        }
    )
    retention = pd.DataFrame({"retention_rate": [nan, 0.4, 0.55]})
    kpis = customer_kpis(
        scores, campaigns=campaigns, start="2026-01-01", end="2026-12-01",
        retention=retention, future_equity=50.0,
    )
    # Customers: 4 (purchases >= 1).  Equity current 100+200+300 (+0 for missing) = 600.
    assert kpis.customers == 4
    assert kpis.customer_equity_current == 600.0 and kpis.customer_equity == 650.0
    assert kpis.mean_clv == pytest.approx(200.0)  # mean over known CLVs
    assert kpis.active_customers == 3  # P(alive) 0.6, 0.9, 0.5 >= 0.5
    # Acquisition spend in 2026: web 60 + store 30 = 90; acquired in 2026: 3 (web 2, store 1).
    assert kpis.acquisition_spend == 90.0 and kpis.acquired_customers == 3
    assert kpis.cac == pytest.approx(30.0)
    assert kpis.cac_by_channel == {"store": 30.0, "web": 30.0}
    # Mean CLV of the 2026 acquisitions: (100 + 200 + 0) / 3 = 100 -> / 30.
    assert kpis.clv_to_cac == pytest.approx(100.0 / 30.0)
    assert kpis.retention_rate == 0.55 and kpis.churn_rate == pytest.approx(0.45)
    assert kpis.repeat_purchase_rate == pytest.approx(2 / 4)
    # Top 20 % of 4 customers = ceil(0.8) = 1 -> 70 / 100.
    assert kpis.top20_revenue_share == pytest.approx(0.7)
    assert kpis.ladder_distribution == {
        "prospect": 1, "customer": 2, "client": 1, "supporter": 0, "advocate": 1, "partner": 0,
    }
    assert set(kpis.as_dict()) >= {"customer_equity", "cac_by_channel", "ladder_distribution"}


def test_kpis_undefined_figures_are_nan() -> None:
    kpis = customer_kpis(pd.DataFrame({"purchases": [0, 0], "clv": [nan, nan]}))
    assert kpis.customers == 0
    assert math.isnan(kpis.mean_clv) and math.isnan(kpis.cac) and math.isnan(kpis.repeat_purchase_rate)
    assert math.isnan(kpis.retention_rate)
