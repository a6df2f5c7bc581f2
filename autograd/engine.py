"""The Value node and reverse-mode differentiation by the chain rule.

Every operation creates a ``Value`` that records, at forward time, its ``parents`` (the
operands, in order, duplicates kept) and the ``local_grads`` ∂out/∂parent, one for each.
``backward()`` then needs nothing but the chain rule: visit every node after all the
nodes computed from it, and hand each parent ``local derivative × the node's gradient``.

>>> x = Value(3.0, label="x")
>>> y = x * x + x * 2           # x * x has parents (x, x): one edge per use
>>> y.backward()
>>> x.grad                      # dy/dx = 2x + 2
8.0

This file reads top to bottom as the lesson: ``Value`` with ``+``, ``*`` and ``tanh``,
then ``backward()``; every other op after that; then the modes (``no_grad``, ...); and
last, in one labelled section, the tape that makes ``backward()`` fast.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from contextvars import ContextVar
from typing import Any, ClassVar, Final

import numpy as np
from mypy_extensions import mypyc_attr

from autograd import elementwise as ew
from autograd import ieee
from autograd.elementwise import Data

Number = int | float


# Compiled (see setup.py), Value is a C type; acyclic: the cyclic garbage collector need not
# track it, since a graph has no reference cycles (a node only refers to older nodes).
@mypyc_attr(acyclic=True)
class Value:
    """A number (or a batch of numbers, one per sample) in a computation graph.

    ``data`` is the forward value: a float, or a 1-D numpy array with one value per
    sample. ``grad`` is ∂root/∂self after ``backward()`` (None before). ``parents`` and
    ``local_grads`` are the operands and ∂self/∂operand, ``op`` names the operation ("" for
    a leaf), ``label`` names the value in drawings, ``scope`` the module that computed it.

    >>> a = Value(2.0, label="a")
    >>> b = a * a
    >>> b.parents == (a, a), b.local_grads
    (True, (2.0, 2.0))
    """

    __slots__ = (
        "_data", "_kind", "_pass",
        "constant", "grad", "label", "local_grads", "parents", "scope",
    )  # fmt: skip

    # `array * value`: numpy would loop over the array itself and build an array of Values;
    # this makes it hand the op to Value.__rmul__ and friends, which treat it as a batch.
    __array_ufunc__: ClassVar[None] = None

    def __init__(
        self,
        data: Number | np.ndarray,
        label: object = "",
        _kind: str = "",
        _parents: tuple[Value, ...] = (),
        _local_grads: tuple[Any, ...] = (),
        _constant: Data | None = None,
    ) -> None:
        # A learner makes leaves, Value(2.0, label="w"); ops pass the rest, through _node():
        # their name, operands, ∂out/∂operand and number operand.
        if _kind:  # an op's result: the op computed its data
            self.label = ""
        else:  # a leaf: check what it is given
            data = _as_data(data)
            self.label = _as_label(label)
        self._data: Data = data
        self.grad: Any = None  # a number, a batch, or a Value when built as a graph
        self._kind = _kind
        self.constant = _constant
        self._pass: object = None  # which backward pass last reached this node (see the end)
        mode = _mode()
        self.scope = mode.scope
        recording = mode.recording and len(_parents) > 0  # else: no history, a leaf
        self.parents: tuple[Value, ...] = _parents if recording else ()
        self.local_grads: tuple[Any, ...] = _local_grads if recording else ()
        if recording:
            mode.tape.record(self)
        if mode.anomaly:
            _check_forward(data, _parents, _kind)

    # ---------------------------------------------- the lesson: three ops and backward
    # Each op computes its forward value and, beside it, ∂out/∂operand for each operand.
    # A plain-number operand is not a node of its own: it is kept in ``constant``. Ops read
    # ``_data``, the number behind the ``data`` property (which checks what is assigned to
    # it): the property would cost a function call on every read.

    def __add__(self, other: Value | Data) -> Value:
        if isinstance(other, Value):  # d(a+b)/da = 1, d(a+b)/db = 1
            return _node(ew.add(self._data, other._data), "+", (self, other), _ONE_ONE)
        c = _constant(other)
        return _node(ew.add(self._data, c), "+", (self,), _ONE, c)

    def __mul__(self, other: Value | Data) -> Value:
        if isinstance(other, Value):  # d(a·b)/da = b, d(a·b)/db = a
            a, b = self._data, other._data
            return _node(ew.mul(a, b), "*", (self, other), (b, a))
        c = _constant(other)
        return _node(ew.mul(self._data, c), "*", (self,), (c,), c)

    def tanh(self) -> Value:
        """Hyperbolic tangent; d/dx = 1 - tanh². ``Value(0).tanh().data == 0.0``"""
        t = ew.tanh(self._data)
        return _node(t, "tanh", (self,), (1.0 - t * t,))

    def backward(
        self, gradient: Number | np.ndarray | Value | None = None, create_graph: bool = False
    ) -> None:
        """Compute ∂self/∂node for every node self depends on, by the chain rule.

        Leaf gradients (parameters, inputs) accumulate across calls, as in PyTorch: call
        ``zero_grad()`` between steps. Every other node holds the gradient of the latest
        call, so a repeated ``backward()`` adds exactly one more ∂self/∂leaf to each leaf.
        With ``create_graph=True`` the gradients are Values too (see ``autograd.grad``).

        >>> x = Value(2.0)
        >>> y = x * x
        >>> y.backward(); y.backward()
        >>> x.grad                      # 4 + 4: accumulated
        8.0
        """
        seed = _seed(self, gradient)
        nodes, leaves = _backward_order(self)  # each node before the nodes it was made from
        if create_graph and any(node._kind == "layer" for node in nodes):
            return _backward_through_neurons(self, gradient)  # a fused layer, as a graph
        earlier = [leaf.grad for leaf in leaves]  # leaves accumulate across calls
        for node in nodes + leaves:
            node.grad = _NO_SHARE_YET if create_graph else 0.0
        self.grad = seed
        check = _mode().anomaly
        with ieee.quiet(), _building_gradient_graph(create_graph):
            for node in nodes:
                if check:
                    _check_backward(node)
                local_grads = _local_grads_as_graph(node) if create_graph else node.local_grads
                upstream = node.grad
                for parent, local in zip(node.parents, local_grads):  # the chain rule
                    if type(local) is float and type(upstream) is float:
                        parent.grad += local * upstream
                    else:  # batches, and gradients built as graphs: the same, in contribution()
                        parent.grad += contribution(local, upstream, parent._data)
            for leaf, grad in zip(leaves, earlier):
                if grad is not None:
                    leaf.grad = grad + leaf.grad

    # ------------------------------------------------------------- data, and reading it

    @property
    def data(self) -> Data:
        """The forward value: a float, or a 1-D float array (a batch)."""
        return self._data

    @data.setter
    def data(self, value: Number | np.ndarray) -> None:
        self._data = _as_data(value)

    # ----------------------------------------------------------------- the other ops

    def __sub__(self, other: Value | Data) -> Value:
        if isinstance(other, Value):  # d(a-b)/da = 1, d(a-b)/db = -1
            return _node(ew.sub(self._data, other._data), "-", (self, other), _ONE_MINUS_ONE)
        c = _constant(other)
        return _node(ew.sub(self._data, c), "-", (self,), _ONE, c)

    def __rsub__(self, other: Data) -> Value:  # c - x
        c = _constant(other)
        return _node(ew.sub(c, self._data), "r-", (self,), _MINUS_ONE, c)

    def __truediv__(self, other: Value | Data) -> Value:
        if isinstance(other, Value):  # d(a/b)/da = 1/b, d(a/b)/db = -a/b² = -out/b
            b = other._data
            out = ew.div(self._data, b)
            return _node(out, "/", (self, other), (ew.div(1.0, b), -ew.div(out, b)))
        c = _constant(other)
        return _node(ew.div(self._data, c), "/", (self,), (ew.div(1.0, c),), c)

    def __rtruediv__(self, other: Data) -> Value:  # c / x; d/dx = -c/x² = -out/x
        c, x = _constant(other), self._data
        out = ew.div(c, x)
        return _node(out, "r/", (self,), (-ew.div(out, x),), c)

    def __pow__(self, exponent: Value | Data) -> Value:
        x = self._data
        if isinstance(exponent, Value):
            y = exponent._data
            out = ew.power(x, y)
            return _node(out, "**", (self, exponent), (_d_base(x, y), _d_exponent(x, y, out)))
        n = _constant(exponent)  # a number exponent: x ** 2 is one node "**2"
        return _node(ew.power(x, n), "**", (self,), (_d_base(x, n),), n)

    def __rpow__(self, base: Data) -> Value:  # c ** x: one node "2**" with exponent x
        b, y = _constant(base), self._data
        out = ew.power(b, y)
        return _node(out, "r**", (self,), (_d_exponent(b, y, out),), b)

    def __neg__(self) -> Value:
        return _node(-self._data, "neg", (self,), _MINUS_ONE)

    def __radd__(self, other: Data) -> Value:  # c + x is x + c
        return self + other

    def __rmul__(self, other: Data) -> Value:  # c * x is x * c
        return self * other

    def __abs__(self) -> Value:
        x = self._data
        sign = ew.where(x > 0.0, 1.0, ew.where(x < 0.0, -1.0, 0.0))  # 0 at the kink, as PyTorch
        return _node(ew.absolute(x), "abs", (self,), (sign,))

    def exp(self) -> Value:
        """e ** x; d/dx = e ** x. ``Value(0).exp().data == 1.0``"""
        out = ew.exp(self._data)
        return _node(out, "exp", (self,), (out,))

    def log(self) -> Value:
        """Natural log; d/dx = 1/x. ``Value(1).log().data == 0.0``"""
        x = self._data
        return _node(ew.log(x), "log", (self,), (ew.div(1.0, x),))

    def sqrt(self) -> Value:
        """Square root; d/dx = 1 / (2 sqrt x). ``Value(4).sqrt().data == 2.0``"""
        out = ew.sqrt(self._data)
        return _node(out, "sqrt", (self,), (ew.div(0.5, out),))

    def sigmoid(self) -> Value:
        """1 / (1 + e^-x); d/dx = σ(1 - σ). ``Value(0).sigmoid().data == 0.5``"""
        s = ew.sigmoid(self._data)
        return _node(s, "sigmoid", (self,), (s * (1.0 - s),))

    def relu(self) -> Value:
        """max(0, x); d/dx = 1 for x > 0, else 0. ``Value(-2).relu().data == 0.0``"""
        x = self._data
        return _node(ew.relu(x), "relu", (self,), (ew.where(x > 0.0, 1.0, 0.0),))

    def leaky_relu(self, slope: Data = 0.01) -> Value:
        """x for x > 0, else slope·x; d/dx = 1 or slope.

        >>> Value(-2).leaky_relu(0.1).data
        -0.2
        """
        x, a = self._data, _constant(slope)
        positive = x > 0.0
        out = ew.where(positive, x, ew.mul(a, x))
        return _node(out, "leaky_relu", (self,), (ew.where(positive, 1.0, a),), a)

    def elu(self, alpha: Data = 1.0) -> Value:
        """x for x > 0, else α(e^x - 1); d/dx = 1 or α e^x. ``Value(0).elu().data == 0.0``"""
        x, a = self._data, _constant(alpha)
        positive = x > 0.0
        alpha_exp = ew.mul(a, ew.exp(ew.where(positive, 0.0, x)))  # exp only where used
        out = ew.where(positive, x, ew.sub(alpha_exp, a))
        return _node(out, "elu", (self,), (ew.where(positive, 1.0, alpha_exp),), a)

    def softplus(self) -> Value:
        """log(1 + e^x), a smooth ReLU; d/dx = σ(x). ``Value(0).softplus().data == log(2)``"""
        x = self._data
        return _node(ew.softplus(x), "softplus", (self,), (ew.sigmoid(x),))

    def sin(self) -> Value:
        """Sine; d/dx = cos x. ``Value(0).sin().data == 0.0``"""
        x = self._data
        return _node(ew.sin(x), "sin", (self,), (ew.cos(x),))

    def cos(self) -> Value:
        """Cosine; d/dx = -sin x. ``Value(0).cos().data == 1.0``"""
        x = self._data
        return _node(ew.cos(x), "cos", (self,), (-ew.sin(x),))

    def sum(self) -> Value:
        """Add up the samples of a batch (a plain number is returned as a new node).

        Not to be confused with ``sum_of(values)``, which adds many Values into one node.

        >>> import numpy as np
        >>> Value(np.array([1.0, 2.0, 3.0])).sum().data
        6.0
        """
        x = self._data
        if type(x) is float:
            return _node(x, "sum", (self,), _ONE)
        return _node(ew.total(x), "sum", (self,), (np.ones_like(x),))

    def mean(self) -> Value:
        """Mean over the samples of a batch; d/dx_i = 1/B. Losses use it to return a scalar.

        >>> import numpy as np
        >>> Value(np.array([1.0, 2.0, 3.0])).mean().data
        2.0
        """
        x = self._data
        if type(x) is float:
            return _node(x, "mean", (self,), _ONE)
        return _node(ew.mean(x), "mean", (self,), (np.full_like(x, 1.0 / len(x)),))

    # ----------------------------------------------------------------- comparisons
    # Compare forward values. Equality stays by identity (inherited from object), and so does
    # the hash, so Values can be dict keys and set members. The hash is written out because a
    # compiled class that defines < has none of its own; id >> 4, as object's: ids of objects
    # are multiples of 16, and sets and dicts look at the low bits first.

    def __hash__(self) -> int:
        return id(self) >> 4

    def __lt__(self, other: object) -> bool | np.ndarray:
        return ew.compare("<", self._data, _data_of(other))

    def __le__(self, other: object) -> bool | np.ndarray:
        return ew.compare("<=", self._data, _data_of(other))

    def __gt__(self, other: object) -> bool | np.ndarray:
        return ew.compare(">", self._data, _data_of(other))

    def __ge__(self, other: object) -> bool | np.ndarray:
        return ew.compare(">=", self._data, _data_of(other))

    # ----------------------------------------------------------------- conveniences

    @property
    def op(self) -> str:
        """The operation that made this node, with its number operand: "*", "*2", "2-", "tanh".

        >>> (Value(1.0) * 2).op, (2 - Value(1.0)).op, (Value(1.0) ** 3).op
        ('*2', '2-', '**3')
        """
        kind, c = self._kind, self.constant
        if c is None or kind in ("leaky_relu", "elu"):  # their number is a setting
            return kind
        if kind in ("r-", "r/", "r**"):  # the number stands on the left: 2 - x, 1 / x, 2 ** x
            return f"{_fmt(c)}{kind[1:]}"
        return f"sum+{_fmt(c)}" if kind == "sum" else f"{kind}{_fmt(c)}"

    @property
    def batch_size(self) -> int | None:
        """Number of samples this node holds, or None for a plain number.

        >>> Value(1.0).batch_size is None
        True
        """
        return None if type(self._data) is float else len(self._data)

    def zero_grad(self) -> None:
        """Forget the gradients of this node and every node it depends on (set them to None).

        >>> x = Value(1.0); y = x * 3; y.backward(); y.zero_grad()
        >>> x.grad is None
        True
        """
        for node in topological_order(self):
            node.grad = None

    def detach(self) -> Value:
        """A new leaf with the same data and no history (gradients stop here).

        >>> (Value(2) * 3).detach().parents
        ()
        """
        return Value(self._data, label=self.label)

    def item(self) -> float:
        """The data as a Python float (a batch of one sample is allowed).

        >>> Value(2).item()
        2.0
        """
        x = self._data
        if type(x) is float:
            return x
        if x.size != 1:
            raise ValueError(f"item() needs one value, this node holds a batch of {x.size}")
        return float(x[0])

    def __float__(self) -> float:
        """``float(Value(2.5)) == 2.5``; a batch of more than one sample is an error."""
        return self.item()

    def __bool__(self) -> bool:
        """True when the number is not 0, as ``bool(float)``; ambiguous for a batch."""
        if type(self._data) is not float:
            raise ValueError(
                f"the truth value of a batch of {len(self._data)} samples is ambiguous: "
                "compare .data with .all() or .any()"
            )
        return bool(self._data)

    def __getnewargs__(self) -> tuple[Data]:  # copy.deepcopy(model) works, as in PyTorch
        return (self._data,)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        if type(self._data) is float:
            return f"Value(data={self._data:.6g}, grad={_fmt_grad(self.grad)}{label})"
        first = self._data.flat[0]  # of a batch (or of a fused layer's samples × neurons)
        return f"Value(batch of {len(self._data)}, data[0]={first:.6g}{label})"


# --------------------------------------------------------------------- local derivatives
# The two ops whose derivatives need care at 0 and at the poles, following PyTorch.


def _d_base(x: Data, y: Data) -> Data:
    """∂(x^y)/∂x = y·x^(y-1); 0 where y = 0 and x^(y-1) is not finite (x = 0, nan, or tiny),
    where the formula would give 0·inf or nan: x^0 is the constant 1, as PyTorch has it."""
    power = ew.power(x, ew.sub(y, 1.0))
    return ew.where(_zero_times_infinite(y, power), 0.0, ew.mul(y, power))


def _zero_times_infinite(y: Data, power: Data) -> bool | np.ndarray:
    return (y == 0.0) & ew.not_finite(power)


def _d_exponent(x: Data, y: Data, out: Data) -> Data:
    """∂(x^y)/∂y = x^y·ln x, and 0 where x = 0 and y ≥ 0 (0·ln 0); -inf for y < 0."""
    return ew.where((x == 0.0) & (y >= 0.0), 0.0, ew.mul(out, ew.log(x)))


# --------------------------------------------------------------------- graph functions


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
            numbers.append(_constant(v))
    constant = sum(numbers, 0.0)
    c = None if type(constant) is float and constant == 0.0 else constant
    total = _add_up([term._data for term in terms] + numbers)
    return _node(total, "sum", tuple(terms), _ones(len(terms)), c)


def sum_of_squares(values: Iterable[Value]) -> Value:
    """One node for Σ v² (an L2 penalty over hundreds of weights is one node, not 2n).

    >>> s = sum_of_squares([Value(1.0), Value(-2.0)])
    >>> s.data, s.local_grads            # ∂/∂v = 2v
    (5.0, (2.0, -4.0))
    """
    terms = tuple(values)
    for i, v in enumerate(terms):
        if not isinstance(v, Value):
            raise TypeError(f"sum_of_squares: value {i} must be a Value, not {type(v).__name__}")
    squares = [ew.mul(v._data, v._data) for v in terms]
    local_grads = tuple(ew.mul(2.0, v._data) for v in terms)
    return _node(_add_up(squares), "sum_of_squares", terms, local_grads)


def _add_up(addends: list[Data]) -> Data:
    """Σ addends (numbers and batches), with the builtin sum; batches must have one size."""
    try:
        total = sum(addends, 0.0)
        if type(total) is float:
            return total
    except ValueError:  # numpy could not broadcast two batches: say so below, in our words
        pass
    sizes = {len(a) for a in addends if type(a) is not float}  # one size (numpy broadcasts)
    if len(sizes) > 1:
        raise ValueError(f"cannot combine batches of different sizes {sorted(sizes)}")
    return total


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
    return _node(out, kind, (a, b), (a_wins, ew.sub(1.0, a_wins)))


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, each after all of its parents (root last).

    Iterative depth-first search with an explicit stack, so a chain a million nodes
    deep needs no recursion. A node is pushed twice: once to visit it, and once more
    under a ``None`` marker that says "its parents are all placed: place it". Drawings
    use this order; ``backward()`` reads the same order off the tape (see the end).

    >>> a = Value(1.0); b = a + 1; c = b * a
    >>> [n.op or "leaf" for n in topological_order(c)]
    ['leaf', '+1', '*']
    """
    order: list[Value] = []
    visited: set[Value] = set()
    stack: list[Value | None] = [root]
    while stack:
        node = stack.pop()
        if node is None:  # the marker: the node under it has all its parents placed
            order.append(stack.pop())  # type: ignore[arg-type]
        elif node not in visited:
            visited.add(node)
            stack.append(node)
            stack.append(None)
            stack.extend(node.parents)  # already-visited ones are skipped when popped
    return order


