"""Shared base for the lifetime-value estimators.

Every model in :mod:`clientela.value.models` follows the scikit-learn estimator
contract (see STYLE.md): ``__init__`` only stores settings, ``fit(summary)``
returns ``self`` and learned values end in ``_``.  This module holds what all
models share and nothing model-specific:

* :func:`validate_summary` -- checks a customer summary and names the offending
  column (missing, non-numeric, NaN/inf, negative, non-positive weights).
* :func:`compress_rows` -- collapses identical rows of the required columns into
  one row with a ``weights`` count (an existing ``weights`` column is honoured),
  so likelihoods are evaluated once per distinct customer history.
* :func:`maximize_log_likelihood` -- L-BFGS-B over log-parameters with the
  model's analytic gradient, polished by a few Newton steps, raising
  :class:`ModelFitError` rather than returning NaN or boundary parameters.
* :class:`BaseModel` -- ``fit``, standard errors from the inverse Hessian,
  AIC/BIC, JSON ``save``/``load`` and ``__repr__``.

A subclass declares ``param_names`` (the papers' names, in order) and
``required_columns`` and implements :meth:`BaseModel._log_likelihood`, which
returns per-row log-likelihoods and their gradient with respect to the natural
(positive) parameters.  Optionally it overrides :meth:`BaseModel._check_summary`
for model-specific validation (e.g. ``recency <= T``) and
:meth:`BaseModel._initial_params`.
"""

from __future__ import annotations

import inspect
import json
import math
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.optimize import minimize

from clientela import __version__
from clientela.value.blas_threads import single_threaded_blas

FloatArray = NDArray[np.float64]
SummaryArrays = dict[str, FloatArray]

WEIGHTS = "weights"

# Log-parameters are kept inside [log 1e-10, log 1e10]; an optimum on this box
# means the likelihood keeps improving towards 0 or infinity, i.e. the data do
# not identify the model (e.g. Pareto/NBD with no sign of churn).
_LOG_BOUND = math.log(1e10)

_REGISTRY: dict[str, type[BaseModel]] = {}

# Fits on more distinct rows than this start from a fit on a subsample of
# _WARM_START_SAMPLE rows (BaseModel._warm_start), with at most
# _WARM_START_STEPS preconditioned Newton steps on the full data.
_WARM_START_ROWS = 200_000
_WARM_START_SAMPLE = 50_000
_WARM_START_STEPS = 20
# Fits with an analytic Hessian on more distinct rows than this start Newton's
# method from the optimum of an evenly strided subsample of this many rows.
_NEWTON_SAMPLE_ROWS = 10_000
# Longest Newton step in any log-parameter (a factor e^2 on the parameter).
_MAX_NEWTON_STEP = 2.0
# Newton iterations before giving up (L-BFGS-B then takes over); from a
# subsample's optimum it needs about five.
_NEWTON_MAX_ITER = 60
# Rows sampled by compress_rows to decide whether compression can pay.
_DISTINCT_SAMPLE = 20_000
# Above this many rows, row_groups may number groups with a presence table.
_DENSE_MIN_ROWS = 100_000


class ModelFitError(RuntimeError):
    """The data cannot identify the model, or the optimiser failed."""


class BoundaryWarning(UserWarning):
    """A fit ended near a limit of the parameter space (see ``BaseModel.fit_warnings_``)."""


# A dimensionless shape parameter (BaseModel._shape_params) beyond these bounds
# means the likelihood only improves towards its limit (no dropout visible,
# rates that do not vary between customers): ModelFitError without a
# penalizer.  Inside them but beyond _BOUNDARY_WARN the optimum is a true one
# near the limit: the fit warns (BoundaryWarning) and records it.
_NOT_IDENTIFIED = 1e6
_BOUNDARY_WARN = 1e4
_STOP_LOG = math.log(1e8)
# Fits on more distinct rows than this whose time columns barely repeat
# (recency/T at hour or second resolution) start from the optimum on a time
# grid (BaseModel.time_grid); with time_grid=None the final fit is still on
# the exact values.
_GRID_MIN_ROWS = 20_000
_GRID_STEPS = 1024


class NotFittedError(ValueError, AttributeError):
    """A method needing learned parameters was called before ``fit``."""


def validate_summary(
    summary: pd.DataFrame, columns: Sequence[str], *, allow_weights: bool = True
) -> SummaryArrays:
    """Check a customer summary and return its columns as float arrays.

    Parameters
    ----------
    summary : pandas.DataFrame
        One row per customer (or per group of identical customers when a
        ``weights`` column is present).
    columns : sequence of str
        Columns the model needs; each must be numeric, finite and >= 0.
    allow_weights : bool, default True
        Whether to read an optional ``weights`` column (finite, > 0).

    Returns
    -------
    dict of str to numpy.ndarray
        The required columns as ``float64`` arrays, plus ``weights`` (ones when
        absent) if ``allow_weights``.

    Raises
    ------
    ValueError
        Naming the column and the first bad row.
    """
    if not isinstance(summary, pd.DataFrame):
        raise TypeError(f"summary must be a pandas DataFrame, got {type(summary).__name__}")
    missing = [c for c in columns if c not in summary.columns]
    if missing:
        raise ValueError(
            f"summary is missing column(s) {', '.join(repr(c) for c in missing)}; "
            f"it has {list(map(str, summary.columns))}"
        )
    arrays: SummaryArrays = {}
    for name in columns:
        arrays[name] = _numeric_column(summary, name, allow_zero=True)
    if allow_weights:
        if WEIGHTS in summary.columns:
            arrays[WEIGHTS] = _numeric_column(summary, WEIGHTS, allow_zero=False)
        else:
            arrays[WEIGHTS] = np.ones(len(summary), dtype=np.float64)
    return arrays


def _numeric_column(summary: pd.DataFrame, name: str, *, allow_zero: bool) -> FloatArray:
    series = summary[name]
    try:
        values = np.asarray(pd.to_numeric(series, errors="raise"), dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"column {name!r} must be numeric: {exc}") from None
    bad = ~np.isfinite(values)
    if bad.any():
        row = summary.index[int(np.argmax(bad))]
        raise ValueError(f"column {name!r} has a missing or infinite value (row {row!r})")
    bad = values < 0 if allow_zero else values <= 0
    if bad.any():
        row = summary.index[int(np.argmax(bad))]
        need = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"column {name!r} must be {need}; row {row!r} has {values[bad][0]!r}")
    return values


