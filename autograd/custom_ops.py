"""Ops of your own: ``autograd.function(forward, derivative, name)``.

A built-in op computes its result and, beside it, the local derivative ∂out/∂input of
each input (see ``engine.py``). An op of your own is the same two formulas, given as two
functions of the inputs' numbers:

>>> import autograd
>>> cube = autograd.function(lambda x: x * x * x, lambda x: 3 * x * x, name="cube")
>>> x = autograd.Value(2.0)
>>> y = cube(x)
>>> y.backward()
>>> y.op, y.data, x.grad
('cube', 8.0, 12.0)

The result is an ordinary node (made by ``engine.op_result``): backward, the drawings
(which show its name), ``no_grad`` and batches treat it like any other. Called on Values
instead of numbers, ``derivative`` builds the local derivatives as a graph, which is what
second derivatives (``create_graph=True``) need: that works when ``derivative`` is written
with operators, which numbers, arrays and Values all have (``3 * x * x``; e^x as
``math.e ** x``, √x as ``x ** 0.5``), not with ``math.exp`` or ``np.exp``.
``autograd.testing.assert_gradients_match`` checks both against finite differences.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import rules
from autograd.engine import Value, is_grad_enabled, op_result

Data = float | np.ndarray

# The ops the engine defines itself (those with a second-derivative rule), taken before any
# function() is registered: a function may not take their names (it would replace their rule).
_BUILT_IN = frozenset(rules.RULES)
_OPERATORS_ONLY = "3 * x * x, math.e ** x for e^x, x ** 0.5 for √x (not math.exp or np.exp)"
_REGISTERED: dict[str, Function] = {}


class Function:
    """An op made by ``autograd.function``: call it on Values (or numbers) to get its node.

    ``name``, ``forward`` and ``derivative`` are what it was made with; ``arity`` is the
    number of inputs it takes (None when ``forward`` takes any number).

    >>> softplus = function(lambda x: np.log1p(np.exp(x)), lambda x: 1 / (1 + np.exp(-x)),
    ...                     name="softplus_np")
    >>> softplus.arity, softplus(Value(0.0)).local_grads
    (1, (0.5,))
    """

    def __init__(self, forward: Callable, derivative: Callable, name: str) -> None:
        self.forward = forward
        self.derivative = derivative
        self.name = name
        self.arity = arity(forward)

    def __call__(self, *inputs: Value | float | np.ndarray) -> Value:
        if self.arity is not None and len(inputs) != self.arity:
            raise TypeError(f"{self.name} takes {_inputs(self.arity)}, got {len(inputs)}")
        parents = tuple(self._as_value(k, x) for k, x in enumerate(inputs))
        numbers = [_read_only(p.data) for p in parents]
        data = self._checked_output(self.forward(*numbers), parents)
        if not is_grad_enabled():  # no history is recorded: no derivative needed
            return op_result(data, self.name, (), ())
        parts = self._parts(self.derivative(*numbers), len(parents))
        local_grads = tuple(
            self._checked_part(k, part, parent, data)
            for k, (part, parent) in enumerate(zip(parts, parents))
        )
        return op_result(data, self.name, parents, local_grads)

    def __repr__(self) -> str:
        return f"autograd.function({self.name!r})"

    # ------------------------------------------------------------ checks, naming the op

    def _as_value(self, k: int, x: object) -> Value:
        if isinstance(x, Value):
            return x
        try:  # a number operand becomes a leaf, as in autograd.maximum(x, 0.0)
            return Value(x)  # type: ignore[arg-type]
        except (TypeError, ValueError) as error:
            raise type(error)(f"{self.name}: input {k}: {error}") from None

    def _checked_output(self, out: object, parents: tuple[Value, ...]) -> Data:
        data = _as_number_or_batch(out)
        if data is None:
            raise TypeError(
                f"{self.name}: forward returned {_what(out)}, not a number or a 1-D array "
                "of numbers (one per sample)"
            )
        sizes = {p.batch_size for p in parents} - {None}
        if len(sizes) > 1:
            raise ValueError(f"{self.name}: inputs are batches of different sizes {sorted(sizes)}")
        if isinstance(data, np.ndarray) and {len(data)} != sizes:
            expected = f"{sizes.pop()} samples" if sizes else "a number (no input is a batch)"
            raise ValueError(
                f"{self.name}: forward returned an array of {len(data)} samples, "
                f"expected {expected}"
            )
        return data

    def _parts(self, parts: object, n: int) -> tuple:
        if isinstance(parts, tuple | list):
            parts = tuple(parts)
        elif n == 1:
            parts = (parts,)  # one input: its derivative alone, or a tuple of one
        else:
            raise TypeError(
                f"{self.name}: derivative must return a tuple of {n} local derivatives "
                f"(one per input), got {_what(parts)}"
            )
        if len(parts) != n:
            raise ValueError(
                f"{self.name}: derivative returned {len(parts)} local derivatives for {_inputs(n)}"
            )
        return parts

    def _checked_part(self, k: int, part: object, parent: Value, out: Data) -> Data:
        """∂out/∂input k: a number, or one number per sample where out or input k is a batch."""
        local = _as_number_or_batch(part)
        if local is None:
            raise TypeError(
                f"{self.name}: local derivative {k} is {_what(part)}, not a number "
                "or a 1-D array of numbers"
            )
        samples = parent.batch_size if isinstance(out, float) else len(out)
        if isinstance(local, np.ndarray) and len(local) != samples:
            expected = "a number" if samples is None else f"a number or {samples} samples"
            raise ValueError(
                f"{self.name}: local derivative {k} has shape {local.shape}, expected {expected}"
            )
        return local

    # ------------------------------------------------------------ second derivatives

    def local_grads_as_graph(self, node: Value) -> tuple:
        """The node's local derivatives as Values: ``derivative`` called on its parents.

        ``backward(create_graph=True)`` calls it (it is this op's rule in autograd.rules).
        """
        try:
            returned = self.derivative(*node.parents)
        except Exception as error:  # numpy's and math's functions refuse Values
            raise TypeError(
                f"{self.name}: for second derivatives (create_graph=True) derivative is called "
                f"on Values, and it raised {type(error).__name__}: {error}. Write it with "
                f"operators, which numbers and Values share: {_OPERATORS_ONLY}"
            ) from error
        parts = self._parts(returned, len(node.parents))
        for k, part in enumerate(parts):
            if isinstance(part, Value):
                continue
            if _as_number_or_batch(part) is None:
                raise TypeError(
                    f"{self.name}: called on Values, derivative returned {_what(part)} "
                    f"for input {k}, not a Value or a number"
                )
            if self._changes_with_the_inputs(k, part, node):
                raise TypeError(
                    f"{self.name}: called on Values, derivative returned a plain number for "
                    f"input {k}, but that number changes with the inputs: it was computed "
                    "from numbers (math.exp, float(x), ...), so its own derivative would be "
                    f"lost. For second derivatives write it with operators: {_OPERATORS_ONLY}"
                )
        return parts

    def _changes_with_the_inputs(self, k: int, part: object, node: Value) -> bool:
        """A constant local derivative (x * 2 has 2) stays put when the inputs move a little;
        one computed by math.exp(x) changes, up and down. A step (relu's 1 or 0) changes
        on one side at most, so it passes."""
        base = [p.data for p in node.parents]
        changed = []
        for direction in (1.0, -1.0):
            moved = [x + direction * 1e-7 * (1.0 + np.abs(x)) for x in base]
            there = self._parts(self.derivative(*moved), len(base))[k]
            changed.append(not np.array_equal(np.asarray(there), np.asarray(part)))
        return all(changed)


def function(forward: Callable, derivative: Callable, name: str) -> Function:
    """A new op from its forward formula and its local derivatives.

    ``forward(*numbers)`` takes the inputs' numbers (floats, or 1-D arrays for batches)
    and returns the output's; ``derivative(*numbers)`` takes the same and returns ∂out/∂input
    of each input (a tuple for several inputs; one per sample where there are batches).
    ``name`` names the op in ``Value.op`` and in drawings; it must be a word (a Python
    identifier) that is not a built-in op's. A number given as an input becomes a leaf Value.

    Making another function with the same name replaces the first (as re-running a notebook
    cell after fixing it wants), for second derivatives too: a node is differentiated with
    ``create_graph=True`` by the rule of its op's name, so give different ops different names.

    >>> hypot = function(lambda a, b: np.hypot(a, b),
    ...                  lambda a, b: (a / np.hypot(a, b), b / np.hypot(a, b)), name="hypot_np")
    >>> a, b = Value(3.0), Value(4.0)
    >>> h = hypot(a, b); h.backward()
    >>> h.data, a.grad, b.grad
    (5.0, 0.6, 0.8)
    """
    for what, f in (("forward", forward), ("derivative", derivative)):
        if not callable(f):
            raise TypeError(f"function(): {what} must be a function, not {_what(f)}")
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(
            f"function(): name must be a word such as 'cube' (letters, digits, _), got {name!r}"
        )
    if name in _BUILT_IN:
        raise ValueError(
            f"function(): {name!r} is a built-in op; give yours another name, e.g. 'my_{name}'"
        )
    op = Function(forward, derivative, name)
    _REGISTERED[name] = op
    rules.register_rule(name, op.local_grads_as_graph)
    return op


def registered(op: str) -> Function | None:
    """The ``Function`` that makes nodes whose ``op`` is ``op``, or None for other ops.

    >>> cube = function(lambda x: x**3, lambda x: 3 * x**2, name="cube")
    >>> registered("cube") is cube, registered("tanh")
    (True, None)
    """
    return _REGISTERED.get(op)


# --------------------------------------------------------------------- helpers


def _as_number_or_batch(x: object) -> Data | None:
    """x as a float or a 1-D float array, or None when it is neither (a str, a bool...)."""
    if isinstance(x, bool | np.bool_):
        return None
    if isinstance(x, int | float | np.integer | np.floating):
        try:
            return float(x)
        except OverflowError:
            return None
    if isinstance(x, np.ndarray) and x.dtype.kind in "iuf":
        if x.ndim == 0:
            return float(x)
        if x.ndim == 1 and x.size > 0:
            return x.astype(np.float64)
    return None


def _read_only(x: Data) -> Data:
    """A view the user's function cannot write into (it would change the input's data)."""
    if isinstance(x, np.ndarray):
        x = x.view()
        x.flags.writeable = False
    return x


def arity(f: Callable) -> int | None:
    """How many inputs ``f`` takes (its positional parameters without defaults), or None
    when it takes any number (``*args``) or cannot say (some builtins).

    >>> arity(lambda a, b, c=1: a), arity(lambda *xs: 0)
    (2, None)
    """
    try:
        parameters = inspect.signature(f).parameters.values()
    except (TypeError, ValueError):  # some builtins have no signature
        return None
    if any(p.kind is p.VAR_POSITIONAL for p in parameters):
        return None
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return sum(1 for p in parameters if p.kind in positional and p.default is p.empty)


def _inputs(n: int) -> str:
    return "1 input" if n == 1 else f"{n} inputs"


def _what(x: Any) -> str:
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape} and dtype {x.dtype}"
    if isinstance(x, tuple | list):
        return f"a {type(x).__name__} of {len(x)}"
    return f"{type(x).__name__} {x!r}" if isinstance(x, bool | str) else type(x).__name__