def grad(
    outputs: Value | Iterable[Value],
    inputs: Value | Iterable[Value],
    grad_outputs: Number | np.ndarray | Value | Iterable | None = None,
    create_graph: bool = False,
) -> tuple:
    """∂outputs/∂inputs, one gradient per input, leaving every ``.grad`` as it was.

    As ``torch.autograd.grad``: several outputs add up their gradients (each weighted by
    its ``grad_outputs`` entry); an input no output depends on gets 0.0. With
    ``create_graph=True`` each gradient is a Value whose graph can be differentiated again.

    >>> x = Value(3.0)
    >>> y = x ** 3
    >>> (dy,) = grad(y, [x], create_graph=True)     # 3x² = 27, as a graph
    >>> (d2y,) = grad(dy, [x])                      # 6x = 18
    >>> dy.data, d2y, x.grad is None
    (27.0, 18.0, True)
    """
    outputs = [outputs] if isinstance(outputs, Value) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Value) else list(inputs)
    for what, values in (("output", outputs), ("input", inputs)):
        for v in values:
            if not isinstance(v, Value):
                raise TypeError(f"grad(): each {what} must be a Value, not {type(v).__name__}")
    if grad_outputs is None or isinstance(grad_outputs, Value | Number | np.ndarray):
        seeds = [grad_outputs] * len(outputs)
    else:
        seeds = list(grad_outputs)
        if len(seeds) != len(outputs):
            raise ValueError(f"grad(): {len(seeds)} grad_outputs for {len(outputs)} outputs")
    involved = {node for out in outputs for node in topological_order(out)}
    involved.update(inputs)
    saved = {node: node.grad for node in involved}
    totals: list = [None] * len(inputs)
    try:
        for out, seed in zip(outputs, seeds):
            for node in involved:
                node.grad = None
            out.backward(seed, create_graph=create_graph)
            for i, x in enumerate(inputs):
                if x.grad is not None:
                    totals[i] = x.grad if totals[i] is None else totals[i] + x.grad
    finally:
        for node, before in saved.items():
            node.grad = before
    totals = [0.0 if total is None else total for total in totals]
    if create_graph:
        return tuple(t if isinstance(t, Value) else Value(t) for t in totals)
    return tuple(t.data if isinstance(t, Value) else t for t in totals)


