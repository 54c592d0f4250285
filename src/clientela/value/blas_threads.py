"""Run a block with the loaded BLAS libraries on one thread (threadpoolctl), then restore them.

Why: the value engine's BLAS work is tiny (L-BFGS-B on 3-4 parameters, short dot
products), and OpenBLAS wakes its worker threads for it. On a machine whose cores are
busy those threads spin against the main one: a 4-parameter
``scipy.optimize.minimize(method="L-BFGS-B")`` measured 133 ms with the default threads
and 6 ms with one (load average 7 on 2 cores), and whole fits were several times slower.

threadpoolctl finds the BLAS copies NumPy and SciPy each load. Its controller is built
once (finding the libraries costs ~7 ms, the limit itself ~30 µs) — on first use, when
the engine has loaded NumPy and SciPy — and rebuilt if more BLAS libraries appear.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from threadpoolctl import ThreadpoolController

_controller: ThreadpoolController | None = None


@contextlib.contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Limit every loaded BLAS to one thread inside the ``with`` block."""
    global _controller
    if _controller is None:
        _controller = ThreadpoolController()
    with _controller.limit(limits=1, user_api="blas"):
        yield
