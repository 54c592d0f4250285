"""Shared base for the lifetime-value estimators.

Every model in :mod:`clientela.value.models` follows the scikit-learn estimator
contract (docs/value.md, "Fitting"): ``__init__`` only stores settings,
``fit(summary)`` returns ``self`` and learned values end in ``_``.  This module
holds what all models share and nothing model-specific:

* :func:`validate_summary` -- checks a customer summary and names the offending
  column (missing, non-numeric, NaN/inf, negative, non-positive weights);
* :class:`BaseModel` -- ``fit`` (identical rows grouped by
  :mod:`~clientela.value.models.rows`, the optimum found by
  :mod:`~clientela.value.models.optimize`), standard errors from the inverse
  Hessian, AIC/BIC, JSON ``save``/``load`` and ``__repr__``;
* :class:`JointDerivatives` -- for models whose log-likelihood, gradient and
  Hessian come from one pass over the rows.

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
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd

from clientela import __version__
from clientela.value.blas_threads import single_threaded_blas
from clientela.value.models.optimize import (
    ModelFitError,
    descend,
    fixed_hessian_newton,
    maximize_log_likelihood,
    newton_maximize,
    numerical_hessian,
    still_improving,
)
from clientela.value.models.rows import _DENSE_MIN_ROWS as _DENSE_MIN_ROWS  # (value.spark)
from clientela.value.models.rows import (
    WEIGHTS,
    FloatArray,
    SummaryArrays,
    compress_rows,
    distinct_values,
    dot,
    row_groups,
)
from clientela.value.summary import finite_numbers

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


__all__ = [
    "WEIGHTS",
    "BaseModel",
    "BoundaryWarning",
    "FloatArray",
    "JointDerivatives",
    "ModelFitError",
    "NotFittedError",
    "SummaryArrays",
    "compress_rows",
    "distinct_values",
    "dot",
    "maximize_log_likelihood",
    "newton_maximize",
    "numerical_hessian",
    "row_groups",
    "validate_summary",
]


class BoundaryWarning(UserWarning):
    """A fit ended near a limit of the parameter space (see ``BaseModel.fit_warnings_``)."""


# A dimensionless shape parameter (BaseModel._shape_params) beyond these bounds
# means the likelihood only improves towards its limit (no dropout visible,
# rates that do not vary between customers): ModelFitError without a
# penalizer.  Inside them but beyond _BOUNDARY_WARN the optimum is a true one
# near the limit: the fit warns (BoundaryWarning) and records it.
_NOT_IDENTIFIED = 1e6
_BOUNDARY_WARN = 1e4
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
    values = finite_numbers(summary, name).copy()  # the models may work in place
    bad = values < 0 if allow_zero else values <= 0
    if bad.any():
        row = summary.index[int(np.argmax(bad))]
        need = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"column {name!r} must be {need}; row {row!r} has {values[bad][0]!r}")
    return values


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
                found, start = fixed_hessian_newton(objective, *grid), grid[0]
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
        (:func:`still_improving`): if the likelihood is as high there, the
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
                    or still_improving(objective, log_params, i, 5.0 if side == "high" else -5.0,
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
        then finishes on the exact values (:func:`fixed_hessian_newton`), so
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
        x = descend(objective, x, hessian, _WARM_START_STEPS, best, grad, stop_below=1e-9)
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


class JointDerivatives:
    """Mixin for a model whose weighted log-likelihood, gradient and Hessian are one pass.

    The model implements :meth:`_weighted_derivatives`; the two methods
    :class:`BaseModel` calls are derived from it.  List it before
    :class:`BaseModel` among the bases.
    """

    def _weighted_derivatives(
        self, params: FloatArray, data: SummaryArrays, *, hessian: bool
    ) -> tuple[float, FloatArray, FloatArray | None]:
        """``sum_i w_i log L_i``, its gradient and, with ``hessian``, its Hessian."""
        raise NotImplementedError

    def _weighted_log_likelihood(
        self, params: FloatArray, data: SummaryArrays
    ) -> tuple[float, FloatArray]:
        """The weighted log-likelihood and its gradient (:meth:`_weighted_derivatives`)."""
        ll, grad, _ = self._weighted_derivatives(params, data, hessian=False)
        return ll, grad

    def _weighted_log_likelihood_hessian(
        self, params: FloatArray, data: SummaryArrays
    ) -> tuple[float, FloatArray, FloatArray]:
        """Weighted log-likelihood, gradient and analytic Hessian (natural parameters)."""
        ll, grad, hess = self._weighted_derivatives(params, data, hessian=True)
        if hess is None:  # pragma: no cover - hessian=True always returns it
            raise RuntimeError("the Hessian was not computed")
        return ll, grad, hess