def contribution(local: Data | Value, upstream: Data | Value, parent_data: Data) -> Data | Value:
    """What one edge adds to its parent's gradient: local derivative × upstream gradient.

    When a batch flows into a node holding one number (a weight every sample used), the
    samples' shares are added up: the weight's gradient is the sum over the batch.
    ``backward()`` uses it on every edge, and drawings label edges with it.

    >>> import numpy as np
    >>> contribution(3.0, 0.5, 2.0), contribution(np.array([1.0, 2.0]), np.array([3.0, 4.0]), 0.5)
    (1.5, 11.0)
    """
    if type(local) is float and type(upstream) is float:
        return local * upstream  # two numbers: the common case, first
    if isinstance(local, Share):  # an edge of a fused layer (autograd/fused.py)
        return local.times(upstream)
    if isinstance(local, Column):
        return local.place(upstream, parent_data)
    if isinstance(local, Value) or isinstance(upstream, Value):  # a gradient built as a graph
        share = local * upstream
        return share.sum() if type(parent_data) is float and share.batch_size else share
    if type(parent_data) is float:  # sum over the batch: one dot product
        return ew.dot(local, upstream)
    if type(local) is float and local == 1.0:
        return upstream  # (+, sum): no need to multiply a whole batch by one
    return ew.mul(local, upstream)