# Grids tried for exact arithmetic coding of a column: whole numbers, and
# whole days expressed in weeks (days / 7, as in CDNOW and weekly summaries of
# dated logs).
_GRID_SCALES = (1.0, 7.0)


def _grid_codes(values: FloatArray) -> tuple[NDArray[np.int64], int, int, float] | None:
    """Exact integer codes of values that are whole multiples of ``1/q``.

    Returns ``(codes, count, offset, q)`` with ``values == (codes + offset) / q``
    exactly for every row and codes in ``[0, count)``, for the first ``q`` of
    :data:`_GRID_SCALES` that fits and a range below ``2**24``; ``None`` if
    none fits.  The check ``rint(v q) / q == v`` is exact (the division is
    correctly rounded), so equal codes mean equal values and the other way
    round: grouping by code is grouping by value, with no hashing or sorting.
    """
    if len(values) == 0:
        return None
    lo, hi = float(values.min()), float(values.max())
    for q in _GRID_SCALES:
        lo_q, hi_q = math.floor(lo * q + 0.5), math.floor(hi * q + 0.5)
        if hi_q - lo_q >= 2**24:
            continue
        if q == 1.0:
            scaled = np.rint(values)
            if not np.array_equal(scaled, values):
                continue
        else:
            scaled = np.rint(values * q)
            if not np.array_equal(scaled / q, values):
                continue
        codes = scaled.astype(np.int64)
        codes -= lo_q
        return codes, int(hi_q - lo_q) + 1, int(lo_q), q
    return None


def _column_codes(values: FloatArray) -> tuple[NDArray[np.int64], int]:
    """Integer code per value and the number of possible codes.

    Whole numbers, or whole multiples of ``1/7`` (days in weeks), in a modest
    range are coded by arithmetic (:func:`_grid_codes`), which is exact and
    needs no hashing; other values by :func:`pandas.factorize` (hash-based, O(n)).
    """
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64), 1
    grid = _grid_codes(values)
    if grid is not None:
        return grid[0], grid[1]
    codes, uniques = pd.factorize(values)
    return codes.astype(np.int64, copy=False), max(len(uniques), 1)


