"""Run a block with the loaded OpenBLAS libraries on one thread, then restore them.

Why: the value engine's BLAS work is tiny (L-BFGS-B on 3-4 parameters, short
dot products), and OpenBLAS wakes its worker threads for it.  On a machine
whose cores are busy those threads spin against the main one: a 4-parameter
``scipy.optimize.minimize(method="L-BFGS-B")`` measured 133 ms with the default
threads and 6 ms with one (load average 7 on 2 cores), and whole fits were
several times slower.  NumPy and SciPy each ship their own OpenBLAS
(``scipy_openblas`` builds, symbol prefix ``scipy_openblas_``); this module
finds the copies loaded in the process (``/proc/self/maps``, Linux) and calls
their ``set_num_threads`` around the block, as threadpoolctl does, restoring
the previous counts afterwards.  Elsewhere (no such libraries, not Linux) it
does nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
from collections.abc import Iterator
from typing import Any

_SYMBOLS = (
    ("scipy_openblas_get_num_threads64_", "scipy_openblas_set_num_threads64_"),
    ("scipy_openblas_get_num_threads", "scipy_openblas_set_num_threads"),
    ("openblas_get_num_threads64_", "openblas_set_num_threads64_"),
    ("openblas_get_num_threads", "openblas_set_num_threads"),
)


@functools.cache
def _controls() -> tuple[tuple[Any, Any], ...]:
    """(get, set) function pairs of every OpenBLAS loaded in this process."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            paths = sorted(
                {line.split()[-1] for line in maps if "openblas" in line.lower() and "/" in line}
            )
    except OSError:
        return ()
    found: list[tuple[Any, Any]] = []
    for path in paths:
        try:
            library = ctypes.CDLL(path, mode=os.RTLD_NOLOAD)  # already loaded: no new copy
        except OSError:
            continue
        for get_name, set_name in _SYMBOLS:
            getter = getattr(library, get_name, None)
            setter = getattr(library, set_name, None)
            if getter is not None and setter is not None:
                getter.restype = ctypes.c_int
                setter.argtypes = [ctypes.c_int]
                found.append((getter, setter))
                break
    return tuple(found)


@contextlib.contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Limit every loaded OpenBLAS to one thread inside the ``with`` block."""
    controls = _controls()
    previous = [int(getter()) for getter, _ in controls]
    for _, setter in controls:
        setter(1)
    try:
        yield
    finally:
        for (_, setter), count in zip(controls, previous, strict=True):
            setter(count)
