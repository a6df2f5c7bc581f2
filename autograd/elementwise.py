"""Elementwise math on a float or a numpy array, with IEEE 754 results and no warnings.

Python's ``math`` raises where IEEE 754 gives a number: ``math.exp(1000)`` raises
OverflowError, ``math.log(0)`` and ``math.sqrt(-1)`` raise ValueError, ``1 / 0.0`` raises
ZeroDivisionError. numpy and PyTorch return inf, -inf and nan instead, and so does this
engine: every function here takes a float (fast path, ``math``) or an array (a batch, or a
fused layer's matrix) and returns the IEEE result.

numpy reports those special cases (inf - inf, 0 · inf, overflow, log 0) as RuntimeWarnings,
or raises them when the user asked for it (``np.seterr(all="raise")``). Here they are the
intended results, so every numpy call runs inside ``np.errstate(all="ignore")``: scoped to
the engine's own call, whatever warning filters or error settings the user has, and leaving
those exactly as they were.

>>> exp(1000.0), log(0.0), sqrt(-1.0), div(1.0, 0.0)
(inf, -inf, nan, inf)
>>> log(np.array([0.0, -1.0]))      # no RuntimeWarning, under any filter
array([-inf,  nan])
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

Data = float | np.ndarray

_INF = math.inf
_NAN = math.nan

# numpy 2 keeps its error settings in a context variable, which ``np.errstate`` sets and
# resets in some 1 µs of Python. A batched training step makes dozens of numpy calls, so
# on_arrays sets the same variable to a prebuilt "ignore all" value itself (0.1 µs): the
# same effect, scoped the same way (tests/test_ieee_warnings.py checks the two agree).
# Older numpy, or a numpy without these names, gets np.errstate.
try:
    from numpy._core._ufunc_config import (  # type: ignore[attr-defined]
        _extobj_contextvar,
        _make_extobj,
    )

    _ERRORS: Any = _extobj_contextvar
    _IGNORE_ALL: Any = _make_extobj(all="ignore")
except ImportError:  # pragma: no cover - numpy 1.x
    _ERRORS = None
    _IGNORE_ALL = None


def on_arrays(compute: Callable[..., Any], *args: object) -> Any:
    """compute(*args) with numpy's floating-point errors ignored: the IEEE result, no warning.

    >>> on_arrays(np.divide, np.array([1.0]), np.array([0.0]))
    array([inf])
    """
    if _ERRORS is None:  # pragma: no cover - numpy 1.x
        with np.errstate(all="ignore"):
            return compute(*args)
    token = _ERRORS.set(_IGNORE_ALL)
    try:
        return compute(*args)
    finally:
        _ERRORS.reset(token)


def total(x: np.ndarray) -> float:
    """The sum of a batch; inf + -inf is nan. ``total(np.array([1.0, 2.0])) == 3.0``"""
    return float(on_arrays(np.add.reduce, x, None))


def dot(a: Data, b: Data) -> float:
    """Σ aᵢ·bᵢ over a batch (a number stands for the same value in every sample).

    >>> dot(np.array([1.0, 2.0]), np.array([3.0, 4.0])), dot(2.0, np.array([3.0, 4.0]))
    (11.0, 14.0)
    """
    if type(a) is float:
        return a * total(b)
    if type(b) is float:
        return b * total(a)
    same_sizes(a, b)
    return float(on_arrays(np.dot, a, b))  # BLAS; IEEE results (inf·0 = nan)


def mean(x: np.ndarray) -> float:
    """The mean of a batch. ``mean(np.array([1.0, 2.0])) == 1.5``"""
    return total(x) / len(x)


def same_sizes(a: Data, b: Data) -> None:
    """Two batches must hold the same number of samples: numpy would broadcast a batch of
    one against any other silently. ``same_sizes(1.0, np.ones(3))`` passes."""
    if type(a) is not float and type(b) is not float and len(a) != len(b):
        sizes = sorted((len(a), len(b)))
        raise ValueError(f"cannot combine batches of different sizes {sizes}")


def add(a: Data, b: Data) -> Data:
    """a + b. ``add(math.inf, -math.inf)`` is nan, for floats and batches alike."""
    if type(a) is float and type(b) is float:
        return a + b  # Python's float arithmetic never warns nor raises here
    return _binary(np.add, a, b)


def sub(a: Data, b: Data) -> Data:
    """a - b. ``sub(3.0, 1.0) == 2.0``"""
    if type(a) is float and type(b) is float:
        return a - b
    return _binary(np.subtract, a, b)


def mul(a: Data, b: Data) -> Data:
    """a · b. ``mul(math.inf, 0.0)`` is nan, for floats and batches alike."""
    if type(a) is float and type(b) is float:
        return a * b
    return _binary(np.multiply, a, b)


def div(a: Data, b: Data) -> Data:
    """a / b; ±inf or nan when b is 0, as IEEE 754 divides. ``div(-1.0, 0.0) == -inf``"""
    if type(a) is float and type(b) is float:
        try:
            return a / b
        except ZeroDivisionError:
            if a != a or a == 0.0:  # nan / 0 and 0 / 0
                return _NAN
            return math.copysign(_INF, a) * math.copysign(1.0, b)
    return _binary(np.divide, a, b)


def power(a: Data, b: Data) -> Data:
    """a ** b as IEEE pow: nan for a negative base with a fractional exponent, inf on
    overflow. ``power(-8.0, 1 / 3)`` is nan (Python's ``**`` would give a complex)."""
    if type(a) is float and type(b) is float:
        try:
            return math.pow(a, b)
        except OverflowError:
            odd_integer = b == math.floor(b) and b % 2 == 1
            return -_INF if a < 0.0 and odd_integer else _INF
        except ValueError:  # 0 ** negative (a pole) or negative ** fraction
            if a == 0.0:
                odd_integer = b == math.floor(b) and b % 2 == 1
                return math.copysign(_INF, a) if odd_integer else _INF
            return _NAN
    if type(b) is float:  # numpy computes array ** 0.5 as sqrt: nan at -inf, not IEEE inf
        b = np.full(len(a), b)
    return _binary(np.power, a, b)


def compare(op: str, a: Data, b: Data) -> bool | np.ndarray:
    """a < b (or <=, >, >=), per sample for batches. ``compare("<", 1.0, 2.0) is True``"""
    same_sizes(a, b)
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    return a >= b


def exp(x: Data) -> Data:
    """e ** x; inf on overflow. ``exp(1000.0) == inf``"""
    if type(x) is float:
        try:
            return math.exp(x)
        except OverflowError:
            return _INF
    return on_arrays(np.exp, x)


def expm1(x: Data) -> Data:
    """e ** x - 1, exact near 0 (where e ** x - 1 would cancel); inf on overflow.
    ``expm1(0.0) == 0.0``"""
    if type(x) is float:
        try:
            return math.expm1(x)
        except OverflowError:
            return _INF
    return on_arrays(np.expm1, x)


def log(x: Data) -> Data:
    """Natural log; -inf at 0 and nan below. ``log(0.0) == -inf``"""
    if type(x) is float:
        if x > 0.0:
            return math.log(x)
        return -_INF if x == 0.0 else _NAN
    return on_arrays(np.log, x)


def sqrt(x: Data) -> Data:
    """Square root; nan below 0. ``sqrt(4.0) == 2.0``"""
    if type(x) is float:
        return math.sqrt(x) if x >= 0.0 else _NAN
    return on_arrays(np.sqrt, x)


def tanh(x: Data) -> Data:
    """Hyperbolic tangent. ``tanh(0.0) == 0.0``"""
    return math.tanh(x) if type(x) is float else on_arrays(np.tanh, x)


def sigmoid(x: Data) -> Data:
    """1 / (1 + e^-x), computed without overflow for any x. ``sigmoid(0.0) == 0.5``"""
    if type(x) is float:
        return sigmoid_of_number(x)
    return on_arrays(_sigmoid_of_array, x)


def sigmoid_of_number(x: float) -> float:
    """``sigmoid`` of one number. ``sigmoid_of_number(0.0) == 0.5``"""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)  # x < 0 (or nan): e^x cannot overflow here
    return e / (1.0 + e)