def row_groups(
    arrays: Mapping[str, FloatArray], columns: Sequence[str]
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Group identical rows of ``columns``.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Per row, the code of its group, and per group the position of one of
        its rows; so ``arrays[c][first][codes] == arrays[c]`` for every column
        ``c``.  O(n): per-column integer codes combined by mixed radix into one
        int64 key.  Groups are numbered in order of first appearance (one hash
        pass, :func:`pandas.factorize`, on the key; ``first`` is then each
        group's first row) -- except for more than ``_DENSE_MIN_ROWS`` rows
        whose keys span at most a few times as many values (whole-period
        summaries of millions of customers), where a presence table numbers
        them in key order without hashing and ``first`` is some row of each.
    """
    n = len(arrays[columns[0]])
    key = np.zeros(n, dtype=np.int64)
    size = 1
    for c in columns:
        codes, count = _column_codes(np.asarray(arrays[c], dtype=np.float64))
        if size * count >= 2**62:  # renumber densely before the key could overflow
            key, uniques = pd.factorize(key)
            key = key.astype(np.int64, copy=False)
            size = max(len(uniques), 1)
        key = key * count + codes
        size *= count
    if n > _DENSE_MIN_ROWS and size <= 4 * n:
        present = np.zeros(size, dtype=bool)
        present[key] = True
        dense = np.cumsum(present, dtype=np.intp) - 1
        del present
        groups = dense[key]
        n_groups = int(dense[-1]) + 1
        del dense
        first = np.empty(n_groups, dtype=np.intp)
        first[groups] = np.arange(n, dtype=np.intp)  # any writer is a member of its group
        return groups, first
    groups, _ = pd.factorize(key)
    groups = groups.astype(np.intp, copy=False)
    if n == 0:
        return groups, np.zeros(0, dtype=np.intp)
    # factorize numbers groups in order of first appearance, so a group's first
    # row is where the running maximum of the codes steps up.
    running = np.maximum.accumulate(groups)
    first = np.flatnonzero(np.r_[True, running[1:] > running[:-1]])
    return groups, first


def compress_rows(
    arrays: Mapping[str, FloatArray],
    columns: Sequence[str],
    *,
    max_sample_distinct: float = 0.995,
) -> SummaryArrays:
    """Collapse identical rows of ``columns`` into one row with summed weights.

    Parameters
    ----------
    arrays : mapping of str to numpy.ndarray
        Equal-length columns, optionally with ``weights`` (taken as ones if
        absent).
    columns : sequence of str
        The columns that define "identical".
    max_sample_distinct : float, default 0.995
        For more than ``4 * _DISTINCT_SAMPLE`` rows: when a strided sample of
        ``_DISTINCT_SAMPLE`` rows has more than this share of distinct rows,
        the rows are returned uncompressed (see the comment in the code).

    Returns
    -------
    dict of str to numpy.ndarray
        The distinct rows of ``columns`` (in order of first appearance) and
        their ``weights``.  Vectorised (:func:`row_groups`); no Python loop.
        Rows are returned as they are when a sample shows they are nearly all
        distinct (the likelihood is the same either way).
    """
    n = len(arrays[columns[0]])
    weights = arrays.get(WEIGHTS, np.ones(n, dtype=np.float64))
    if n == 0:
        return {**{c: np.asarray(arrays[c], dtype=np.float64) for c in columns}, WEIGHTS: weights}
    if n > 4 * _DISTINCT_SAMPLE:
        # A strided sample with (almost) no repeated row means the rows are
        # essentially all distinct (e.g. mean spend in cents): hashing them
        # all would cost more than it saves.  With s sampled rows drawn from D
        # equally common distinct rows one expects s^2 / (2 D) repeats, so
        # < 0.5% repeats in 20,000 means D > 2 million: nothing to gain.  A
        # model whose likelihood is cheap per row (Gamma-Gamma: one log and
        # one division, a handful of Newton evaluations) passes a lower share:
        # hashing a million float rows costs more than those evaluations.
        sample = {
            c: np.asarray(arrays[c], dtype=np.float64)[:: n // _DISTINCT_SAMPLE] for c in columns
        }
        _, sample_first = row_groups(sample, columns)
        if len(sample_first) > max_sample_distinct * len(sample[columns[0]]):
            return {
                **{c: np.asarray(arrays[c], dtype=np.float64) for c in columns},
                WEIGHTS: weights,
            }
    groups, first = row_groups(arrays, columns)
    out: SummaryArrays = {c: np.asarray(arrays[c], dtype=np.float64)[first] for c in columns}
    out[WEIGHTS] = np.bincount(groups, weights=weights, minlength=len(first)).astype(np.float64)
    return out


def maximize_log_likelihood(
    objective: Any,
    start: FloatArray,
    *,
    max_iter: int = 1000,
    tol: float = 1e-10,
    names: Sequence[str] = (),
    stop_beyond: Sequence[int] = (),
) -> tuple[FloatArray, FloatArray]:
    """Maximise a mean log-likelihood over log-parameters.

    Parameters
    ----------
    objective : callable
        ``objective(log_params) -> (mean_negative_log_likelihood, gradient)``
        where the gradient is with respect to the log-parameters.
    start : numpy.ndarray
        Starting log-parameters.
    max_iter : int
        Iteration limit for L-BFGS-B.
    tol : float
        Projected-gradient tolerance (on the per-customer scale).
    names : sequence of str, optional
        Parameter names, to name the one on the box in the error.
    stop_beyond : sequence of int, optional
        Log-parameters (dimensionless shape parameters) whose run past
        ``[1e-8, 1e8]`` settles the matter: the optimiser stops there and the
        error is raised at once, instead of crawling on to the box (on data
        with no visible churn that took seconds to minutes).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The optimal log-parameters and the Hessian of the objective there
        (log-parameter scale).

    Raises
    ------
    ModelFitError
        When the objective is not finite at the start, the optimiser stops on
        a non-finite value, or the optimum sits on the parameter box (the data
        push a parameter towards 0 or infinity: not identified).

    Notes
    -----
    L-BFGS-B converges to ~1e-6 relative quickly; two Newton steps with a
    finite-difference Hessian of the analytic gradient then polish the optimum
    to near machine precision, which is what reproducing published estimates
    and cross-checking another implementation to 1e-3 need.  A Newton step is
    kept only if it lowers the objective.
    """
    k = len(start)
    bounds = [(-_LOG_BOUND, _LOG_BOUND)] * k
    value, _ = objective(start)
    if not math.isfinite(value):
        raise ModelFitError("the log-likelihood is not finite at the starting values")
    escaped: list[int] = []

    def watch(intermediate_result: Any) -> None:
        position = np.asarray(intermediate_result.x)
        for i in stop_beyond:
            if abs(float(position[i])) > _STOP_LOG:
                escaped.append(i)
                raise StopIteration

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = minimize(
            objective,
            start,
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"maxiter": max_iter, "gtol": tol, "ftol": 1e-15, "maxcor": 20},
            callback=watch if stop_beyond else None,
        )
    if escaped:
        i = escaped[0]
        which = names[i] if i < len(names) else f"parameter {i}"
        limit = "infinity" if float(np.asarray(result.x)[i]) > 0 else "0"
        raise ModelFitError(
            "the data do not identify the model: the likelihood keeps improving as "
            f"{which} goes to {limit}"
        )
    x = np.asarray(result.x, dtype=np.float64)
    best, _ = objective(x)
    if not (np.all(np.isfinite(x)) and math.isfinite(best)):
        raise ModelFitError(f"the optimiser stopped on a non-finite value ({result.message})")
    # One finite-difference Hessian of the analytic gradient, reused for up to
    # three Newton steps (each kept only if it lowers the objective) and
    # returned for the standard errors.
    hessian = numerical_hessian(lambda p: objective(p)[1], x)
    for _ in range(3):
        _, grad = objective(x)
        try:
            step = np.linalg.solve(hessian, grad)
        except np.linalg.LinAlgError:
            break
        candidate = np.clip(x - step, -_LOG_BOUND, _LOG_BOUND)
        value, _ = objective(candidate)
        if not (math.isfinite(value) and value <= best):
            break
        x, best = candidate, value
    at_bound = np.abs(x) >= _LOG_BOUND - 1e-6
    if at_bound.any():
        i = int(np.argmax(at_bound))
        which = names[i] if i < len(names) else f"parameter {i}"
        limit = "infinity" if x[i] > 0 else "0"
        raise ModelFitError(
            "the data do not identify the model: the likelihood keeps improving as "
            f"{which} goes to {limit}"
        )
    return x, hessian


def newton_maximize(
    objective: Any, start: FloatArray, *, max_iter: int = 100
) -> tuple[FloatArray, FloatArray] | None:
    """Damped Newton's method on a mean negative log-likelihood in log-parameters.

    Parameters
    ----------
    objective : callable
        ``objective(log_params) -> (value, gradient, hessian)`` on the
        log-parameter scale, with an analytic Hessian.
    start : numpy.ndarray
        Starting log-parameters.
    max_iter : int
        Newton iterations allowed.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray) or None
        The optimal log-parameters and the Hessian there, or ``None`` when
        Newton's method does not converge cleanly (non-finite values, a
        parameter running to the box of ``maximize_log_likelihood``, a line
        search that cannot descend, or ``max_iter`` reached); the caller then
        falls back to L-BFGS-B, which also diagnoses unidentified models.

    Notes
    -----
    Each step solves ``(H + mu I) step = -g`` with ``mu = 0`` when the Hessian
    is positive definite (a Cholesky factorisation succeeds) and the smallest
    shift that makes it so otherwise (Levenberg-Marquardt), then halves the
    step until the objective decreases (Armijo); a step is first shortened to
    at most ``_MAX_NEWTON_STEP`` in every log-parameter.  Near the optimum the
    convergence is quadratic: once a full step is below ``1e-7`` in every
    log-parameter the next error is ~1e-14, so that step is taken and the
    iteration stops; it also stops when the decrease the full step predicts
    is at the rounding level of the objective (a flat direction, as for
    Gamma-Gamma's ``q`` and ``v``, keeps steps above ``1e-7`` that are pure
    rounding noise) -- as precise as L-BFGS-B followed by the Newton polish of
    :func:`maximize_log_likelihood`, in a handful of evaluations instead of
    dozens (each evaluation costs about one gradient).
    """
    x = np.asarray(start, dtype=np.float64).copy()
    value, grad, hess = objective(x)
    if not math.isfinite(value):
        return None
    for _ in range(min(max_iter, _NEWTON_MAX_ITER)):
        step, shifted = _regularised_newton_step(hess, grad)
        if step is None:
            return None
        # Predicted decrease of the objective by the full step (half the
        # Newton decrement); at rounding level the step is noise.
        at_rounding = -0.5 * float(grad @ step) <= 1e-15 * max(1.0, abs(value))
        if not shifted and (float(np.max(np.abs(step))) < 1e-7 or at_rounding):
            candidate = x + step
            c_value, _, c_hess = objective(candidate)
            if math.isfinite(c_value) and c_value <= value + 4e-16 * abs(value):
                return candidate, c_hess
            return x, hess
        longest = float(np.max(np.abs(step)))
        if longest > _MAX_NEWTON_STEP:  # far from the optimum: stay where the model is trusted
            step = step * (_MAX_NEWTON_STEP / longest)
        slope = float(grad @ step)
        t = 1.0
        while True:
            candidate = x + t * step
            if np.all(np.abs(candidate) < _LOG_BOUND):
                c_value, c_grad, c_hess = objective(candidate)
                if math.isfinite(c_value) and c_value <= value + 1e-4 * t * slope:
                    break
            t *= 0.5
            if t < 1e-10:
                return (x, hess) if not shifted and at_rounding else None
        x, value, grad, hess = candidate, c_value, c_grad, c_hess
        if not (np.all(np.isfinite(grad)) and np.all(np.isfinite(hess))):
            return None
    return None


def _still_improving(
    objective: Any, log_params: FloatArray, i: int, shift: float, best: float, total: float
) -> bool:
    """Whether the likelihood is as high with log-parameter ``i`` moved by ``shift``.

    The other parameters are refitted (L-BFGS-B with parameter ``i`` held);
    "as high" means within 1e-3 in total log-likelihood of the optimum.
    """
    moved = np.asarray(log_params, dtype=np.float64).copy()
    moved[i] = float(np.clip(moved[i] + shift, -_LOG_BOUND, _LOG_BOUND))
    bounds = [(-_LOG_BOUND, _LOG_BOUND)] * len(moved)
    bounds[i] = (moved[i], moved[i])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = minimize(objective, moved, jac=True, method="L-BFGS-B", bounds=bounds,
                          options={"maxiter": 200, "gtol": 1e-10, "ftol": 1e-15})
    value = float(result.fun)
    return math.isfinite(value) and (value - best) * total <= 1e-3


def _fixed_hessian_newton(
    objective: Any, x: FloatArray, hessian: FloatArray, *, max_steps: int = 12
) -> tuple[FloatArray, FloatArray] | None:
    """Newton steps with a fixed Hessian from a nearby problem (a grid fit).

    The gradient is exact, so the iteration converges to the exact optimum;
    with a Hessian that differs from the true one by a relative ``e`` each step
    shrinks the error by about ``e``: three or four evaluations from a grid
    optimum.  Returns the optimum and that Hessian (for the standard errors),
    or ``None`` when the steps do not converge (the caller then runs L-BFGS-B
    from ``x``).
    """
    x = np.asarray(x, dtype=np.float64).copy()
    best, grad = objective(x)
    if not math.isfinite(best):
        return None
    for _ in range(max_steps):
        try:
            step = np.linalg.solve(hessian, grad)
        except np.linalg.LinAlgError:
            return None
        if float(np.max(np.abs(step))) < 1e-9:
            return x, hessian
        candidate = x - step
        if not np.all(np.abs(candidate) < _LOG_BOUND):
            return None
        value, candidate_grad = objective(candidate)
        if not math.isfinite(value):
            return None
        if value > best + 4e-16 * abs(best):
            # No descent: at rounding level the point is the optimum, else give up.
            return (x, hessian) if float(np.max(np.abs(step))) < 1e-6 else None
        x, best, grad = candidate, value, candidate_grad
    return None


def _regularised_newton_step(hess: FloatArray, grad: FloatArray) -> tuple[FloatArray | None, bool]:
    """``-(H + mu I)^-1 g`` with the smallest ``mu`` (0 first) for which Cholesky succeeds."""
    k = len(grad)
    scale = max(float(np.max(np.abs(np.diag(hess)))), 1e-12)
    mu = 0.0
    for _ in range(40):
        try:
            factor = np.linalg.cholesky(hess + mu * np.eye(k))
        except np.linalg.LinAlgError:
            mu = max(2.0 * mu, 1e-8 * scale)
            continue
        y = np.linalg.solve(factor, -grad)
        return np.asarray(np.linalg.solve(factor.T, y), dtype=np.float64), mu > 0
    return None, True


def numerical_hessian(gradient: Any, x: FloatArray, *, rel_step: float = 1e-5) -> FloatArray:
    """Central-difference Jacobian of an analytic gradient, symmetrised."""
    k = len(x)
    hessian = np.empty((k, k), dtype=np.float64)
    for i in range(k):
        h = rel_step * max(1.0, abs(float(x[i])))
        up = x.copy()
        down = x.copy()
        up[i] += h
        down[i] -= h
        hessian[:, i] = (np.asarray(gradient(up)) - np.asarray(gradient(down))) / (2.0 * h)
    return np.asarray(0.5 * (hessian + hessian.T), dtype=np.float64)


class BaseModel:
    """Base class of the lifetime-value estimators (scikit-learn contract).

    Parameters
    ----------
    max_iter : int, default 1000
        Iteration limit of the optimiser.
    tol : float, default 1e-10
        Gradient tolerance of the optimiser, per customer.
    penalizer : float, default 0
        Weak prior: ``penalizer * sum(log(theta)**2)`` is added to the mean
        negative log-likelihood per customer (a log-normal prior centred on 1
        for every parameter).  Unlike lifetimes' ``penalizer_coef * sum(theta**2)``
        it pulls a parameter running to 0 as well as one running to infinity.
        With a penalizer the fit never raises for an unidentified parameter:
        the prior identifies it (``log_likelihood_`` stays the data's own).
    time_grid : float, optional
        Fit on ``recency`` and ``T`` rounded to multiples of this (in the
        summary's time unit): faster on continuous times, approximate.
        ``None`` (default) fits the exact values; when they barely repeat
        (hour or second resolution) the fit only *starts* from the optimum on
        a grid of ``max(T) / 1024``, so the estimate is the exact one.

    Attributes
    ----------
    params_ : dict of str to float
        Maximum-likelihood estimates under the papers' names.
    log_likelihood_ : float
        Total log-likelihood at the optimum, on the papers' scale.
    standard_errors_ : dict of str to float
        From the inverse Hessian of the negative log-likelihood (NaN when the
        Hessian is singular).
    aic_, bic_ : float
        ``2k - 2 LL`` and ``k log(n) - 2 LL``, with ``n`` customers.
    n_customers_ : float
        Number of customers fitted (sum of the weights).
    fit_warnings_ : list of str
        Boundary optima and undefined standard errors found by the last fit
        (each also issued as a :class:`BoundaryWarning`).
    """

    param_names: ClassVar[tuple[str, ...]] = ()
    required_columns: ClassVar[tuple[str, ...]] = ()
    # compress_rows' max_sample_distinct for this model's fits.
    _compress_max_sample_distinct: ClassVar[float] = 0.995
    # Dimensionless parameters checked for identification after a fit, and what
    # running to each limit means (("name", "high" | "low") -> reason).
    _shape_params: ClassVar[tuple[str, ...]] = ()
    _limit_reasons: ClassVar[dict[tuple[str, str], str]] = {}

    params_: dict[str, float]
    log_likelihood_: float
    standard_errors_: dict[str, float]
    aic_: float
    bic_: float
    n_customers_: float
    fit_warnings_: list[str]

    def __init__(
        self,
        *,
        max_iter: int = 1000,
        tol: float = 1e-10,
        penalizer: float = 0.0,
        time_grid: float | None = None,
    ) -> None:
        self.max_iter = max_iter
        self.tol = tol
        self.penalizer = penalizer
        self.time_grid = time_grid

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _REGISTRY[cls.__name__] = cls

    # -- to implement in subclasses ---------------------------------------

    def _log_likelihood(
        self, params: FloatArray, data: SummaryArrays
    ) -> tuple[FloatArray, FloatArray]:
        """Per-row log-likelihood and its gradient.

        Parameters
        ----------
        params : numpy.ndarray
            Natural (positive) parameters in ``param_names`` order.
        data : dict of str to numpy.ndarray
            Validated, compressed columns (``weights`` included; do not apply
            it -- the base does).

        Returns
        -------
        (numpy.ndarray, numpy.ndarray)
            Log-likelihood per row, shape ``(n,)``, and its gradient with
            respect to ``params``, shape ``(n, k)``.
        """
        raise NotImplementedError

    def _weighted_log_likelihood(
        self, params: FloatArray, data: SummaryArrays
    ) -> tuple[float, FloatArray]:
        """Weighted total log-likelihood and its gradient (natural parameters).

        Default: ``weights @`` :meth:`_log_likelihood`.  A model may override it
        to sum terms that depend on one column only once per distinct value
        instead of once per row.
        """
        ll, grad = self._log_likelihood(params, data)
        weights = data[WEIGHTS]
        return float(weights @ ll), np.asarray(weights @ grad, dtype=np.float64)

    def _weighted_log_likelihood_hessian(
        self, params: FloatArray, data: SummaryArrays
    ) -> tuple[float, FloatArray, FloatArray]:
        """Weighted total log-likelihood, gradient and Hessian (natural parameters).

        Optional.  A model that implements it is fitted by Newton's method
        (:func:`newton_maximize`) from a subsample's optimum; the others by
        L-BFGS-B (:func:`maximize_log_likelihood`).
        """
        raise NotImplementedError

    def _check_summary(self, data: SummaryArrays) -> None:
        """Model-specific checks; raise ``ValueError`` naming the column."""

    def _prepare(self, data: SummaryArrays) -> SummaryArrays:
        """Precompute data-only quantities once per fit (e.g. distinct values).

        Called on the compressed data before optimisation; whatever it adds is
        passed to every :meth:`_log_likelihood` call.  Default: unchanged.
        """
        return data

    def _initial_params(self, data: SummaryArrays) -> FloatArray:
        """Starting values for the optimiser (natural scale)."""
        return np.ones(len(self.param_names), dtype=np.float64)

    # -- shared machinery ---------------------------------------------------

    def _summary_arrays(self, summary: pd.DataFrame) -> SummaryArrays:
        """Validated, uncompressed columns of ``summary`` for predictions."""
        data = validate_summary(summary, self.required_columns)
        self._check_summary(data)
        return data

    def fit(self, summary: pd.DataFrame) -> Self:
        """Maximum-likelihood fit on a customer summary.

        Parameters
        ----------
        summary : pandas.DataFrame
            Columns ``required_columns`` and optionally ``weights``.

        Returns
        -------
        self

        Notes
        -----
        Runs with OpenBLAS on one thread (:mod:`clientela.value.blas_threads`).
        """
        with single_threaded_blas():
            return self._fit(summary)

    def _fit(self, summary: pd.DataFrame) -> Self:
        self.fit_warnings_ = []
        arrays = self._summary_arrays(summary)
        if self.time_grid is not None:
            if not (math.isfinite(float(self.time_grid)) and float(self.time_grid) > 0):
                raise ValueError(f"time_grid must be a number > 0; got {self.time_grid!r}")
            arrays = self._on_grid(arrays, float(self.time_grid))
        compressed = compress_rows(
            arrays,
            self.required_columns,
            max_sample_distinct=self._compress_max_sample_distinct,
        )
        if len(compressed[WEIGHTS]) and float(compressed[WEIGHTS].sum()) > 0:
            self._check_identifiable(compressed)
        data = self._prepare(compressed)
        total = float(data[WEIGHTS].sum())
        if total <= 0:
            raise ValueError("summary has no customers")
        objective = self._objective(data)
        start = np.log(self._initial_params(data))
        found = None
        if (
            self.time_grid is None
            and not self._has_analytic_hessian()
            and len(compressed[WEIGHTS]) > _GRID_MIN_ROWS
            and {"recency", "T"} <= set(self.required_columns)
        ):
            grid = self._grid_fit(compressed, start)
            if grid is not None:
                found, start = _fixed_hessian_newton(objective, *grid), grid[0]
                if found is not None:
                    value = objective(found[0])[0]  # memoised
        if found is None and self._has_analytic_hessian():
            newton_objective = self._objective(data, hessian=True)
            newton_start = start
            if len(compressed[WEIGHTS]) > _NEWTON_SAMPLE_ROWS:
                newton_start = self._sample_start(compressed, start)
            found = newton_maximize(newton_objective, newton_start, max_iter=self.max_iter)
            if found is not None:
                value = newton_objective(found[0])[0]  # memoised
        if found is None:
            if len(compressed[WEIGHTS]) > _WARM_START_ROWS:
                start = self._warm_start(compressed, start, objective)
            try:
                shapes = [i for i, n in enumerate(self.param_names) if n in self._shape_params]
                found = maximize_log_likelihood(
                    objective, start, max_iter=self.max_iter, tol=self.tol, names=self.param_names,
                    stop_beyond=shapes if self.penalizer <= 0 else (),
                )
            except ModelFitError as exc:
                raise self._explained(exc) from None
            value = objective(found[0])[0]  # memoised
        log_params, hessian = found
        params = np.exp(log_params)
        penalty = self.penalizer * float(np.sum(log_params**2))
        self._set_fit(params, -(value - penalty) * total, total)
        self.covariance_ = self._covariance(params, hessian * total)
        self.standard_errors_ = self._standard_errors(params, hessian * total)
        self._check_limits(objective, log_params, value, total)
        return self

    # -- identification ---------------------------------------------------------

    def _check_identifiable(self, compressed: SummaryArrays) -> None:
        """Refuse data with one distinct history: differences between customers are unseen.

        One customer, or any number of identical ones, leaves every
        heterogeneity parameter free (the likelihood is maximised along a
        whole curve of parameters), so no fit can be reported.
        """
        distinct = int(np.count_nonzero(compressed[WEIGHTS] > 0))
        if distinct > 1:
            return
        total = float(compressed[WEIGHTS].sum())
        row = int(np.argmax(compressed[WEIGHTS] > 0))
        history = ", ".join(f"{c}={compressed[c][row]:g}" for c in self.required_columns)
        who = "one customer" if total <= 1 else f"all {total:,.0f} customers have the same history"
        raise ModelFitError(
            f"the data do not identify the model: {who} ({history}); differences between "
            "customers cannot be estimated from a single distinct history"
        )

    def _explained(self, exc: ModelFitError) -> ModelFitError:
        """The box error of :func:`maximize_log_likelihood` with what the limit means."""
        text = str(exc)
        for (name, side), meaning in self._limit_reasons.items():
            limit = "infinity" if side == "high" else "0"
            if text.endswith(f"as {name} goes to {limit}"):
                return ModelFitError(f"{text} ({meaning})")
        return exc

    def _check_limits(
        self, objective: Any, log_params: FloatArray, best: float, total: float
    ) -> None:
        """ModelFitError for a shape parameter run to 0 or infinity; warn near the limits.

        Only without a penalizer: with one, the prior holds the parameter.
        A parameter beyond ``[1/_NOT_IDENTIFIED, _NOT_IDENTIFIED]`` means the
        likelihood keeps improving towards the limit (the optimiser stops
        wherever its tolerance lets it, e.g. r = 5e7).  One beyond
        ``[1/_BOUNDARY_WARN, _BOUNDARY_WARN]`` is moved a factor ``e^5`` further
        towards its limit and the other parameters refitted
        (:func:`_still_improving`): if the likelihood is as high there, the
        data do not tell it from the limit either (ModelFitError, the same
        answer wherever the optimiser happened to stop); if it falls, the
        optimum is a true one near the limit: warn.
        """
        notes: list[str] = []
        if self.penalizer <= 0:
            for i, name in enumerate(self.param_names):
                if name not in self._shape_params:
                    continue
                value = self.params_[name]
                side = "high" if value > 1.0 else "low"
                far = value > _BOUNDARY_WARN or value < 1.0 / _BOUNDARY_WARN
                if not far:
                    continue
                meaning = self._limit_reasons.get(
                    (name, side), f"{name} -> {'infinity' if side == 'high' else '0'}"
                )
                if (
                    value > _NOT_IDENTIFIED
                    or value < 1.0 / _NOT_IDENTIFIED
                    or _still_improving(objective, log_params, i, 5.0 if side == "high" else -5.0,
                                        best, total)
                ):
                    raise ModelFitError(
                        f"the data do not identify the model: {name} ran to {value:.3g} "
                        f"({meaning}); try a penalizer, or a model without that feature"
                    )
                notes.append(
                    f"{type(self).__name__}: {name} = {value:.3g} is near its limit "
                    f"({meaning}); predictions are close to the limiting model's"
                )
        undefined = [n for n, v in self.standard_errors_.items() if not math.isfinite(v)]
        if undefined:
            notes.append(
                f"{type(self).__name__}: standard errors of {', '.join(undefined)} are undefined "
                "(the information matrix is singular at the optimum)"
            )
        for note in notes:
            warnings.warn(note, BoundaryWarning, stacklevel=4)
        self.fit_warnings_ = notes

    # -- continuous times -------------------------------------------------------

    @staticmethod
    def _on_grid(arrays: SummaryArrays, grid: float) -> SummaryArrays:
        """``recency`` and ``T`` rounded to multiples of ``grid`` (recency kept <= T)."""
        if "T" not in arrays:
            return arrays
        out = dict(arrays)
        big_t = np.rint(arrays["T"] / grid) * grid
        big_t = np.where(arrays["T"] > 0, np.maximum(big_t, grid), 0.0)
        out["T"] = big_t
        if "recency" in arrays:
            out["recency"] = np.minimum(np.rint(arrays["recency"] / grid) * grid, big_t)
        return out

    def _grid_fit(
        self, compressed: SummaryArrays, start: FloatArray
    ) -> tuple[FloatArray, FloatArray] | None:
        """Optimum and Hessian on ``recency`` and ``T`` rounded to ``max(T) / _GRID_STEPS``.

        When the times barely repeat (hour or second resolution) the distinct
        ``(x, t)`` pairs are nearly as many as the customers, and each
        evaluation of a likelihood without an analytic Hessian works per pair
        (Pareto/NBD: a series per pair) -- dozens of them for L-BFGS-B.  On the
        grid the pairs number at most ``_GRID_STEPS`` per distinct ``x`` and
        the fit is as fast as on whole days; rounding by at most half a step
        moves the optimum by a small fraction of a standard error.  The caller
        then finishes on the exact values (:func:`_fixed_hessian_newton`), so
        the estimate is the exact one.  ``None`` if the grid fit fails.
        """
        top = float(compressed["T"].max())
        if not (math.isfinite(top) and top > 0):
            return None
        gridded = compress_rows(self._on_grid(compressed, top / _GRID_STEPS), self.required_columns)
        try:
            return maximize_log_likelihood(
                self._objective(self._prepare(gridded)), start, max_iter=self.max_iter, tol=1e-9
            )
        except (ModelFitError, ValueError, np.linalg.LinAlgError):
            return None

    def _has_analytic_hessian(self) -> bool:
        """Whether the model implements :meth:`_weighted_log_likelihood_hessian`."""
        own = type(self)._weighted_log_likelihood_hessian
        return own is not BaseModel._weighted_log_likelihood_hessian

    def _sample_start(self, compressed: SummaryArrays, start: FloatArray) -> FloatArray:
        """Newton's optimum on an evenly strided subsample of the distinct rows.

        The objective is a mean per customer, so the subsample's optimum is
        the full one up to sampling error (a few standard errors of a
        ``_NEWTON_SAMPLE_ROWS``-row fit); from there Newton's method on the
        full data converges quadratically in three or four evaluations.  The
        full fit still runs to its own optimum: the start changes the work,
        not the estimate.  Returns ``start`` if the subsample cannot be fitted.
        """
        n = len(compressed[WEIGHTS])
        stride = max(1, n // _NEWTON_SAMPLE_ROWS)
        sample = {k: np.ascontiguousarray(v[::stride]) for k, v in compressed.items()}
        try:
            found = newton_maximize(
                self._objective(self._prepare(sample), hessian=True), start, max_iter=self.max_iter
            )
        except (ModelFitError, ValueError):
            return start
        return start if found is None else found[0]

    def _objective(self, data: SummaryArrays, *, hessian: bool = False) -> Any:
        """Mean negative log-likelihood and gradient in log-parameters, memoised.

        The optimiser, the Hessian and the Newton polish revisit points (the
        last line-search point, an accepted Newton step); a small cache keyed
        by the exact parameter bytes returns those without recomputation.
        With ``hessian=True`` it also returns the Hessian (log-parameter scale)
        from :meth:`_weighted_log_likelihood_hessian`:
        ``d2f/dtheta_i dtheta_j = -(H_ij p_i p_j + [i = j] g_i p_i) / W`` for
        ``theta = log p``, natural gradient ``g`` and Hessian ``H``.
        """
        total = float(data[WEIGHTS].sum())
        penalizer = float(self.penalizer)
        if not (math.isfinite(penalizer) and penalizer >= 0):
            raise ValueError(f"penalizer must be a number >= 0; got {self.penalizer!r}")
        cache: dict[bytes, tuple[float, FloatArray, FloatArray]] = {}
        empty = np.zeros((0, 0))

        def evaluate(log_params: FloatArray) -> tuple[float, FloatArray, FloatArray]:
            key = np.asarray(log_params, dtype=np.float64).tobytes()
            hit = cache.get(key)
            if hit is not None:
                return hit[0], hit[1].copy(), hit[2].copy()
            params = np.exp(log_params)
            k = len(log_params)
            off_limits = (math.inf, np.zeros(k), np.full((k, k), math.nan) if hessian else empty)
            try:
                with np.errstate(all="ignore"):
                    if hessian:
                        ll_total, grad_total, hess_total = self._weighted_log_likelihood_hessian(
                            params, data
                        )
                    else:
                        ll_total, grad_total = self._weighted_log_likelihood(params, data)
                        hess_total = empty
                    value = -ll_total / total
                    gradient = np.asarray(-grad_total * params / total, dtype=np.float64)
                    if hessian:
                        hess_log = -(hess_total * np.outer(params, params)) / total
                        hess_log[np.diag_indices(k)] += gradient
                    else:
                        hess_log = empty
            except (ValueError, ZeroDivisionError, OverflowError):
                # e.g. math.log(0.0) when a parameter underflows: treat as off-limits.
                return off_limits
            if not (math.isfinite(value) and np.all(np.isfinite(gradient))):
                return off_limits
            if penalizer > 0:  # weak log-normal prior (see the class docstring)
                value += penalizer * float(np.sum(log_params**2))
                gradient = gradient + 2.0 * penalizer * np.asarray(log_params, dtype=np.float64)
                if hessian:
                    hess_log = hess_log + 2.0 * penalizer * np.eye(k)
            if len(cache) >= 8:
                cache.pop(next(iter(cache)))
            cache[key] = (value, gradient, np.asarray(hess_log, dtype=np.float64))
            return value, gradient.copy(), np.asarray(hess_log, dtype=np.float64).copy()

        if hessian:
            return evaluate

        def objective(log_params: FloatArray) -> tuple[float, FloatArray]:
            value, gradient, _ = evaluate(log_params)
            return value, gradient

        return objective

    def _warm_start(
        self, compressed: SummaryArrays, start: FloatArray, objective: Any
    ) -> FloatArray:
        """Starting point near the optimum for a fit on many distinct rows.

        Fits an evenly strided subsample of ``_WARM_START_SAMPLE`` distinct rows
        (with their weights; the objective is a mean per customer, so the
        optimum is the full one up to sampling error), then takes Newton steps
        on the full data with the subsample's Hessian as a fixed
        preconditioner: each step shrinks the error by about the relative
        difference of the two Hessians, so a few full evaluations replace the
        dozens L-BFGS-B needs from the default start.  A step is kept only if
        it lowers the full objective; the usual optimisation (and Newton polish)
        follows, so the estimate is the same maximum as without a warm start.
        Returns ``start`` unchanged if the subsample cannot be fitted.
        """
        n = len(compressed[WEIGHTS])
        stride = max(1, n // _WARM_START_SAMPLE)
        sample = {k: np.ascontiguousarray(v[::stride]) for k, v in compressed.items()}
        try:
            sample_objective = self._objective(self._prepare(sample))
            x, hessian = maximize_log_likelihood(
                sample_objective, start, max_iter=self.max_iter, tol=1e-8
            )
        except (ModelFitError, ValueError, np.linalg.LinAlgError):
            return start
        best, grad = objective(x)
        if not math.isfinite(best):
            return start
        for _ in range(_WARM_START_STEPS):
            try:
                step = np.linalg.solve(hessian, grad)
            except np.linalg.LinAlgError:
                break
            candidate = np.clip(x - step, -_LOG_BOUND, _LOG_BOUND)
            value, candidate_grad = objective(candidate)
            if not (math.isfinite(value) and value <= best):
                break
            x, best, grad = candidate, value, candidate_grad
            if float(np.max(np.abs(step))) < 1e-9:
                break
        return np.asarray(x, dtype=np.float64)

    def _set_fit(self, params: FloatArray, log_likelihood: float, n_customers: float) -> None:
        self.params_ = {n: float(v) for n, v in zip(self.param_names, params, strict=True)}
        self.log_likelihood_ = float(log_likelihood)
        self.n_customers_ = float(n_customers)
        k = len(self.param_names)
        self.aic_ = 2.0 * k - 2.0 * self.log_likelihood_
        self.bic_ = k * math.log(max(self.n_customers_, 1.0)) - 2.0 * self.log_likelihood_

    def _covariance(self, params: FloatArray, hessian_log: FloatArray) -> FloatArray:
        """Asymptotic covariance of the natural parameters, ``D H^-1 D`` (see below).

        All NaN when the observed information cannot be inverted.  Kept so that
        :mod:`clientela.value.uncertainty` can carry the parameters' joint
        sampling distribution (correlations included) into the predictions.
        """
        k = len(params)
        try:
            covariance = np.linalg.inv(hessian_log) * np.outer(params, params)
        except np.linalg.LinAlgError:
            return np.full((k, k), np.nan)
        if not np.all(np.isfinite(covariance)):
            return np.full((k, k), np.nan)
        return np.asarray(0.5 * (covariance + covariance.T), dtype=np.float64)

    def _standard_errors(self, params: FloatArray, hessian_log: FloatArray) -> dict[str, float]:
        """Square roots of the diagonal of the inverse observed information.

        ``hessian_log`` is the Hessian of the total negative log-likelihood in
        log-parameters at the optimum; there the gradient vanishes, so the
        covariance of the natural parameters is ``D H^-1 D`` with
        ``D = diag(params)`` (delta method, exact at a stationary point).
        """
        try:
            variances = np.diag(np.linalg.inv(hessian_log)) * params**2
        except np.linalg.LinAlgError:
            variances = np.full(len(params), np.nan)
        return {
            n: float(math.sqrt(v)) if math.isfinite(v) and v >= 0 else math.nan
            for n, v in zip(self.param_names, variances, strict=True)
        }

    def _check_fitted(self) -> FloatArray:
        if not hasattr(self, "params_"):
            raise NotFittedError(f"{type(self).__name__} is not fitted yet; call fit(summary)")
        return np.array([self.params_[n] for n in self.param_names], dtype=np.float64)

    # -- settings, persistence, display ---------------------------------------

    def get_params(self) -> dict[str, Any]:
        """Settings given to ``__init__`` (scikit-learn's ``get_params``)."""
        names = [
            p.name
            for p in inspect.signature(type(self).__init__).parameters.values()
            if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]
        return {n: getattr(self, n) for n in names}

    def save(self, path: str | Path) -> None:
        """Write settings, parameters and fit diagnostics as JSON (no data)."""
        params = self._check_fitted()
        document = {
            "model": type(self).__name__,
            "clientela_version": __version__,
            "settings": self.get_params(),
            "params": dict(zip(self.param_names, map(float, params), strict=True)),
            "log_likelihood": self.log_likelihood_,
            "n_customers": self.n_customers_,
            "standard_errors": {
                k: (v if math.isfinite(v) else None) for k, v in self.standard_errors_.items()
            },
            "fit_warnings": list(getattr(self, "fit_warnings_", [])),
        }
        covariance = getattr(self, "covariance_", None)
        if covariance is not None and np.all(np.isfinite(covariance)):
            document["covariance"] = [[float(v) for v in row] for row in covariance]
        Path(path).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> Self:
        """Read a model written by :meth:`save`.

        Called on :class:`BaseModel` it returns whichever model the file holds;
        called on a subclass it refuses a file holding another model.
        """
        document = json.loads(Path(path).read_text(encoding="utf-8"))
        name = document.get("model")
        model_cls = _REGISTRY.get(str(name))
        if model_cls is None or not issubclass(model_cls, cls):
            raise ValueError(f"{path} holds a {name!r} model, not a {cls.__name__}")
        model = model_cls(**document.get("settings", {}))
        params = document["params"]
        missing = [n for n in model_cls.param_names if n not in params]
        if missing:
            raise ValueError(f"{path} lacks parameter(s) {missing}")
        model._set_fit(
            np.array([float(params[n]) for n in model_cls.param_names]),
            float(document["log_likelihood"]),
            float(document["n_customers"]),
        )
        model.standard_errors_ = {
            n: math.nan if v is None else float(v)
            for n, v in document.get("standard_errors", {}).items()
        }
        k = len(model_cls.param_names)
        covariance = document.get("covariance")
        model.covariance_ = (
            np.array(covariance, dtype=np.float64).reshape(k, k)
            if covariance is not None
            else np.full((k, k), np.nan)
        )
        model.fit_warnings_ = [str(w) for w in document.get("fit_warnings", [])]
        return model

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        if hasattr(self, "params_"):
            fitted = ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())
            return f"{type(self).__name__}({settings}) fitted: {fitted}"
        return f"{type(self).__name__}({settings})"


def dot(a: FloatArray, b: FloatArray) -> float:
    """``a @ b`` of two 1-D arrays, summed by NumPy's einsum rather than BLAS.

    OpenBLAS splits a long ``ddot`` over threads whose spinning workers, on a
    machine whose cores are busy, slowed fits severalfold (see
    :mod:`clientela.value.blas_threads`); the einsum loop is vectorised,
    single-threaded and as fast on one core, whatever the BLAS settings.
    """
    return float(np.einsum("i,i->", a, b))


def distinct_values(values: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Distinct values (sorted) and, per row, the position of its value (as float64).

    Lets a likelihood evaluate terms that depend on one column only (special
    functions of ``frequency``, logarithms of ``T``) once per distinct value;
    the codes are stored as floats so they fit in :data:`SummaryArrays`
    (exact for any realistic number of rows) and are cast back with
    ``.astype(np.intp)``.  Values on a grid (:func:`_grid_codes`) are numbered
    through a presence table of the grid, other values by :func:`numpy.unique`
    (a sort); both give the same result.
    """
    grid = _grid_codes(values)
    if grid is not None and grid[1] <= 4 * len(values) + 1024:
        codes, count, offset, q = grid
        present = np.zeros(count, dtype=bool)
        present[codes] = True
        slots = np.flatnonzero(present)
        dense = np.cumsum(present, dtype=np.int64) - 1
        unique = (slots + offset).astype(np.float64)
        if q != 1.0:
            unique /= q
        return unique, dense[codes].astype(np.float64)
    unique, inverse = np.unique(values, return_inverse=True)
    return unique.astype(np.float64), inverse.ravel().astype(np.float64)
