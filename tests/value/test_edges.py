"""Issue 17: every input edge has its documented answer, on every route.

One table of edges (docs/value.md, "Input rules"); each is run on the DataFrame route
and on CSV and Parquet files, and gives the same summary or the same error naming the
column and the row (line, for CSV). Then the model edges: data that cannot identify a
model raise ModelFitError naming the reason, near-boundary optima warn, zero-spend
repeat buyers are excluded from Gamma-Gamma on request, and hypothesis keeps every fit
either a clear error or finite predictions in range.
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientela.value import (
    NBD,
    BetaGeo,
    BoundaryWarning,
    GammaGamma,
    ModelFitError,
    ModifiedBetaGeo,
    ParetoNBD,
    summarize,
)
from clientela.value.datasets import load_cdnow_summary

ROUTES = ("frame", "csv", "parquet")

# A small log: three customers, the second with a repeat in the same week.
BASE = pd.DataFrame(
    {
        "customer": [1, 1, 2, 2, 2, 3],
        "date": ["2025-01-06", "2025-02-10", "2025-01-13", "2025-01-14", "2025-03-03", "2025-02-17"],
        "amount": [10.0, 20.0, 5.0, 7.0, 30.0, 8.0],
    }
)


def _write(frame: pd.DataFrame, route: str, folder: Path) -> pd.DataFrame | Path:
    if route == "frame":
        return frame
    path = folder / f"log.{route}"
    if route == "csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)
    return path


def _summary(frame: pd.DataFrame, route: str, folder: Path, **kwargs: Any) -> pd.DataFrame:
    source = _write(frame, route, folder)
    options = {"customer": "customer", "date": "date", "amount": "amount", "period": "D"} | kwargs
    return summarize(source, **options)


def _reference(**kwargs: Any) -> pd.DataFrame:
    frame = BASE.assign(date=pd.to_datetime(BASE["date"]))
    options = {"customer": "customer", "date": "date", "amount": "amount", "period": "D"} | kwargs
    return summarize(frame, **options)


def _same(left: pd.DataFrame, right: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(
        left.reset_index(drop=True).astype("float64"),
        right.reset_index(drop=True).astype("float64"),
        check_names=False,
    )
    assert list(left.index.astype("int64")) == list(right.index.astype("int64"))


def _with_dates(values: list[Any]) -> pd.DataFrame:
    return BASE.assign(date=values)


# (name, the log, options, expected: "same" | error message fragment; rows for the error)
EDGES: list[tuple[str, Callable[[], pd.DataFrame], dict[str, Any], str]] = [
    ("empty log", lambda: BASE.iloc[:0], {}, "has no rows"),
    ("observation end before the data", lambda: BASE, {"observation_end": "2024-12-31"},
     "observation_end 2024-12-31 is before the first transaction (2025-01-06)"),
    ("calibration end before the data", lambda: BASE,
     {"calibration_end": "2024-12-31", "observation_end": "2025-03-31"},
     "calibration_end 2024-12-31 is before the first transaction"),
    ("integer YYYYMMDD dates",
     lambda: _with_dates([int(d.replace("-", "")) for d in BASE["date"]]), {}, "same"),
    ("string YYYYMMDD dates", lambda: _with_dates([d.replace("-", "") for d in BASE["date"]]), {}, "same"),
    ("ISO times with offsets",
     lambda: _with_dates([f"{d}T12:00:00+01:00" for d in BASE["date"]]), {}, "same"),
    ("ISO times in UTC (Z)", lambda: _with_dates([f"{d}T08:30:00Z" for d in BASE["date"]]), {}, "same"),
    # Spaces around a date (a padded export) are ignored by every route alike.
    ("dates with spaces around them", lambda: _with_dates([f" {d} " for d in BASE["date"]]), {}, "same"),
    ("YYYYMMDD with spaces around",
     lambda: _with_dates([f"  {d.replace('-', '')}\t" for d in BASE["date"]]), {}, "same"),
    ("ISO times with spaces around",
     lambda: _with_dates([f" {d}T12:00:00+01:00 " for d in BASE["date"]]), {}, "same"),
    ("an ambiguous date", lambda: _with_dates(["01/02/2025", *BASE["date"][1:]]), {}, "not"),
    ("a number that is not a date", lambda: _with_dates([1736121600, *[20250210] * 5]), {}, "not"),
    ("a missing date", lambda: _with_dates([*BASE["date"][:3], None, *BASE["date"][4:]]), {},
     "missing date"),
    ("a missing amount", lambda: BASE.assign(amount=[10.0, None, 5.0, 7.0, 30.0, 8.0]), {},
     "amount"),
    ("a missing customer", lambda: BASE.assign(customer=[1, 1, None, 2, 2, 3]), {}, "missing customer"),
    ("an unknown local day zone", lambda: BASE, {"local_day": "Mars/Olympus"}, "not a time zone"),
]

# Where each route names the row of the bad value (index label, CSV line, Parquet row).
ROWS = {
    "an ambiguous date": {"frame": "row 0", "csv": "line 2", "parquet": "row 1"},
    "a number that is not a date": {"frame": "row 0", "csv": "line 2", "parquet": "row 1"},
    "a missing date": {"frame": "row 3", "csv": "line 5", "parquet": "row 4"},
    "a missing amount": {"frame": "row 1", "csv": "line 3", "parquet": "row 2"},
    "a missing customer": {"frame": "row 2", "csv": "line 4", "parquet": "row 3"},
}


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize(("name", "log", "options", "expected"), EDGES, ids=[e[0] for e in EDGES])
def test_every_edge_has_its_answer_on_every_route(
    tmp_path: Path, route: str, name: str, log: Callable[[], pd.DataFrame],
    options: dict[str, Any], expected: str,
) -> None:
    if expected == "same":
        _same(_summary(log(), route, tmp_path, **options), _reference(**options))
        return
    with pytest.raises(ValueError, match=re.escape(expected)) as caught:
        _summary(log(), route, tmp_path, **options)
    where = ROWS.get(name, {}).get(route)
    if where is not None:
        assert where in str(caught.value), str(caught.value)


DST = pd.DataFrame(
    {  # Europe/Warsaw: CET (+01:00) until 2025-03-30 02:00, CEST (+02:00) after
        "customer": [7, 7, 7],
        "date": ["2025-03-29T12:00:00+01:00", "2025-03-30T00:30:00+01:00", "2025-03-31T01:30:00+02:00"],
        "amount": [1.0, 2.0, 3.0],
    }
)


@pytest.mark.parametrize("route", ROUTES)
def test_aware_times_across_daylight_saving_in_utc_and_local_days(tmp_path: Path, route: str) -> None:
    # In UTC the three purchases fall on 03-29, 03-29 (23:30) and 03-30 (23:30): two days.
    utc = _summary(DST, route, tmp_path)
    assert (utc.loc[7, "frequency"], utc.loc[7, "recency"], utc.loc[7, "T"]) == (1, 1.0, 1.0)
    assert utc.loc[7, "monetary_value"] == 3.0
    # In Warsaw they fall on 03-29, 03-30 and 03-31: three days.
    local = _summary(DST, route, tmp_path, local_day="Europe/Warsaw")
    assert (local.loc[7, "frequency"], local.loc[7, "recency"], local.loc[7, "T"]) == (2, 2.0, 2.0)


@pytest.mark.parametrize("route", ROUTES)
def test_plain_dates_keep_their_day_in_a_zone_west_of_utc(tmp_path: Path, route: str) -> None:
    # "2025-01-06" ends in "-06", which is not a UTC offset: the day stays the 6th, 12th, 20th.
    log = pd.DataFrame({"customer": [3, 3, 3], "date": ["2025-01-06", "2025-01-12", "2025-01-20"],
                        "amount": [1.0, 2.0, 3.0]})
    local = _summary(log, route, tmp_path, local_day="America/Chicago", observation_end="2025-01-21")
    assert (local.loc[3, "frequency"], local.loc[3, "recency"], local.loc[3, "T"]) == (2, 14.0, 15.0)


def test_aware_parquet_timestamps_use_the_local_day(tmp_path: Path) -> None:
    frame = DST.assign(date=pd.to_datetime(DST["date"], utc=True))
    path = tmp_path / "aware.parquet"
    frame.to_parquet(path, index=False)
    kwargs = {"customer": "customer", "date": "date", "amount": "amount", "period": "D"}
    assert summarize(path, **kwargs).loc[7, "frequency"] == 1
    assert summarize(path, local_day="Europe/Warsaw", **kwargs).loc[7, "frequency"] == 2
    assert summarize(frame, local_day="Europe/Warsaw", **kwargs).loc[7, "frequency"] == 2


def test_holdout_mean_spend_is_the_mean_of_period_totals() -> None:
    # Customer 2 buys twice in the holdout week of 2025-03-03 (4 + 6) and once later (20):
    # two holdout weeks, totals 10 and 20, mean 15 (lifetimes would average 4, 6, 20).
    log = pd.DataFrame({"customer": [2, 2, 2, 2], "date": pd.to_datetime(
        ["2025-01-06", "2025-03-03", "2025-03-04", "2025-03-17"]), "amount": [1.0, 4.0, 6.0, 20.0]})
    table = summarize(log, customer="customer", date="date", amount="amount", period="W",
                      calibration_end="2025-02-28", observation_end="2025-03-31")
    assert table.loc[2, "frequency_holdout"] == 2
    assert table.loc[2, "monetary_value_holdout"] == 15.0


# --- models ---------------------------------------------------------------------------

STEADY = pd.DataFrame({  # everyone buys every week and is seen in the last one: no churn
    "frequency": [51, 50, 52, 49, 51, 50] * 20,
    "recency": [51.0, 50.0, 52.0, 49.0, 51.0, 50.0] * 20,
    "T": [51.0, 50.0, 52.0, 49.0, 51.0, 50.0] * 20,
})

def _boundary_summary() -> pd.DataFrame:
    from clientela.value.simulation import simulate_beta_geo

    data = simulate_beta_geo({"r": 0.25, "alpha": 4.4, "a": 0.8, "b": 2.4}, 20_000,
                             rng=np.random.default_rng(1))
    data.loc[data["frequency"] > 0, "recency"] = data.loc[data["frequency"] > 0, "T"]
    return data


STEADY_SIM = _boundary_summary()

MODEL_EDGES = [
    ("one customer", BetaGeo, pd.DataFrame({"frequency": [3], "recency": [20.0], "T": [30.0]}),
     "one customer"),
    ("1,000 identical customers", ParetoNBD,
     pd.DataFrame({"frequency": [3] * 1000, "recency": [20.0] * 1000, "T": [30.0] * 1000}),
     "all 1,000 customers have the same history"),
    ("constant spend", GammaGamma,
     pd.DataFrame({"frequency": [1, 2, 3, 5, 8] * 40, "monetary_value": [25.0] * 200}),
     "same average spend"),
    ("no churn visible (BG/NBD)", BetaGeo, STEADY, "no dropout is visible"),
    ("no churn visible (MBG/NBD)", ModifiedBetaGeo, STEADY, "do not identify"),
    ("no churn visible (Pareto/NBD)", ParetoNBD, STEADY, "do not identify"),
    ("nobody buys again", NBD, pd.DataFrame({"frequency": [0] * 5, "recency": [0.0] * 5,
                                             "T": [1.0, 2.0, 3.0, 4.0, 5.0]}), "repeat purchase"),
]


@pytest.mark.parametrize(("name", "cls", "data", "message"), MODEL_EDGES, ids=[e[0] for e in MODEL_EDGES])
def test_unidentified_data_raise_model_fit_error_naming_the_reason(
    name: str, cls: type, data: pd.DataFrame, message: str
) -> None:
    with pytest.raises(ModelFitError, match=message):
        cls().fit(data)


def test_penalizer_identifies_what_the_data_do_not() -> None:
    # The no-churn data with a weak prior: finite parameters, every prediction finite.
    for cls in (BetaGeo, NBD):
        model = cls(penalizer=1e-3).fit(STEADY)
        assert all(np.isfinite(v) and v > 0 for v in model.params_.values())
        assert np.isfinite(model.expected_purchases(10, STEADY)).all()
    # The log-likelihood stays the data's own: the unpenalised fit is at least as high.
    cdnow = load_cdnow_summary()
    assert BetaGeo().fit(cdnow).log_likelihood_ >= BetaGeo(penalizer=0.01).fit(cdnow).log_likelihood_


def test_near_boundary_optimum_warns_and_records_it() -> None:
    # Spend that varies very little, within and between customers (p = q = 2e4): a true
    # optimum near the limit, recovered, with a warning; the same limit with no
    # variation at all is an error (constant spend, above).
    rng = np.random.default_rng(3)
    n, p, q = 20_000, 2e4, 2e4
    nu = rng.gamma(q, p / (50 * (q - 1)), n)
    x = rng.integers(1, 10, n)
    data = pd.DataFrame({"frequency": x, "monetary_value": rng.gamma(p * x, 1 / nu) / x})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", BoundaryWarning)
        model = GammaGamma().fit(data)
    notes = [str(w.message) for w in caught if issubclass(w.category, BoundaryWarning)]
    assert notes == model.fit_warnings_
    assert any("p = " in note and "near its limit" in note for note in notes)
    assert model.params_["p"] == pytest.approx(p, rel=0.2) and model.params_["q"] == pytest.approx(q, rel=0.2)
    # The boundary in BG/NBD (every buyer seen in the last period: no dropout visible)
    # is an error naming the parameter, whatever the sample size.
    for size in (2_000, 20_000):
        boundary = STEADY_SIM.iloc[:size]
        with pytest.raises(ModelFitError, match="no dropout is visible"):
            BetaGeo().fit(boundary)


def test_zero_spend_repeat_buyers_are_excluded_on_request() -> None:
    rng = np.random.default_rng(2)
    x = rng.integers(1, 8, 400)
    spend = np.round(rng.gamma(4.0, 1.0, 400) * rng.gamma(3.0, 8.0, 400)[:] / 3.0 + 0.5, 2)
    spend[:3] = 0.0  # three repeat buyers whose repeat purchases were free
    spend[3:8] = 1.0
    data = pd.DataFrame({"frequency": x, "monetary_value": spend})
    with pytest.raises(ValueError, match="min_spend=0"):
        GammaGamma().fit(data)
    model = GammaGamma(min_spend=0.0).fit(data)
    assert model.excluded_ == 3
    predicted = model.expected_spend(data)
    assert np.isfinite(predicted).all() and (predicted > 0).all()
    assert GammaGamma(min_spend=2.0).fit(data).excluded_ == 3 + 5 + int(((spend > 0) & (spend < 2) & (np.arange(400) >= 8)).sum())


def test_continuous_times_fit_to_the_exact_optimum() -> None:
    # Hour-resolution recency/T: the fit starts on a grid and finishes on the exact values.
    from clientela.value.simulation import simulate_pareto_nbd

    data = simulate_pareto_nbd({"r": 0.55, "alpha": 10.6, "s": 0.61, "beta": 11.7}, 30_000,
                               rng=np.random.default_rng(3))
    rng = np.random.default_rng(4)
    hours = data.assign(T=np.round((data["T"] + rng.uniform(0, 1 / 7, len(data))) * 168) / 168)
    hours["recency"] = np.where(
        hours["frequency"] > 0,
        np.minimum(np.round((data["recency"] + rng.uniform(0, 1 / 7, len(data))) * 168) / 168, hours["T"]),
        0.0,
    )
    fast = ParetoNBD().fit(hours)
    exact = ParetoNBD()
    exact._grid_fit = lambda compressed, start: None  # type: ignore[method-assign]  # plain L-BFGS-B
    exact.fit(hours)
    assert fast.log_likelihood_ >= exact.log_likelihood_ - 1e-6 * abs(exact.log_likelihood_)
    for k, v in exact.params_.items():
        assert fast.params_[k] == pytest.approx(v, rel=1e-4)
    # time_grid= fits on the grid itself: close, not exact.
    gridded = ParetoNBD(time_grid=1 / 7).fit(hours)
    assert gridded.params_["r"] == pytest.approx(exact.params_["r"], rel=0.05)


# --- hypothesis: any summary gives a clear error or finite predictions in range --------


@st.composite
def summaries(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 25))
    rows = []
    for _ in range(n):
        big_t = draw(st.floats(0.01, 500.0, allow_nan=False))
        x = draw(st.integers(0, 60))
        recency = 0.0 if x == 0 else draw(st.floats(0.0, 1.0)) * big_t
        rows.append((x, recency, big_t))
    return pd.DataFrame(rows, columns=["frequency", "recency", "T"])


@pytest.mark.parametrize("cls", [BetaGeo, ModifiedBetaGeo, ParetoNBD, NBD], ids=lambda c: c.__name__)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(summary=summaries(), horizon=st.floats(0.0, 200.0))
def test_any_summary_fits_finitely_or_says_why(cls: type, summary: pd.DataFrame, horizon: float) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BoundaryWarning)
        try:
            model = cls().fit(summary)
        except ModelFitError as exc:
            assert str(exc)
            return
    assert all(np.isfinite(v) and v > 0 for v in model.params_.values())
    alive = model.p_alive(summary).to_numpy()
    assert np.all(np.isfinite(alive)) and np.all((alive >= 0) & (alive <= 1))
    expected = model.expected_purchases(horizon, summary).to_numpy()
    assert np.all(np.isfinite(expected)) and np.all(expected >= 0)
    p0 = model.probability_of_purchases(0, horizon, summary).to_numpy()
    assert np.all(np.isfinite(p0)) and np.all((p0 >= 0) & (p0 <= 1 + 1e-9))


@functools.cache
def _cdnow_nbd() -> NBD:
    return NBD().fit(load_cdnow_summary())


@settings(max_examples=40, deadline=None)
@given(
    x=st.lists(st.integers(0, 40), min_size=1, max_size=30),
    t_frac=st.floats(0.0, 1.0),
    horizon=st.floats(0.0, 1e4),
)
def test_nbd_predictions_finite_and_in_range(x: list[int], t_frac: float, horizon: float) -> None:
    model = _cdnow_nbd()
    big_t = np.linspace(0.0, 80.0, len(x))
    summary = pd.DataFrame({"frequency": x, "recency": np.where(np.array(x) > 0, t_frac * big_t, 0.0), "T": big_t})
    assert (model.p_alive(summary) == 1.0).all()
    e = model.expected_purchases(horizon, summary).to_numpy()
    assert np.all(np.isfinite(e)) and np.all(e >= 0)
    total = sum(model.probability_of_purchases(n, horizon, summary).to_numpy() for n in range(0, 60))
    assert np.all(total <= 1 + 1e-9)
    dert = model.expected_discounted_residual_transactions(0.01, summary).to_numpy()
    assert np.all(np.isfinite(dert)) and np.all(dert >= 0)


def _groupby_reference(log: pd.DataFrame, period: str) -> pd.DataFrame:
    """The summary's definitions written out with a pandas groupby (slow, obvious)."""
    from clientela.value.summary import period_ordinal

    days = (log["date"].to_numpy().astype("datetime64[D]") - np.datetime64("1970-01-01", "D")).astype(np.int64)
    frame = log.assign(o=period_ordinal(days, period))
    end = int(period_ordinal(np.array([days.max()]), period)[0])
    totals = frame.groupby(["customer", "o"])["amount"].sum().reset_index()
    rows = {}
    for who, part in totals.groupby("customer"):
        part = part.sort_values("o")
        repeats = part["amount"].iloc[1:]
        rows[who] = (len(part) - 1, part["o"].iloc[-1] - part["o"].iloc[0], end - part["o"].iloc[0],
                     float(repeats.mean()) if len(repeats) else 0.0)
    out = pd.DataFrame.from_dict(rows, orient="index", columns=["frequency", "recency", "T", "monetary_value"])
    return out.sort_index()


