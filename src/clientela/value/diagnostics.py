"""Diagnostic tables of a fitted purchases model (the figures behind lifetimes' plots).

* :func:`period_transactions` -- customers by number of repeat transactions in
  the calibration period, actual against what the model expects for customers
  observed as long (lifetimes' ``plot_period_transactions``; Fader, Hardie &
  Lee 2005, "Counting your customers the easy way", Marketing Science 24(2),
  Figure 3);
* :func:`holdout_by_frequency` -- mean holdout purchases of the customers with
  each calibration frequency, actual against the model's conditional
  expectation (``plot_calibration_purchases_vs_holdout_purchases``; FHL 2005,
  Figure 4);
* :func:`frequency_recency_matrix` -- expected purchases in the next ``t``
  periods and P(alive) over a grid of frequency and recency for customers
  observed ``T`` periods (``plot_frequency_recency_matrix``,
  ``plot_probability_alive_matrix``);
* :func:`tracking` -- cumulative and incremental repeat transactions per period,
  actual against expected (``plot_cumulative_transactions``,
  ``plot_incremental_transactions``; FHL 2005, Figures 1 and 2), from
  :func:`clientela.value.validation.cumulative_repeat_transactions`.

Everything returns plain DataFrames; drawing is left to the faces.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from clientela.value.validation import ACTUAL, holdout_predictions

# Above this many distinct observation lengths they are rounded to this many
# quantiles: the expected counts move smoothly with T.
_MAX_LENGTHS = 200


def _new_customer() -> pd.DataFrame:
    return pd.DataFrame({"frequency": [0.0], "recency": [0.0], "T": [0.0]})


def period_transactions(model: Any, summary: pd.DataFrame, *, max_frequency: int = 7) -> pd.DataFrame:
    """Customers by repeat transactions in calibration: actual and expected.

    Parameters
    ----------
    model
        A fitted purchases model with ``probability_of_purchases(n, t, summary)``
        (BG/NBD, MBG/NBD, Pareto/NBD).
    summary : pandas.DataFrame
        The calibration summary the model was fitted on (``frequency``, ``T``).
    max_frequency : int, default 7
        The last row counts ``max_frequency`` or more repeat transactions.

    Returns
    -------
    pandas.DataFrame
        ``frequency`` (0 .. max_frequency), ``actual`` and ``expected`` numbers
        of customers.  The expected count sums, over customers, the model's
        probability that a customer just acquired makes exactly that many
        repeat purchases in ``T`` periods -- the customer's own observation
        length (the history ``x = 0, T = 0`` is that of a new customer).
    """
    if max_frequency < 1:
        raise ValueError("max_frequency must be at least 1")
    frequency = summary["frequency"].to_numpy(dtype=np.float64)
    lengths = summary["T"].to_numpy(dtype=np.float64)
    distinct, counts = np.unique(lengths, return_counts=True)
    if len(distinct) > _MAX_LENGTHS:
        edges = np.quantile(lengths, np.linspace(0, 1, _MAX_LENGTHS + 1))
        bins = np.clip(np.searchsorted(edges, lengths, side="right") - 1, 0, _MAX_LENGTHS - 1)
        counts = np.bincount(bins, minlength=_MAX_LENGTHS)
        sums = np.bincount(bins, weights=lengths, minlength=_MAX_LENGTHS)
        keep = counts > 0
        distinct, counts = sums[keep] / counts[keep], counts[keep]
    new = _new_customer()
    expected = np.zeros(max_frequency + 1)
    for length, count in zip(distinct, counts, strict=True):
        probabilities = [
            float(np.asarray(model.probability_of_purchases(k, float(length), new))[0])
            for k in range(max_frequency)
        ]
        expected[:max_frequency] += count * np.asarray(probabilities)
        expected[max_frequency] += count * max(0.0, 1.0 - sum(probabilities))
    actual = np.bincount(np.minimum(frequency, max_frequency).astype(np.int64), minlength=max_frequency + 1)
    return pd.DataFrame(
        {"frequency": np.arange(max_frequency + 1), "actual": actual[: max_frequency + 1].astype(np.float64),
         "expected": expected}
    )


def holdout_by_frequency(model: Any, summary: pd.DataFrame, *, max_frequency: int = 7) -> pd.DataFrame:
    """Mean holdout purchases by calibration frequency: actual and expected.

    Parameters
    ----------
    model
        Fitted on the calibration columns of ``summary``.
    summary : pandas.DataFrame
        A calibration/holdout summary (``frequency_holdout``,
        ``duration_holdout``; see :mod:`clientela.value.validation`).
    max_frequency : int, default 7
        The last row groups ``max_frequency`` or more calibration purchases.

    Returns
    -------
    pandas.DataFrame
        ``frequency``, ``customers``, ``actual`` and ``expected`` mean repeat
        purchases in the holdout (rows without customers are left out).
    """
    predictions = holdout_predictions(model, summary)
    group = np.minimum(summary["frequency"].to_numpy(dtype=np.float64), max_frequency).astype(np.int64)
    frame = pd.DataFrame({
        "frequency": group,
        "actual": summary[ACTUAL].to_numpy(dtype=np.float64),
        "expected": predictions["predicted"].to_numpy(),
    })
    table = frame.groupby("frequency").agg(
        customers=("actual", "size"), actual=("actual", "mean"), expected=("expected", "mean")
    )
    return table.reset_index()


def _grid(top: float, points: int) -> np.ndarray[Any, np.dtype[np.float64]]:
    return np.unique(np.round(np.linspace(0.0, top, points), 6))


def frequency_recency_matrix(
    model: Any, *, max_frequency: float, max_recency: float, t: float, points: int = 11,
) -> dict[str, Any]:
    """Expected purchases in the next ``t`` periods and P(alive) over frequency and recency.

    The customers are observed ``T = max_recency`` periods; the grid runs from 0
    to ``max_frequency`` repeat purchases and from 0 to ``T`` in recency (at most
    ``points`` values each).  A customer without repeat purchases has recency 0,
    so that row has one cell.

    Returns
    -------
    dict
        ``frequency`` and ``recency`` (the grid), ``T``, ``t``, and
        ``expected_purchases`` and ``p_alive`` as lists of rows (one per
        frequency, one value per recency; ``None`` where the history is
        impossible).
    """
    frequencies = np.unique(np.round(np.linspace(0.0, max(1.0, float(max_frequency)), points)))
    recencies = _grid(float(max_recency), points)
    big_t = float(max_recency)
    x, r = np.meshgrid(frequencies, recencies, indexing="ij")
    valid = (x > 0) | (r == 0)
    valid &= ~((x > 0) & (r == 0))  # a repeat purchase happens after the first
    grid = pd.DataFrame({"frequency": x[valid], "recency": r[valid], "T": big_t})
    purchases = np.full(x.shape, np.nan)
    alive = np.full(x.shape, np.nan)
    purchases[valid] = np.asarray(model.expected_purchases(float(t), grid), dtype=np.float64)
    alive[valid] = np.asarray(model.p_alive(grid), dtype=np.float64)

    def rows(values: np.ndarray[Any, np.dtype[np.float64]]) -> list[list[float | None]]:
        return [[None if not np.isfinite(v) else float(v) for v in row] for row in values]

    return {
        "frequency": [float(v) for v in frequencies],
        "recency": [float(v) for v in recencies],
        "T": big_t,
        "t": float(t),
        "expected_purchases": rows(purchases),
        "p_alive": rows(alive),
    }


def tracking(curve: pd.DataFrame) -> pd.DataFrame:
    """Cumulative and incremental tracking from a cumulative curve.

    ``curve`` is the output of
    :func:`clientela.value.validation.cumulative_repeat_transactions`; the
    result adds ``actual_incremental`` and ``expected_incremental`` (the
    repeat transactions of each period).
    """
    out = curve.copy()
    out["actual_incremental"] = np.diff(curve["actual"].to_numpy(dtype=np.float64), prepend=0.0)
    out["expected_incremental"] = np.diff(curve["expected"].to_numpy(dtype=np.float64), prepend=0.0)
    return out