class Share:
    """The local derivative on one edge of a fused node, which gives it only multiplied by
    the upstream gradient: ``product.shares(upstream)[index]`` (a fused layer computes the
    products of all its edges at once, as one vector-Jacobian product: autograd/fused.py)."""

    __slots__ = ("index", "product")

    def __init__(self, product: Any, index: int) -> None:
        self.product, self.index = product, index

    def times(self, upstream: Any) -> Any:
        return self.product.shares(upstream)[self.index]


def shares_of(product: Any, count: int) -> tuple[Share, ...]:
    """The local derivatives of a fused node's ``count`` edges, all from one ``product``."""
    return tuple([Share(product, i) for i in range(count)])  # made here: compiled, fast


class Column:
    """The local derivative of output ``index`` of a fused node, a column of its data: the
    gradient of that output goes to that column of the fused node's gradient."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index

    def place(self, upstream: Any, fused_data: np.ndarray) -> np.ndarray:
        share = np.zeros_like(fused_data)
        share[:, self.index] = upstream
        return share


# --------------------------------------------------------------------- modes, per thread
# Each thread has its own modes (and its own tape), as PyTorch keeps grad mode per thread:
# no_grad() in one thread never stops another from recording. One graph must be built
# by one thread at a time (as in micrograd); separate threads with separate graphs are fine.


class _Mode:
    """What the current thread's ops record: parents or not, checks or not, which scope."""

    __slots__ = ("anomaly", "recording", "scope", "tape")

    def __init__(self, tape: _Tape, recording: bool = True, anomaly: bool = False, scope: str = ""):
        self.tape, self.recording, self.anomaly, self.scope = tape, recording, anomaly, scope


