"""numpy on batches with IEEE 754 results and no warnings, as PyTorch has it.

numpy reports the IEEE special cases (inf - inf, 0 · inf, overflow, log 0) as
RuntimeWarnings; here they are the intended results. Entering ``np.errstate`` around each op
would cost ~1.5 µs, more than the op itself on a batch of hundreds, so the warnings numpy
raises from this module's own lines are filtered out instead. The filter names this module
and the engine's only (elsewhere numpy warns as usual) and goes first, so it holds under
``python -W error`` too.

This module is never compiled: a warning names the Python line that called numpy, and
compiled code has no lines of its own, so its warnings would seem to come from the user's
code. The engine's batch math calls numpy here, from lines that the filter can name.

>>> from autograd import Value
>>> Value(np.array([0.0, -1.0])).log().data      # no RuntimeWarning
array([-inf,  nan])
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable

import numpy as np

_MODULES = r"autograd\.(ieee|fused|elementwise|engine)\Z"  # the last two: when not compiled
_FILTER = ("ignore", None, RuntimeWarning, re.compile(_MODULES), 0)


def keep_ieee_results_quiet() -> None:
    """Put the filter in place, unless it is there. Called at import and whenever a batch
    is made: a ``warnings.catch_warnings()`` block (pytest wraps every test in one) drops
    filters added inside it when it ends."""
    if _FILTER not in warnings.filters:
        warnings.filterwarnings("ignore", category=RuntimeWarning, module=_MODULES)


keep_ieee_results_quiet()


def quiet() -> np.errstate:
    """A block where numpy's warnings on IEEE special cases are off (for code outside this
    module, such as a whole backward pass). A fresh errstate each time: numpy 2 refuses to
    enter the same one twice."""
    return np.errstate(all="ignore")


def on_batches(compute: Callable[..., np.ndarray], *args: object) -> np.ndarray:
    """compute(*args) on batches. If the user told numpy to raise on floating-point errors
    (``np.seterr(all="raise")``), compute it again with them off: the engine's promise is
    the IEEE result either way. (No cost when nothing raises.)"""
    try:
        return compute(*args)
    except FloatingPointError:
        with quiet():
            return compute(*args)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x) without overflow. ``sigmoid(np.zeros(1))`` is [0.5]."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softplus(x: np.ndarray) -> np.ndarray:
    """log(1 + e^x) without overflow. ``softplus(np.zeros(1))`` is [log 2]."""
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))
