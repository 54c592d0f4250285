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
# Rows sampled by compress_rows to decide whether compression can pay.
_DISTINCT_SAMPLE = 20_000
# Above this many rows, row_groups may number groups with a presence table.
_DENSE_MIN_ROWS = 100_000


class ModelFitError(RuntimeError):
    """The data cannot identify the model, or the optimiser failed."""


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


def _column_codes(values: FloatArray) -> tuple[NDArray[np.int64], int]:
    """Integer code per value and the number of possible codes.

    Whole numbers in a modest range (counts, whole periods) are coded by
    arithmetic (``value - min``), which is exact and needs no hashing; other
    values by :func:`pandas.factorize` (hash-based, O(n)).
    """
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64), 1
    lo, hi = float(values.min()), float(values.max())
    if hi - lo < 2**24 and lo == math.floor(lo):
        shifted = values - lo
        codes = shifted.astype(np.int64)
        if np.array_equal(codes, shifted):
            return codes, int(hi - lo) + 1
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


def compress_rows(arrays: Mapping[str, FloatArray], columns: Sequence[str]) -> SummaryArrays:
    """Collapse identical rows of ``columns`` into one row with summed weights.

    Parameters
    ----------
    arrays : mapping of str to numpy.ndarray
        Equal-length columns, optionally with ``weights`` (taken as ones if
        absent).
    columns : sequence of str
        The columns that define "identical".

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
        # < 0.5% repeats in 20,000 means D > 2 million: nothing to gain.
        sample = {
            c: np.asarray(arrays[c], dtype=np.float64)[:: n // _DISTINCT_SAMPLE] for c in columns
        }
        _, sample_first = row_groups(sample, columns)
        if len(sample_first) > 0.995 * len(sample[columns[0]]):
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
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = minimize(
            objective,
            start,
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"maxiter": max_iter, "gtol": tol, "ftol": 1e-15, "maxcor": 20},
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
        raise ModelFitError(
            "the data do not identify the model: the likelihood keeps improving as a "
            "parameter goes to 0 or infinity"
        )
    return x, hessian


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
    """

    param_names: ClassVar[tuple[str, ...]] = ()
    required_columns: ClassVar[tuple[str, ...]] = ()

    params_: dict[str, float]
    log_likelihood_: float
    standard_errors_: dict[str, float]
    aic_: float
    bic_: float
    n_customers_: float

    def __init__(self, *, max_iter: int = 1000, tol: float = 1e-10) -> None:
        self.max_iter = max_iter
        self.tol = tol

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
        compressed = compress_rows(self._summary_arrays(summary), self.required_columns)
        data = self._prepare(compressed)
        total = float(data[WEIGHTS].sum())
        if total <= 0:
            raise ValueError("summary has no customers")
        objective = self._objective(data)
        start = np.log(self._initial_params(data))
        if len(compressed[WEIGHTS]) > _WARM_START_ROWS:
            start = self._warm_start(compressed, start, objective)
        log_params, hessian = maximize_log_likelihood(
            objective, start, max_iter=self.max_iter, tol=self.tol
        )
        params = np.exp(log_params)
        self._set_fit(params, -objective(log_params)[0] * total, total)
        self.standard_errors_ = self._standard_errors(params, hessian * total)
        return self

    def _objective(self, data: SummaryArrays) -> Any:
        """Mean negative log-likelihood and gradient in log-parameters, memoised.

        The optimiser, the Hessian and the Newton polish revisit points (the
        last line-search point, an accepted Newton step); a small cache keyed
        by the exact parameter bytes returns those without recomputation.
        """
        total = float(data[WEIGHTS].sum())
        cache: dict[bytes, tuple[float, FloatArray]] = {}

        def objective(log_params: FloatArray) -> tuple[float, FloatArray]:
            key = np.asarray(log_params, dtype=np.float64).tobytes()
            hit = cache.get(key)
            if hit is not None:
                return hit[0], hit[1].copy()
            params = np.exp(log_params)
            try:
                with np.errstate(all="ignore"):
                    ll_total, grad_total = self._weighted_log_likelihood(params, data)
                    value = -ll_total / total
                    gradient = -grad_total * params / total
            except (ValueError, ZeroDivisionError, OverflowError):
                # e.g. math.log(0.0) when a parameter underflows: treat as off-limits.
                return math.inf, np.zeros_like(log_params)
            if not (math.isfinite(value) and np.all(np.isfinite(gradient))):
                return math.inf, np.zeros_like(log_params)
            if len(cache) >= 8:
                cache.pop(next(iter(cache)))
            cache[key] = (value, np.asarray(gradient, dtype=np.float64))
            return value, np.asarray(gradient, dtype=np.float64).copy()

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
        }
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
    """Distinct values and, per row, the position of its value (as float64).

    Lets a likelihood evaluate terms that depend on one column only (special
    functions of ``frequency``, logarithms of ``T``) once per distinct value;
    the codes are stored as floats so they fit in :data:`SummaryArrays`
    (exact for any realistic number of rows) and are cast back with
    ``.astype(np.intp)``.
    """
    unique, inverse = np.unique(values, return_inverse=True)
    return unique.astype(np.float64), inverse.ravel().astype(np.float64)