@pytest.mark.parametrize(("period", "days", "ids", "block"), [
    ("W", 700, "dense", None),     # presence table, ids used as codes
    ("M", 700, "sparse", None),    # presence table, ids hashed
    ("D", 3000, "dense", None),    # daily periods over a long span: packed-key sort
    ("W", 700, "dense", 97),       # many blocks: first periods that move earlier later on
    ("D", 3000, "sparse", 97),
])
def test_linear_summary_paths_match_a_groupby_reference(
    period: str, days: int, ids: str, block: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if block is not None:
        monkeypatch.setattr("clientela.value.summary._BLOCK", block)
    rng = np.random.default_rng(11)
    n = 5_000
    customers = rng.integers(0, 400, n) * (1 if ids == "dense" else 10**12)
    log = pd.DataFrame({
        "customer": customers,
        "date": np.datetime64("2020-01-01") + rng.integers(0, days, n).astype("timedelta64[D]"),
        "amount": np.round(rng.uniform(1, 50, n), 2),
    })
    ours = summarize(log, customer="customer", date="date", amount="amount", period=period)
    reference = _groupby_reference(log, period)
    assert list(ours.index) == list(reference.index)
    np.testing.assert_allclose(ours[["frequency", "recency", "T"]].to_numpy(float),
                               reference[["frequency", "recency", "T"]].to_numpy(float))
    np.testing.assert_allclose(ours["monetary_value"].to_numpy(), reference["monetary_value"].to_numpy(), rtol=1e-12)