# A context variable holds them: each thread starts in a context of its own (an asyncio
# task, in a copy of its creator's), and it reads faster than a threading.local.
_MODES: ContextVar[_Mode] = ContextVar("autograd_modes")


def _mode() -> _Mode:
    """The calling thread's modes; its first op makes them, with a tape of its own."""
    mode = _MODES.get(None)
    if mode is None:
        mode = _Mode(_Tape())
        _MODES.set(mode)
    return mode


class _switched:
    """Run the block under a new mode, and restore the old one even if the block raises."""

    __slots__ = ("changes", "token")

    def __init__(self, **changes: object) -> None:
        self.changes = changes

    def __enter__(self) -> None:
        old = _mode()
        new = _Mode(old.tape, old.recording, old.anomaly, old.scope)
        for name, value in self.changes.items():
            setattr(new, name, value)
        self.token = _MODES.set(new)

    def __exit__(self, *exception: object) -> None:
        _MODES.reset(self.token)


def no_grad() -> AbstractContextManager[None]:
    """Inside this block (in this thread) results record no parents: less memory, no backward.

    A result made inside is a leaf: backward stops there, and like any leaf it collects
    the gradient that reaches it.

    >>> with no_grad():
    ...     y = Value(2.0) * 3
    >>> y.parents
    ()
    """
    return _switched(recording=False)


