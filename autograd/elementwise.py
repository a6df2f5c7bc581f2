"""Elementwise math on a float or a 1-D numpy array, with IEEE 754 results.

Python's ``math`` raises where IEEE 754 gives a number: ``math.exp(1000)`` raises
OverflowError, ``math.log(0)`` and ``math.sqrt(-1)`` raise ValueError, ``1 / 0.0`` raises
ZeroDivisionError. numpy and PyTorch return inf, -inf and nan instead, and so does this
engine: every function here takes a float (fast path, ``math``) or an array (``numpy``,
with its floating-point warnings silenced, as PyTorch has none) and returns the IEEE result.

>>> exp(1000.0), log(0.0), sqrt(-1.0), div(1.0, 0.0)
(inf, -inf, nan, inf)
"""

from __future__ import annotations

import math

import numpy as np

from autograd import ieee

Data = float | np.ndarray

_INF = math.inf
_NAN = math.nan


def total(x: np.ndarray) -> float:
    """The sum of a batch; inf + -inf is nan. ``total(np.array([1.0, 2.0])) == 3.0``"""
    # np.add.reduce, not np.sum: np.sum would warn from numpy's own module, past the filter
    return float(ieee.on_batches(np.add.reduce, x))


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
    return float(np.dot(a, b))  # BLAS: no floating-point warnings, IEEE results (inf·0 = nan)


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
    return _on_batches(np.add, a, b)


def sub(a: Data, b: Data) -> Data:
    """a - b. ``sub(3.0, 1.0) == 2.0``"""
    if type(a) is float and type(b) is float:
        return a - b
    return _on_batches(np.subtract, a, b)


def mul(a: Data, b: Data) -> Data:
    """a · b. ``mul(math.inf, 0.0)`` is nan, for floats and batches alike."""
    if type(a) is float and type(b) is float:
        return a * b
    return _on_batches(np.multiply, a, b)


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
    return ieee.on_batches(np.exp, x)


def log(x: Data) -> Data:
    """Natural log; -inf at 0 and nan below. ``log(0.0) == -inf``"""
    if type(x) is float:
        if x > 0.0:
            return math.log(x)
        return -_INF if x == 0.0 else _NAN
    return ieee.on_batches(np.log, x)


def sqrt(x: Data) -> Data:
    """Square root; nan below 0. ``sqrt(4.0) == 2.0``"""
    if type(x) is float:
        return math.sqrt(x) if x >= 0.0 else _NAN
    return ieee.on_batches(np.sqrt, x)


def div(a: Data, b: Data) -> Data:
    """a / b; ±inf or nan when b is 0, as IEEE 754 divides. ``div(-1.0, 0.0) == -inf``"""
    if type(a) is float and type(b) is float:
        try:
            return a / b
        except ZeroDivisionError:
            if a != a or a == 0.0:  # nan / 0 and 0 / 0
                return _NAN
            return math.copysign(_INF, a) * math.copysign(1.0, b)
    return _on_batches(np.divide, a, b)


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
    return _on_batches(np.power, a, b)


def tanh(x: Data) -> Data:
    """Hyperbolic tangent. ``tanh(0.0) == 0.0``"""
    return math.tanh(x) if type(x) is float else np.tanh(x)


def sigmoid(x: Data) -> Data:
    """1 / (1 + e^-x), computed without overflow for any x. ``sigmoid(0.0) == 0.5``"""
    if type(x) is float:
        if x >= 0.0:
            return 1.0 / (1.0 + math.exp(-x))
        e = math.exp(x)  # x < 0 (or nan): e^x cannot overflow here
        return e / (1.0 + e)
    return ieee.on_batches(ieee.sigmoid, x)


def softplus(x: Data) -> Data:
    """log(1 + e^x) = max(x, 0) + log1p(e^-|x|), stable for any x. ``softplus(0.0) == log(2)``"""
    if type(x) is float:
        return max(x, 0.0) + math.log1p(math.exp(-abs(x))) if x == x else _NAN
    return ieee.on_batches(ieee.softplus, x)


def sin(x: Data) -> Data:
    """Sine; nan at ±inf. ``sin(0.0) == 0.0``"""
    if type(x) is float:
        return math.sin(x) if math.isfinite(x) else _NAN
    return ieee.on_batches(np.sin, x)


def cos(x: Data) -> Data:
    """Cosine; nan at ±inf. ``cos(0.0) == 1.0``"""
    if type(x) is float:
        return math.cos(x) if math.isfinite(x) else _NAN
    return ieee.on_batches(np.cos, x)


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
    return _on_batches(np.maximum, a, b)


def minimum(a: Data, b: Data) -> Data:
    """The smaller of a and b; nan if either is nan. ``minimum(1.0, 3.0) == 1.0``"""
    if type(a) is float and type(b) is float:
        return a if a <= b else b if b < a else a + b
    return _on_batches(np.minimum, a, b)


def _on_batches(ufunc: np.ufunc, a: Data, b: Data) -> np.ndarray:
    """ufunc(a, b) where a or b is a batch: sizes checked, IEEE results."""
    if type(a) is not float and type(b) is not float and len(a) != len(b):
        same_sizes(a, b)  # raises, naming the sizes
    return ieee.on_batches(ufunc, a, b)
