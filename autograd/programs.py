"""Functions of Values built from a program of ops: what ``autograd.testing.expressions`` draws.

A program is a list of steps ``(name, pick)``; each applies the op ``name`` to the newest
node and to an earlier one (``pick``), so nodes are shared and a program of n steps is at
least n ops deep. ``OPS`` holds the engine's ops as steps; ``steps`` adds ops of your own.

>>> from autograd import Value
>>> f = Expression([("mul", 0), ("tanh", 0)], n_inputs=2)
>>> f, round(f(Value(0.5), Value(2.0)).data, 6)
(Expression('v0 = x1 * x0; v1 = tanh(v0)'), 0.761594)
>>> relu = Expression([("relu", 0)], n_inputs=1)
>>> is_smooth(relu, [0.5]), is_smooth(relu, [0.0])      # at 0: relu's kink
(True, False)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from autograd import losses
from autograd.combine import maximum, minimum, sum_of
from autograd.custom_ops import Function, arity
from autograd.engine import Value, topological_order

Data = float | np.ndarray
LARGEST = 1e3  # is_smooth(): every value and local derivative below this in size
KINK_MARGIN = 1e-3  # ... and every operand of relu, abs, max, ... this far from its kink
KINKED = {"relu", "abs", "leaky_relu", "elu"}  # kinks at 0 (and max, min at a tie)


@dataclass(frozen=True)
class Step:
    """One step of an expression: ``apply(a, b)``, with ``a`` the newest node and ``b`` an
    earlier one (unary steps ignore ``b``); ``text`` is its formula for ``repr``."""

    text: str
    apply: Callable[[Value, Value], Value]

    def __call__(self, a: Value, b: Value) -> Value:
        return self.apply(a, b)


# The engine's ops as steps. Ops with a restricted domain get an operand that is in it by
# construction (log of a² + 0.5, division by b² + 0.5), so random graphs stay mostly finite.
OPS: dict[str, Step] = {
    "add": Step("{a} + {b}", lambda a, b: a + b),
    "sub": Step("{a} - {b}", lambda a, b: a - b),
    "mul": Step("{a} * {b}", lambda a, b: a * b),
    "div": Step("{a} / ({b} * {b} + 0.5)", lambda a, b: a / (b * b + 0.5)),
    "pow": Step("({a} * {a} + 0.5) ** tanh({b})", lambda a, b: (a * a + 0.5) ** b.tanh()),
    "max": Step("maximum({a}, {b})", maximum),
    "min": Step("minimum({a}, {b})", minimum),
    "sum": Step("sum_of([{a}, {b}, 0.5])", lambda a, b: sum_of([a, b, 0.5])),
    "sum_of_squares": Step("l2([{a}, {b}, {a}])", lambda a, b: losses.l2([a, b, a])),
    "number+": Step("1.5 + {a}", lambda a, b: 1.5 + a),
    "-number": Step("{a} - 0.25", lambda a, b: a - 0.25),
    "number*": Step("0.75 * {a}", lambda a, b: 0.75 * a),
    "number/": Step("2 / ({a} * {a} + 1)", lambda a, b: 2 / (a * a + 1)),
    "number**": Step("1.5 ** {a}", lambda a, b: 1.5**a),
    "**number": Step("({a} * {a} + 0.25) ** 1.5", lambda a, b: (a * a + 0.25) ** 1.5),
    "neg": Step("-{a}", lambda a, b: -a),
    "abs": Step("abs({a})", lambda a, b: abs(a)),
    "exp": Step("exp(-({a} * {a}))", lambda a, b: (-(a * a)).exp()),
    "log": Step("log({a} * {a} + 0.5)", lambda a, b: (a * a + 0.5).log()),
    "sqrt": Step("sqrt({a} * {a} + 0.5)", lambda a, b: (a * a + 0.5).sqrt()),
    "tanh": Step("tanh({a})", lambda a, b: a.tanh()),
    "sigmoid": Step("sigmoid({a})", lambda a, b: a.sigmoid()),
    "relu": Step("relu({a})", lambda a, b: a.relu()),
    "leaky_relu": Step("leaky_relu({a}, 0.05)", lambda a, b: a.leaky_relu(0.05)),
    "elu": Step("elu({a})", lambda a, b: a.elu()),
    "softplus": Step("softplus({a})", lambda a, b: a.softplus()),
    "sin": Step("sin({a})", lambda a, b: a.sin()),
    "cos": Step("cos({a})", lambda a, b: a.cos()),
}


class Expression:
    """A function of ``n_inputs`` Values built by a program of steps.

    Step k is ``(name, pick)``: ``ops[name]`` applied to the newest node and to node
    ``pick`` (modulo the nodes so far: inputs first, then one node per step), so nodes are
    shared and a program of n steps is at least n ops deep. The last node is the output.

    >>> f = Expression([("mul", 1), ("tanh", 0)], n_inputs=2)
    >>> f
    Expression('v0 = x1 * x1; v1 = tanh(v0)')
    >>> round(f(Value(0.5), Value(2.0)).data, 6)           # tanh(2 · 2)
    0.999329
    """

    def __init__(
        self, program: Sequence[tuple[str, int]], ops: Mapping[str, Step] = OPS, n_inputs: int = 3
    ) -> None:
        for name, _ in program:
            if name not in ops:
                raise ValueError(f"unknown step {name!r}; the steps are: {', '.join(ops)}")
        self.program = tuple((name, int(pick)) for name, pick in program)
        self.ops = ops
        self.n_inputs = n_inputs

    def nodes(self, *leaves: Value) -> list[Value]:
        """Every node, the leaves first, then one per step."""
        if len(leaves) != self.n_inputs:
            raise TypeError(f"this expression takes {self.n_inputs} inputs, got {len(leaves)}")
        nodes = list(leaves)
        for name, pick in self.program:
            nodes.append(self.ops[name](nodes[-1], nodes[pick % len(nodes)]))
        return nodes

    def __call__(self, *leaves: Value) -> Value:
        return self.nodes(*leaves)[-1]

    def __repr__(self) -> str:
        names = [f"x{i}" for i in range(self.n_inputs)]
        lines = []
        for k, (name, pick) in enumerate(self.program):
            a, b = names[-1], names[pick % len(names)]
            names.append(f"v{k}")
            lines.append(f"v{k} = {self.ops[name].text.format(a=a, b=b)}")
        return f"Expression({'; '.join(lines)!r})"


def steps(ops: Sequence[str | Callable[..., Value]]) -> dict[str, Step]:
    """The steps for ``ops``: names of ``OPS``, and functions of one or two Values.

    >>> sorted(steps(["mul", lambda a: a.exp()]))
    ['mul', 'op1']
    """
    if isinstance(ops, str) or not isinstance(ops, Sequence) or not ops:
        raise TypeError("ops must be a non-empty list of op names (from OPS) and functions")
    table: dict[str, Step] = {}
    for i, op in enumerate(ops):
        if isinstance(op, str):
            if op not in OPS:
                raise ValueError(f"ops[{i}]: unknown op {op!r}; the ops are: {', '.join(OPS)}")
            table[op] = OPS[op]
            continue
        if not callable(op):
            raise TypeError(f"ops[{i}] must be an op name or a function, not {type(op).__name__}")
        name = op.name if isinstance(op, Function) else getattr(op, "__name__", "")
        name = name if name.isidentifier() else f"op{i}"
        n = op.arity if isinstance(op, Function) else arity(op)
        if n == 1:
            table[name] = Step(f"{name}({{a}})", lambda a, b, op=op: op(a))
        elif n == 2:
            table[name] = Step(f"{name}({{a}}, {{b}})", lambda a, b, op=op: op(a, b))
        else:
            takes = "any number" if n is None else n
            raise ValueError(f"ops[{i}] ({name}) must take one or two Values, not {takes}")
    return table


def is_smooth(f: Expression, inputs: Sequence[Data]) -> bool:
    """Is every value and local derivative of ``f`` at ``inputs`` finite and below LARGEST,
    and every operand of a kinked op (relu, abs, max, ...) KINK_MARGIN from its kink?"""
    try:
        with np.errstate(all="ignore"):
            root = f(*(Value(x) for x in inputs))
    except ArithmeticError:  # an op of your own divided by 0 (floats raise), or overflowed
        return False
    for node in topological_order(root):
        numbers = [node.data, *(g for g in node.local_grads if isinstance(g, float | np.ndarray))]
        if not all(np.all(np.abs(x) < LARGEST) for x in numbers):
            return False  # nan and inf fail too
        if node.op in KINKED and not np.all(np.abs(node.parents[0].data) > KINK_MARGIN):
            return False
        if node.op in ("max", "min"):
            a, b = (p.data for p in node.parents)
            if not np.all(np.abs(a - b) > KINK_MARGIN):
                return False
    return True
