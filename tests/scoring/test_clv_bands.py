"""The dashboard's CLV distribution: round 1-2-5 bands from 0 to the highest value."""

from __future__ import annotations

import math

import numpy as np
import pytest

from clientela.crm.scoring.charts import dashboard_charts
from clientela.crm.scoring.pipeline import MAX_BANDS, _histogram


def _round_125(x: float) -> bool:
    power = 10 ** math.floor(math.log10(x))
    return any(math.isclose(x, m * power) for m in (1, 2, 5))


def test_hand_worked_bands() -> None:
    # 5 % quantile of (0.3, 7, 10) is about 1.0 -> bands start at 1; 10 is the top edge.
    assert _histogram(np.array([0.3, 7.0, 10.0])) == {
        "edges": [0.0, 1.0, 2.0, 5.0, 10.0], "counts": [1, 0, 0, 2], "sums": [0.3, 0.0, 0.0, 17.0]}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_customer_in_its_band(seed: int) -> None:
    rng = np.random.default_rng(seed)
    values = np.round(rng.lognormal(5, 2.0, 5_000), 2)
    values[:300] = 0.0
    hist = _histogram(values)
    edges, counts, sums = np.array(hist["edges"]), np.array(hist["counts"]), np.array(hist["sums"])
    assert edges[0] == 0 and all(_round_125(e) for e in edges[1:])
    assert len(counts) == len(sums) == len(edges) - 1 <= MAX_BANDS
    assert edges[-2] < values.max() <= edges[-1]
    assert counts.sum() == values.size
    assert sums.sum() == pytest.approx(values.sum(), abs=0.01 * len(sums))
    for i in range(len(counts)):
        upper = values <= edges[i + 1] if i == len(counts) - 1 else values < edges[i + 1]
        inside = (values >= edges[i]) & upper
        assert counts[i] == inside.sum()
        assert sums[i] == pytest.approx(values[inside].sum(), abs=0.01)


def test_degenerate_inputs() -> None:
    assert _histogram(np.array([])) == {"edges": [], "counts": [], "sums": []}
    assert _histogram(np.zeros(4))["counts"] == [4]
    assert _histogram(np.array([5.0, np.nan])) == {"edges": [0.0, 5.0], "counts": [1], "sums": [5.0]}


def test_dashboard_table_gives_each_band_its_share_of_clv() -> None:
    report = {"currency": "PLN", "clv_distribution": _histogram(np.array([0.0, 30.0, 70.0, 900.0]))}
    chart = next(c for c in dashboard_charts(report, show_clv=True) if c.ident == "clv")
    assert len(chart.headers) == 4
    # The 5 % quantile of the positive values (30, 70, 900) is 34: the bands start at 20
    # and end at 1,000, the first round edge at or above 900. Columns: band, customers,
    # their CLV, their share of the 1,000 PLN total.
    assert [row[0] for row in chart.rows] == ["0–20", "20–50", "50–100", "100–200", "200–500", "500–1,000"]
    assert [row[1] for row in chart.rows] == ["1", "1", "1", "0", "0", "1"]
    assert [row[3] for row in chart.rows] == ["0.0 %", "3.0 %", "7.0 %", "0.0 %", "0.0 %", "90.0 %"]