def enable_grad() -> AbstractContextManager[None]:
    """Record parents again inside a ``no_grad()`` block (PyTorch's ``enable_grad``).

    >>> with no_grad(), enable_grad():
    ...     len((Value(2.0) * 3).parents)
    1
    """
    return _switched(recording=True)


def is_grad_enabled() -> bool:
    """True unless this thread is inside ``no_grad()``. ``is_grad_enabled() is True``"""
    return _mode().recording


def detect_anomaly() -> AbstractContextManager[None]:
    """Raise FloatingPointError at the first inf or nan made by an op or by backward.

    >>> with detect_anomaly():
    ...     Value(-1.0).log()
    Traceback (most recent call last):
    FloatingPointError: log produced nan from input -1
    """
    return _switched(anomaly=True)


def scope(name: object) -> AbstractContextManager[None]:
    """Tag every Value created inside with a module name (nested names join with ".").

    The nn modules use it so drawings can cluster each neuron's nodes.

    >>> with scope("L0"), scope("N1"):
    ...     y = Value(1.0) + 1
    >>> y.scope
    'L0.N1'
    """
    if not isinstance(name, str) or not all(name.split(".")):
        raise ValueError(f"a scope name must be a non-empty str with no empty part, got {name!r}")
    outer = _mode().scope
    return _switched(scope=f"{outer}.{name}" if outer else name)


# --------------------------------------------------------------------- helpers


def op_result(
    data: Number | np.ndarray,
    op: str,
    parents: tuple[Value, ...],
    local_grads: tuple[Any, ...],
    constant: Number | np.ndarray | None = None,
) -> Value:
    """The Value an op returns: its data, the op's name, its operands and ∂out/∂operand.

    Every op in this file ends by making one; an op defined elsewhere (a fused layer, a
    user's own function) makes its result the same way, so backward and the drawings
    treat it like any other node. ``local_grads[k]`` is ∂data/∂parents[k]: a number, or
    for a batch one number per sample.

    >>> x = Value(2.0)
    >>> cube = op_result(x.data**3, "cube", (x,), (3 * x.data**2,))
    >>> cube.backward(); cube.op, x.grad
    ('cube', 12.0)
    """
    if len(parents) != len(local_grads):
        raise ValueError(
            f"{op}: {len(parents)} parents but {len(local_grads)} local derivatives"
        )
    for k, parent in enumerate(parents):
        if not isinstance(parent, Value):
            raise TypeError(f"{op}: parent {k} must be a Value, not {type(parent).__name__}")
    c = None if constant is None else _constant(constant)
    return _node(_as_data(data), op, parents, tuple(local_grads), c)


def _node(
    data: Data,
    kind: str,
    parents: tuple[Value, ...],
    local_grads: tuple[Any, ...],
    constant: Data | None = None,
) -> Value:
    """An op's result: its value, operands, ∂out/∂operand and op (Value.__init__ records
    them, so leaves and op results are made in one place)."""
    return Value(data, "", kind, parents, local_grads, constant)


# The types of what users hand in (Value(), operands, settings) name what is accepted, and
# _as_data() checks it with a message that says what is wrong. Compiled, an argument typed
# plain `str` or `float` would be refused first, with a vaguer message of the compiler's; a
# type that includes an array (as Data does) is checked by _as_data() alone.


