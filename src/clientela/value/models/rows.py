"""Identical rows of a customer summary, grouped once with a weight.

* :func:`compress_rows` -- collapses identical rows of the required columns into
  one row with a ``weights`` count (an existing ``weights`` column is honoured),
  so likelihoods are evaluated once per distinct customer history;
* :func:`row_groups` -- the group of every row and each group's first row;
* :func:`distinct_values` -- the distinct values of one column and each row's;
* :func:`dot` -- a single-threaded dot product of two long vectors.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
SummaryArrays = dict[str, FloatArray]

WEIGHTS = "weights"

# Rows sampled by compress_rows to decide whether compression can pay.
_DISTINCT_SAMPLE = 20_000
# Above this many rows, row_groups may number groups with a presence table.
_DENSE_MIN_ROWS = 100_000


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
