"""Each op's local derivative built as Values, so that a gradient can be differentiated.

At forward time every op stores its local derivatives as plain numbers (``local_grads``):
enough for a gradient. To differentiate a gradient (a second derivative, a Hessian, Newton's
method), ``backward(create_graph=True)`` needs the same derivatives as *nodes of a graph*,
computed from the op's inputs and output by ``Value`` operations. This table gives them,
one rule per op, written from the same formulas as the ops in ``engine.py`` (the activation
functions' rules are their very formulas, from ``activations.py``); a property test checks
that both forms give the same numbers for every op, so they cannot drift.

Importing this module fills the engine's table (``engine.GRAPH_RULES``, which is ``RULES``
here): the engine never imports the layers above it.

>>> from autograd import Value
>>> x = Value(0.5)
>>> y = x.tanh()
>>> (d,) = local_grads_as_graph(y)   # 1 - tanh²(x), a Value computed from y itself
>>> round(d.data, 12) == round(y.local_grads[0], 12), d.op
(True, '1-')

An op whose derivative is piecewise constant (relu, abs, max, the ones of +) keeps its
numbers: their derivative is 0, as PyTorch takes it at the kinks too.
"""

from __future__ import annotations

from collections.abc import Callable

from autograd import activations
from autograd import elementwise as ew
from autograd.combine import where
from autograd.elementwise import Data, zero_times_infinite
from autograd.engine import Value
from autograd.node import GRAPH_RULES, local_grads_as_graph

Local = Value | Data  # a local derivative: a node of the graph, or a constant

RULES = GRAPH_RULES  # op kind -> rule; the engine's own table, filled here

__all__ = ["RULES", "local_grads_as_graph", "register_rule", "where"]


def register_rule(op: str, rule: Callable[[Value], tuple[Local, ...]]) -> None:
    """Give the op named ``op`` its local derivatives as a graph (for ``create_graph=True``).

    ``rule(node)`` returns one Value (or constant) per parent of ``node``, computed by
    Value operations from the node's parents and the node itself.

    >>> register_rule("cube_demo", lambda node: (3 * node.parents[0] ** 2,))
    >>> "cube_demo" in RULES
    True
    >>> del RULES["cube_demo"]          # (the table is global: leave it as it was)
    """
    if not isinstance(op, str) or not op:
        raise ValueError(f"register_rule: an op name is a non-empty str, got {op!r}")
    if not callable(rule):
        raise TypeError(f"register_rule: the rule for {op!r} must be callable")
    RULES[op] = rule


def _numbers(node: Value) -> tuple[Local, ...]:
    return node.local_grads  # constants (1 and 1 for +), or piecewise constant (relu, max)


def _mul(node: Value) -> tuple[Local, ...]:
    if len(node.parents) == 1:
        return (node.constant,)  # d(x·c)/dx = c
    a, b = node.parents
    return (b, a)  # d(a·b)/da = b, d(a·b)/db = a


def _div(node: Value) -> tuple[Local, ...]:
    if len(node.parents) == 1:
        return node.local_grads  # 1/c
    _, b = node.parents
    return (1.0 / b, -(node / b))  # 1/b, -a/b² = -out/b


def _rdiv(node: Value) -> tuple[Local, ...]:
    (x,) = node.parents
    return (-(node / x),)  # d(c/x)/dx = -c/x² = -out/x


def _pow(node: Value) -> tuple[Local, ...]:
    x = node.parents[0]
    if len(node.parents) == 1:  # x ** n: n·x^(n-1), and 0 for n = 0
        n = node.constant
        return (where(n == 0.0, 0.0, n * x ** ew.sub(n, 1.0)),)
    _, y = node.parents
    power = x ** (y - 1.0)
    d_base = where(zero_times_infinite(y.data, power.data), 0.0, y * power)
    d_exponent = where((x.data == 0.0) & (y.data >= 0.0), 0.0, node * x.log())
    return (d_base, d_exponent)


def _rpow(node: Value) -> tuple[Local, ...]:
    (y,) = node.parents
    b = node.constant
    return (where((b == 0.0) & (y.data >= 0.0), 0.0, node * ew.log(b)),)  # c^y · ln c


def _sum_of_squares(node: Value) -> tuple[Local, ...]:
    return tuple(2.0 * v for v in node.parents)  # ∂(Σ v²)/∂v = 2v


def _exp(node: Value) -> tuple[Local, ...]:
    return (node,)  # e^x


def _log(node: Value) -> tuple[Local, ...]:
    return (1.0 / node.parents[0],)


def _sqrt(node: Value) -> tuple[Local, ...]:
    return (0.5 / node,)


def _activation(node: Value) -> tuple[Local, ...]:
    """An activation function's own formula (activations.py), applied to the nodes."""
    f = activations.with_parameter(node.kind, node.constant)  # type: ignore[arg-type]
    (x,) = node.parents
    return (f.derivative(x, node, where),)


def _softplus(node: Value) -> tuple[Local, ...]:
    return (node.parents[0].sigmoid(),)


def _sin(node: Value) -> tuple[Local, ...]:
    return (node.parents[0].cos(),)


def _cos(node: Value) -> tuple[Local, ...]:
    return (-node.parents[0].sin(),)


RULES.update(
    {
        "+": _numbers,
        "-": _numbers,
        "r-": _numbers,
        "neg": _numbers,
        "*": _mul,
        "/": _div,
        "r/": _rdiv,
        "**": _pow,
        "r**": _rpow,
        "sum_of_squares": _sum_of_squares,
        "exp": _exp,
        "log": _log,
        "sqrt": _sqrt,
        "softplus": _softplus,
        "sin": _sin,
        "cos": _cos,
        # Piecewise constant derivatives: the numbers are the rule (their derivative is 0).
        "abs": _numbers,
        "max": _numbers,
        "min": _numbers,
        "sum": _numbers,
        "mean": _numbers,
        "where": _numbers,
    }
)
RULES.update({name: _activation for name in activations.ACTIVATIONS if name != "linear"})