def _as_data(x: object) -> Data:
    """Validate what a Value may hold: a real number (stored as float) or a 1-D batch."""
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
            return _as_data(x.item())
        if x.ndim != 1 or x.size == 0:
            raise ValueError(f"a batch must be a non-empty 1-D array, got shape {x.shape}")
        if x.dtype.kind not in "iuf":
            raise TypeError(f"a batch must hold real numbers, not {x.dtype}")
        ieee.keep_ieee_results_quiet()
        return np.array(x, dtype=np.float64)  # a copy: later edits to x do not leak in
    raise TypeError(
        f"Value data must be an int, a float or a 1-D numpy array, not {type(x).__name__}"
    )


# Local derivatives that are the same numbers for every node of an op (+, -, neg), made once
# and shared by all its nodes. (The interpreter shares a literal (1.0, 1.0) by itself;
# compiled code would build a new tuple of new floats on every op.)
_ONE: Final[tuple[float, ...]] = (1.0,)
_MINUS_ONE: Final[tuple[float, ...]] = (-1.0,)
_ONE_ONE: Final[tuple[float, ...]] = (1.0, 1.0)
_ONE_MINUS_ONE: Final[tuple[float, ...]] = (1.0, -1.0)


def _as_label(label: object) -> str:
    if not isinstance(label, str):
        raise TypeError(f"Value label must be a str, not {type(label).__name__}")
    return label


def _constant(x: object) -> Data:
    """A number operand (or a batch of constants), validated like Value data."""
    return x if type(x) is float else _as_data(x)  # type: ignore[return-value]


def _data_of(other: object) -> Data:
    return other.data if isinstance(other, Value) else _as_data(other)


def _ones(n: int, _cache: dict[int, tuple[float, ...]] = {}) -> tuple[float, ...]:  # noqa: B006
    """(1.0,) * n, shared: every sum node of n terms has the same local derivatives."""
    ones = _cache.get(n)
    if ones is None:
        ones = _cache[n] = (1.0,) * n
    return ones


def _seed(root: Value, gradient: Number | np.ndarray | Value | None) -> Data | Value:
    """∂root/∂root: 1 for a number; a batch root needs an explicit gradient (as PyTorch)."""
    if isinstance(gradient, Value):  # a gradient that is itself a graph (create_graph)
        if gradient.batch_size != root.batch_size:
            raise ValueError("backward(): the gradient must hold as many samples as the root")
        return gradient
    if gradient is None:
        if root.batch_size is not None:
            raise ValueError(
                f"backward() on a batch of {root.batch_size} needs a gradient: grad can be "
                "implicitly created only for a scalar; call .sum() or .mean() first"
            )
        return 1.0
    seed = _as_data(gradient)
    if type(seed) is not float and root.batch_size != len(seed):
        what = "a number" if root.batch_size is None else f"a batch of {root.batch_size}"
        raise ValueError(f"backward(): a gradient of {len(seed)} samples for {what}")
    return seed


class _NoShareYet:
    """The gradient of a node before any share reached it: adding a share gives the share
    itself, so a gradient built as a graph has no "0 +" nodes."""

    def __add__(self, share: Data | Value) -> Data | Value:
        return share.copy() if isinstance(share, np.ndarray) else share  # never an alias

    def __repr__(self) -> str:
        return "no gradient yet"


_NO_SHARE_YET = _NoShareYet()


def _building_gradient_graph(create_graph: bool) -> AbstractContextManager[None]:
    """While backward builds a gradient as a graph, its nodes are recorded (whatever the
    mode) and tagged with the scope "backward", so drawings can tell them apart."""
    if not create_graph:
        return nullcontext()
    return _switched(recording=True, scope="backward")


def _backward_through_neurons(root: Value, gradient: Any) -> None:
    from autograd.fused import backward_unfused  # fused.py builds on Value: import late

    backward_unfused(root, gradient)


def _local_grads_as_graph(node: Value) -> tuple:
    from autograd.rules import local_grads_as_graph  # rules.py builds on Value: import late

    return local_grads_as_graph(node)


def _check_forward(data: Data, parents: tuple[Value, ...], kind: str) -> None:
    if not ew.is_finite(data):
        inputs = ", ".join(_fmt(p.data) for p in parents)
        what = "nan" if np.isnan(data).any() else "inf"
        raise FloatingPointError(f"{kind} produced {what} from input {inputs}")


def _check_backward(node: Value) -> None:
    if not ew.is_finite(node.grad.data if isinstance(node.grad, Value) else node.grad):
        raise FloatingPointError(
            f"backward: the gradient reaching {node.op or 'a leaf'} "
            f"{node.label or _fmt(node.data)} is {_fmt(node.grad)}"
        )
    for local, parent in zip(node.local_grads, node.parents):
        if isinstance(local, Share | Column):
            continue  # a fused layer's: its products are checked as the gradients they make
        if not ew.is_finite(local):
            inputs = ", ".join(_fmt(p.data) for p in node.parents)
            raise FloatingPointError(
                f"backward of {node.op}: local derivative {_fmt(local)} at input {inputs}"
                f" (operand {parent.label or _fmt(parent.data)})"
            )


