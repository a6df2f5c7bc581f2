"""Ops that combine several Values into one node: sums, maximum, minimum, where.

Each is one node however many operands it has (a neuron's weighted sum of 16 inputs is one
``sum`` node, not 15 ``+`` nodes), made with the engine's public ``op_result``.

>>> from autograd import Value
>>> sum_of([Value(1.0), Value(2.0)]).data, maximum(Value(1.0), Value(3.0)).data
(3.0, 3.0)
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from autograd import elementwise as ew
from autograd.elementwise import Data, as_data
from autograd.engine import Value, op_result

Number = int | float


def sum_of(values: Iterable[Value | Number]) -> Value:
    """One node adding many values (a neuron's weighted sum is one node, not a long chain).

    Not to be confused with ``Value.sum()``, which adds the samples of one batch.

    >>> total = sum_of([Value(1.0), Value(2.0), 3])
    >>> total.data, total.op, len(total.parents), total.local_grads
    (6.0, 'sum+3', 2, (1.0, 1.0))
    """
    terms: list[Value] = []
    numbers: list[Data] = []
    for v in values:
        if isinstance(v, Value):
            terms.append(v)
        else:
            numbers.append(as_data(v))
    constant = ew.add_up(numbers)
    c = None if type(constant) is float and constant == 0.0 else constant
    total = ew.add_up([term.data for term in terms] + numbers)
    return op_result(total, "sum", tuple(terms), _ones(len(terms)), c)


def sum_of_squares(values: Iterable[Value]) -> Value:
    """One node for Σ v² (an L2 penalty over hundreds of weights is one node, not 2n); a
    block (a matrix of parameters, ``engine.block``) counts as the sum of its squares.

    >>> s = sum_of_squares([Value(1.0), Value(-2.0)])
    >>> s.data, s.local_grads            # ∂/∂v = 2v
    (5.0, (2.0, -4.0))
    >>> from autograd.engine import block
    >>> sum_of_squares([block([[1.0, 2.0]]), Value(3.0)]).data
    14.0
    """
    terms = tuple(values)
    for i, v in enumerate(terms):
        if not isinstance(v, Value):
            raise TypeError(f"sum_of_squares: value {i} must be a Value, not {type(v).__name__}")
    datas = [v.data for v in terms]
    squares, doubles = ew.on_arrays(_squares_and_doubles, datas)  # one errstate for all
    return op_result(ew.add_up(squares), "sum_of_squares", terms, tuple(doubles))


def maximum(a: Value | Data, b: Value | Data) -> Value:
    """The larger of a and b; the gradient goes to the larger (half to each on a tie).

    >>> m = maximum(Value(1.0), Value(3.0)); m.data, m.local_grads
    (3.0, (0.0, 1.0))
    """
    return _pick(a, b, "max")


def minimum(a: Value | Data, b: Value | Data) -> Value:
    """The smaller of a and b; the gradient goes to the smaller (half to each on a tie).

    >>> m = minimum(Value(1.0), Value(3.0)); m.data, m.local_grads
    (1.0, (1.0, 0.0))
    """
    return _pick(a, b, "min")


def _pick(a: Value | Data, b: Value | Data, kind: str) -> Value:
    a = a if isinstance(a, Value) else Value(a)
    b = b if isinstance(b, Value) else Value(b)
    x, y = a.data, b.data
    wins, loses = (">", "<") if kind == "max" else ("<", ">")
    a_wins = ew.where(ew.compare(wins, x, y), 1.0, ew.where(ew.compare(loses, x, y), 0.0, 0.5))
    out = ew.maximum(x, y) if kind == "max" else ew.minimum(x, y)
    return op_result(out, kind, (a, b), (a_wins, ew.sub(1.0, a_wins)))


def where(condition: bool | np.ndarray, a: Value | Data, b: Value | Data) -> Value | Data:
    """a where condition holds, else b, per sample (as ``torch.where``); a node when a or b
    is one. The gradient goes to the operand that was chosen (the condition is held fixed).

    >>> where(True, Value(2.0), 0.0).data, where(False, 1.0, 0.0)
    (2.0, 0.0)
    """
    if type(condition) is bool:
        return a if condition else b
    if not isinstance(a, Value) and not isinstance(b, Value):
        return ew.where(condition, a, b)
    a_data = a.data if isinstance(a, Value) else a
    b_data = b.data if isinstance(b, Value) else b
    chosen = np.asarray(condition, dtype=np.float64)
    parents: list[Value] = []
    locals_: list[Data] = []
    for operand, share in ((a, chosen), (b, 1.0 - chosen)):
        if isinstance(operand, Value):
            parents.append(operand)
            locals_.append(share)
    out = ew.where(condition, a_data, b_data)
    return op_result(out, "where", tuple(parents), tuple(locals_))


def _squares_and_doubles(datas: list[Data]) -> tuple[list[Data], list[Data]]:
    """Each x², a block's the sum of its numbers' squares, and ∂x²/∂x = 2x (IEEE results:
    called with numpy's warnings off)."""
    squares: list[Data] = []
    for x in datas:
        if type(x) is not float and x.ndim == 2:
            squares.append(float(np.vdot(x, x)))  # Σ x², flattened, in one BLAS call
        else:
            squares.append(x * x)
    return squares, [x + x for x in datas]


def _ones(n: int, _cache: dict[int, tuple[float, ...]] = {}) -> tuple[float, ...]:  # noqa: B006
    """(1.0,) * n, shared: every sum node of n terms has the same local derivatives."""
    ones = _cache.get(n)
    if ones is None:
        ones = _cache[n] = (1.0,) * n
    return ones
