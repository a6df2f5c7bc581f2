"""Matrix products on one thread, for the fused layers' small products.

numpy hands a matrix product to BLAS (OpenBLAS in numpy's wheels), which splits one as
small as a layer of 32 neurons × 64 inputs × 256 samples across every core. When another
program holds a core, each product then waits for a thread that is not running: on this
2-core VM the digits notebook's training took 0.37 s or 1.9 s at random. A learner's
network gains little from a second thread and can lose several times over, so the fused
layers run their products on one thread.

The thread count is set through ``threadpoolctl`` and put back after each product, so numpy
elsewhere in the process is left as it was. That costs a few µs, so a product too small
for BLAS to split (OpenBLAS keeps m·n·k ≤ 2¹⁸ on one thread) is left alone. (The idea and
the thresholds come from a parallel prototype of this module on the `fused` branch.)

>>> import numpy as np
>>> matmul(np.eye(2), np.array([[1.0], [2.0]])).ravel().tolist()
[1.0, 2.0]
"""

from __future__ import annotations

from typing import Any

import numpy as np

SPLIT_ABOVE = 2**16  # m·n·k: a quarter of where OpenBLAS starts splitting, to be safe

_libraries: list[Any] | None = None  # the BLAS libraries numpy loaded, found once


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` (2-D) on one thread.

    >>> matmul(np.ones((2, 3)), np.ones((3, 4))).shape
    (2, 4)
    """
    if a.shape[0] * a.shape[1] * b.shape[1] <= SPLIT_ABOVE:
        return a @ b  # BLAS runs it on one thread by itself
    changed = []
    for blas in _blas_libraries():
        threads = blas.num_threads
        if threads > 1:
            blas.set_num_threads(1)
            changed.append((blas, threads))
    try:
        return a @ b
    finally:
        for blas, threads in changed:
            blas.set_num_threads(threads)


def _blas_libraries() -> list[Any]:
    global _libraries
    if _libraries is None:
        from threadpoolctl import ThreadpoolController

        _libraries = list(ThreadpoolController().select(user_api="blas").lib_controllers)
    return _libraries
