"""The value engine runs its fits with BLAS on one thread and restores the count after."""

from __future__ import annotations

import numpy  # noqa: F401  (loads NumPy's BLAS)
import scipy.linalg  # noqa: F401  (loads SciPy's BLAS)
from threadpoolctl import threadpool_info

from clientela.value.blas_threads import single_threaded_blas


def _counts() -> list[int]:
    return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]


def test_every_blas_runs_one_thread_inside_the_block_and_its_count_comes_back():
    before = _counts()
    assert before, "no BLAS library found"
    with single_threaded_blas():
        assert _counts() == [1] * len(before)
    assert _counts() == before