def _sigmoid_of_array(x: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softplus(x: Data) -> Data:
    """log(1 + e^x) = max(x, 0) + log1p(e^-|x|), stable for any x. ``softplus(0.0) == log(2)``"""
    if type(x) is float:
        return max(x, 0.0) + math.log1p(math.exp(-abs(x))) if x == x else _NAN
    return on_arrays(_softplus_of_array, x)


def _softplus_of_array(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def sin(x: Data) -> Data:
    """Sine; nan at ±inf. ``sin(0.0) == 0.0``"""
    if type(x) is float:
        return math.sin(x) if math.isfinite(x) else _NAN
    return on_arrays(np.sin, x)


def cos(x: Data) -> Data:
    """Cosine; nan at ±inf. ``cos(0.0) == 1.0``"""
    if type(x) is float:
        return math.cos(x) if math.isfinite(x) else _NAN
    return on_arrays(np.cos, x)


def where(condition: bool | np.ndarray, a: Data, b: Data) -> Data:
    """a where condition holds, else b. ``where(True, 1.0, 2.0) == 1.0``"""
    if type(condition) is bool:
        return a if condition else b
    return np.where(condition, a, b)


def not_finite(x: Data) -> bool | np.ndarray:
    """Per sample: is x inf or nan? ``not_finite(math.inf) is True``"""
    if type(x) is float:
        return not math.isfinite(x)
    return ~np.isfinite(x)


def is_finite(x: Data) -> bool:
    """True when every element is finite. ``is_finite(math.inf) is False``"""
    if type(x) is float:
        return math.isfinite(x)
    return bool(np.isfinite(x).all())


def absolute(x: Data) -> Data:
    """|x|. ``absolute(-2.0) == 2.0``"""
    return abs(x) if type(x) is float else np.absolute(x)


def relu(x: Data) -> Data:
    """max(x, 0), keeping nan as nan. ``relu(-2.0) == 0.0``"""
    if type(x) is float:
        return x if x > 0.0 or x != x else 0.0
    return np.maximum(x, 0.0)


def maximum(a: Data, b: Data) -> Data:
    """The larger of a and b; nan if either is nan. ``maximum(1.0, 3.0) == 3.0``"""
    if type(a) is float and type(b) is float:
        return a if a >= b else b if b > a else a + b  # a + b: the nan case
    return _binary(np.maximum, a, b)


def minimum(a: Data, b: Data) -> Data:
    """The smaller of a and b; nan if either is nan. ``minimum(1.0, 3.0) == 1.0``"""
    if type(a) is float and type(b) is float:
        return a if a <= b else b if b < a else a + b
    return _binary(np.minimum, a, b)


def _binary(ufunc: np.ufunc, a: Data, b: Data) -> np.ndarray:
    """ufunc(a, b) where a or b is a batch: sizes checked, IEEE results."""
    if type(a) is not float and type(b) is not float:
        if a.ndim != b.ndim:  # numpy would broadcast a batch against a matrix, row by row
            raise ValueError("cannot combine a batch (1-D) with a block or a matrix (2-D)")
        if len(a) != len(b):
            same_sizes(a, b)  # raises, naming the sizes
    return on_arrays(ufunc, a, b)


# --------------------------------------------------------------------- what a Value may hold


def as_data(x: object) -> Data:
    """Validate what a Value may hold: a real number (stored as float) or a 1-D batch.

    >>> as_data(3), as_data(np.array([1, 2]))
    (3.0, array([1., 2.]))
    >>> as_data("1")
    Traceback (most recent call last):
    TypeError: Value data must be an int, a float or a 1-D numpy array, not str
    """
    if type(x) is float:  # the common case first
        return x  # type: ignore[return-value]
    if isinstance(x, bool | np.bool_):
        raise TypeError("Value data must be a number, not bool")
    if isinstance(x, float | int | np.integer | np.floating):
        try:
            return float(x)  # also turns numpy float64 into a plain float
        except OverflowError:
            raise ValueError(f"integer {x} is too large for a float") from None
    if isinstance(x, np.ndarray):
        if x.ndim == 0:
            return as_data(x.item())
        if x.ndim != 1 or x.size == 0:
            raise ValueError(f"a batch must be a non-empty 1-D array, got shape {x.shape}")
        if x.dtype.kind not in "iuf":
            raise TypeError(f"a batch must hold real numbers, not {x.dtype}")
        return np.array(x, dtype=np.float64)  # a copy: later edits to x do not leak in
    raise TypeError(
        f"Value data must be an int, a float or a 1-D numpy array, not {type(x).__name__}"
    )


def fmt(x: Data) -> str:
    """A number, or a batch by its first samples, for messages. ``fmt(0.5) == '0.5'``"""
    if type(x) is float:
        return f"{x:g}"
    flat = x.ravel()
    return f"[{', '.join(f'{v:g}' for v in flat[:3])}{', ...' if len(flat) > 3 else ''}]"


def add_up(addends: list[Data]) -> Data:
    """Σ addends (numbers and batches); batches must have one size.

    >>> add_up([1.0, np.array([1.0, 2.0])])
    array([2., 3.])
    """
    sizes = {len(a) for a in addends if type(a) is not float}
    if len(sizes) > 1:
        raise ValueError(f"cannot combine batches of different sizes {sorted(sizes)}")
    if not sizes:
        return sum(addends, 0.0)
    return on_arrays(sum, addends, 0.0)


# --------------------------------------------------------------------- derivatives of x ** y
# The one op whose derivatives need care at 0 and at the poles, following PyTorch.


def d_base(x: Data, y: Data) -> Data:
    """∂(x^y)/∂x = y·x^(y-1); 0 where y = 0 and x^(y-1) is not finite (x = 0, nan, or tiny),
    where the formula would give 0·inf or nan: x^0 is the constant 1, as PyTorch has it.

    >>> d_base(3.0, 2.0), d_base(0.0, 0.0)
    (6.0, 0.0)
    """
    p = power(x, sub(y, 1.0))
    return where(zero_times_infinite(y, p), 0.0, mul(y, p))


def zero_times_infinite(y: Data, power: Data) -> bool | np.ndarray:
    """Where y = 0 meets a power that is not finite: there ∂(x^y)/∂x is 0, not nan.
    ``zero_times_infinite(0.0, float("inf")) is True``"""
    return (y == 0.0) & not_finite(power)


def d_exponent(x: Data, y: Data, out: Data) -> Data:
    """∂(x^y)/∂y = x^y·ln x, and 0 where x = 0 and y ≥ 0 (0·ln 0); -inf for y < 0.

    >>> d_exponent(0.0, 2.0, 0.0)
    0.0
    """
    return where((x == 0.0) & (y >= 0.0), 0.0, mul(out, log(x)))