def _fmt(x: Data) -> str:
    if type(x) is float:
        return f"{x:g}"
    return f"[{', '.join(f'{v:g}' for v in x[:3])}{', ...' if len(x) > 3 else ''}]"


def _fmt_grad(g: Data | None) -> str:
    return "None" if g is None else _fmt(g)


# --------------------------------------------------------------------- speed: the tape
# ``topological_order`` finds the order by a depth-first search: ~600 ns a node. But ops
# run in an order that is already topological: every node is made after its parents. So
# each thread keeps a *tape*, the list of op nodes in the order they were made, and
# backward reads it from the root down: newest first is each node after all nodes made
# from it. Three things keep the tape honest:
#
# - It must not keep dropped graphs alive. Backward takes the graph it differentiates, and
#   everything older, off the tape (they are freed when the user drops them, as without a
#   tape), and when the tape fills without a backward, nodes only it holds are let go.
# - It may hold nodes of other graphs. Backward marks the nodes it reaches and skips the
#   rest, and stops once every node it marked has been visited.
# - A graph may have been built partly in another thread, or taken off the tape. Then
#   some marked node is never met on the tape, and backward falls back to
#   ``topological_order``: the same gradients, at the speed of the search.


# How much the tape may hold before it looks for nodes to let go of, counted in numbers: a
# node holding one float counts 1, a batch of 200 samples 201. A million is some tens of MB
# of dead graph at most, and a graph being built is scanned about twice.
TAPE_MIN_CAPACITY = 1_000_000


class _Tape:
    """The op nodes one thread made, oldest first, and how many more fit before a clean-up."""

    __slots__ = ("nodes", "room")

    def __init__(self) -> None:
        self.nodes: list[Value] = []
        self.room = TAPE_MIN_CAPACITY

    def record(self, node: Value) -> None:
        """Put a new op node on the tape (Value() does, for every op it records)."""
        self.nodes.append(node)
        self.room -= _numbers_in(node._data)
        if self.room < 0:
            self.let_go()

    def let_go(self) -> None:
        """Drop nodes nobody but the tape holds (newest first), then compact the tape."""
        nodes: list[Any] = self.nodes  # a dropped node's place holds None for a moment
        dropped = 0
        for i in range(len(nodes) - 1, -1, -1):
            if _refcount_of_item(nodes, i) <= _REFS_WHEN_ONLY_IN_A_LIST:
                nodes[i] = None  # frees it, and so drops its references to its parents
                dropped += 1
        if dropped:
            nodes[:] = [node for node in nodes if node is not None]
        held = _weight(nodes)
        self.room = max(TAPE_MIN_CAPACITY, 2 * held) - held

    def forget_before(self, position: int) -> None:
        """Take the nodes older than ``position`` off the tape (freed if nobody holds them)."""
        if position > 0:
            self.room += _weight(self.nodes[:position])
            del self.nodes[:position]


def _weight(nodes: list[Value]) -> int:
    numbers = 0
    for n in nodes:
        numbers += _numbers_in(n._data)
    return numbers


def _numbers_in(data: Data) -> int:
    """What a node weighs on the tape: 1, and each number of a batch (or a fused layer's
    samples × neurons) besides."""
    return 1 if type(data) is float else 1 + data.size


def _refcount_of_item(items: list[Any], i: int) -> int:
    """References to items[i], counted the same way for the tape and for the probe below
    (compiled code holds its temporaries differently from the interpreter)."""
    return sys.getrefcount(items[i])


_REFS_WHEN_ONLY_IN_A_LIST = _refcount_of_item([object()], 0)


def _backward_order(root: Value) -> tuple[list[Value], list[Value]]:
    """The op nodes root depends on, newest first (root first), and the leaves it reaches."""
    if not root.parents:
        return [], [root]
    tape = _mode().tape
    at = len(tape.nodes) - 1  # the root is usually the newest node
    while at >= 0 and tape.nodes[at] is not root:
        at -= 1
    if at < 0:  # made in another thread, or let go of
        return _backward_order_by_search(root)
    this_pass = object()
    root._pass = this_pass
    nodes: list[Value] = []
    leaves: list[Value] = []
    waiting = 1  # marked op nodes not yet met on the tape
    for node in reversed(tape.nodes[: at + 1]):
        if node._pass is not this_pass:
            continue  # another graph's node
        nodes.append(node)
        waiting -= 1
        for parent in node.parents:
            if parent._pass is not this_pass:
                parent._pass = this_pass
                if parent.parents:
                    waiting += 1
                else:
                    leaves.append(parent)
        if waiting == 0:
            # This graph and everything older are done with: off the tape, so each is freed
            # as soon as nobody else holds it, as without a tape. (Differentiating it again
            # takes the search; nodes made later, a gradient graph among them, stay.)
            tape.forget_before(at + 1)
            return nodes, leaves
    return _backward_order_by_search(root)


def _backward_order_by_search(root: Value) -> tuple[list[Value], list[Value]]:
    order = topological_order(root)
    order.reverse()
    return [n for n in order if n.parents], [n for n in order if not n.parents]
