"""Maximum likelihood over log-parameters: L-BFGS-B, Newton's method, Hessians.

:func:`maximize_log_likelihood` runs L-BFGS-B with the model's analytic
gradient, polished by a few Newton steps, raising :class:`ModelFitError`
rather than returning NaN or boundary parameters; :func:`newton_maximize`
is Newton's method for models with an analytic Hessian; and
:func:`numerical_hessian` differentiates a gradient.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.optimize import minimize

from clientela.value.models.rows import FloatArray

# Log-parameters are kept inside [log 1e-10, log 1e10]; an optimum on this box
# means the likelihood keeps improving towards 0 or infinity, i.e. the data do
# not identify the model (e.g. Pareto/NBD with no sign of churn).
_LOG_BOUND = math.log(1e10)
# Longest Newton step in any log-parameter (a factor e^2 on the parameter).
_MAX_NEWTON_STEP = 2.0
# Newton iterations before giving up (L-BFGS-B then takes over); from a
# subsample's optimum it needs about five.
_NEWTON_MAX_ITER = 60
# A log-parameter beyond this stops L-BFGS-B early: the optimum is at infinity.
_STOP_LOG = math.log(1e8)


class ModelFitError(RuntimeError):
    """The data cannot identify the model, or the optimiser failed."""


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
    best, grad = objective(x)
    if not (np.all(np.isfinite(x)) and math.isfinite(best)):
        raise ModelFitError(f"the optimiser stopped on a non-finite value ({result.message})")
    # One finite-difference Hessian of the analytic gradient, reused for up to
    # three Newton steps and returned for the standard errors.
    hessian = numerical_hessian(lambda p: objective(p)[1], x)
    x = descend(objective, x, hessian, 3, best, grad)
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
    rounding noise; :func:`_polish` then follows the gradient to its root) -- as precise as L-BFGS-B followed by the Newton polish of
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
            return _polish(objective, x, value, grad, hess, step)
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


def _polish(objective: Any, x: FloatArray, value: float, grad: FloatArray, hess: FloatArray,
            step: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Full Newton steps from near the optimum while each shrinks the gradient: the root of
    the gradient, to the precision of the gradient itself.

    Near the optimum the objective's changes fall below its rounding (a mean over many
    customers changes by ~1e-15 relative for a step of 1e-7 along a flat direction such
    as Gamma-Gamma's ``q`` and ``v``), so a step there cannot be judged by the objective:
    a test on it refuses or accepts the last step by chance, and two fits of data that
    differ in the last bits of a few averages (a sum in another order, as Spark's) end
    ~1e-7 apart. The gradient still measures the distance to the optimum, so a step is
    kept while it makes the gradient smaller (and the objective is no worse than
    rounding allows); the answer then depends on the data, not on the path.
    """
    size = float(np.max(np.abs(grad)))
    for _ in range(8):
        candidate = x + step
        c_value, c_grad, c_hess = objective(candidate)
        c_size = float(np.max(np.abs(c_grad))) if np.all(np.isfinite(c_grad)) else math.inf
        if not (math.isfinite(c_value) and c_value <= value + 1e-12 * max(1.0, abs(value))
                and c_size < size and np.all(np.isfinite(c_hess))):
            break
        x, value, hess, size = candidate, c_value, c_hess, c_size
        try:
            step = -np.linalg.solve(hess, c_grad)
        except np.linalg.LinAlgError:
            break
    return x, hess


def still_improving(
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


def descend(
    objective: Any,
    x: FloatArray,
    hessian: FloatArray,
    steps: int,
    best: float,
    grad: FloatArray,
    *,
    stop_below: float = 0.0,
) -> FloatArray:
    """Up to ``steps`` Newton steps from ``x`` with a fixed ``hessian``.

    ``best`` and ``grad`` are the objective and its gradient at ``x``.  A
    step (kept inside the log-parameter box) is taken only if it does not
    raise the objective; the steps stop at the first that would, or after one
    shorter than ``stop_below`` in every log-parameter.
    """
    for _ in range(steps):
        try:
            step = np.linalg.solve(hessian, grad)
        except np.linalg.LinAlgError:
            break
        candidate = np.clip(x - step, -_LOG_BOUND, _LOG_BOUND)
        value, candidate_grad = objective(candidate)
        if not (math.isfinite(value) and value <= best):
            break
        x, best, grad = candidate, value, candidate_grad
        if float(np.max(np.abs(step))) < stop_below:
            break
    return x


def fixed_hessian_newton(
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


