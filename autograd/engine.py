"""The Value node and reverse-mode differentiation by the chain rule.

Every operation creates a ``Value`` that records three things at forward time:
its ``parents`` (operands, in order, duplicates kept), the ``local_grads`` ∂out/∂parent
for each of them, and the ``op`` name. ``backward()`` then needs nothing but the chain
rule: visit the nodes from the root down, and hand each parent ``local * upstream``.

>>> x = Value(3.0, label="x")
>>> y = x * x + 2 * x          # parents of x * x are (x, x): one edge per use
>>> y.backward()
>>> x.grad                     # dy/dx = 2x + 2
8.0

Data is a float, or a 1-D numpy array holding one value per sample of a batch: the graph
is the same one a learner draws for one sample, and a gradient that flows into a node
holding a plain float (a weight shared by all samples) is summed over the batch.

Design for speed: ``__slots__``, local derivatives stored as data (no closures), and no
reference cycles, so a graph is freed by reference counting the moment it is dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import numpy as np

from autograd import elementwise as ew
from autograd.elementwise import Data

Number = int | float

# Module state behind the context managers below (single-threaded, like the rest of the engine).
_grad_enabled = True  # False inside no_grad(): results record no parents
_anomaly_checks = False  # True inside detect_anomaly(): non-finite values raise
_scope = ""  # dotted name of the module computing right now, e.g. "L0.N1"
_batches_created = False  # no batch yet: backward can use the plain scalar sweep

# Local derivatives that are the same for every node are shared, not allocated per node.
_ONE_ONE = (1.0, 1.0)
_ONE_MINUS_ONE = (1.0, -1.0)
_MINUS_ONE = (-1.0,)


class Value:
    """A scalar (or a batch of scalars) in a computation graph.

    Attributes: ``data`` (float or 1-D array), ``grad`` (∂root/∂self after ``backward()``,
    None before), ``parents`` (tuple of operands), ``local_grads`` (∂self/∂parent, one per
    parent), ``op`` (the operation that made it, "" for a leaf), ``label`` (a name for
    drawings) and ``scope`` (the module that computed it, for clusters in drawings).

    >>> a = Value(2.0, label="a")
    >>> b = a * a
    >>> b.parents == (a, a), b.local_grads
    (True, (2.0, 2.0))
    """

    __slots__ = ("__weakref__", "data", "grad", "label", "local_grads", "op", "parents", "scope")

    # `array * value`: numpy would loop over the array itself and build an array of Values;
    # this makes it hand the op to Value.__rmul__ and friends, which treat it as a batch.
    __array_ufunc__ = None

    def __init__(self, data: Number | np.ndarray, label: str = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, not {type(label).__name__}")
        self.data = _as_data(data)
        self.grad = None
        self.parents = ()
        self.local_grads = ()
        self.op = ""
        self.label = label
        self.scope = _scope

    # ----------------------------------------------------------------- arithmetic
    # Each op: the forward value and, beside it, ∂out/∂operand for each operand.

    def __add__(self, other: Value | Number) -> Value:
        other = _operand(self, other)
        return _result(self.data + other.data, (self, other), _ONE_ONE, "+")

    def __sub__(self, other: Value | Number) -> Value:
        other = _operand(self, other)
        return _result(self.data - other.data, (self, other), _ONE_MINUS_ONE, "-")

    def __mul__(self, other: Value | Number) -> Value:
        other = _operand(self, other)
        return _result(self.data * other.data, (self, other), (other.data, self.data), "*")

    def __truediv__(self, other: Value | Number) -> Value:
        other = _operand(self, other)
        out = ew.div(self.data, other.data)
        # d(a/b)/da = 1/b, d(a/b)/db = -a/b² = -out/b
        return _result(out, (self, other), (ew.div(1.0, other.data), ew.div(-out, other.data)), "/")

    def __pow__(self, exponent: Value | Number) -> Value:
        if not isinstance(exponent, Value):
            # A number exponent is part of the op, not an operand: x ** 2 is one node "**2".
            n = _as_data(exponent)
            out = ew.power(self.data, n)
            local = n * ew.power(self.data, n - 1.0) if n != 0.0 else 0.0  # x**0 is constant
            return _result(out, (self,), (local,), f"**{_fmt(n)}")
        x, y = self.data, _operand(self, exponent).data
        out = ew.power(x, y)
        # d(x^y)/dy = x^y · ln x; taken as 0 where x = 0 and y >= 0, as PyTorch does.
        d_exponent = ew.where((x == 0.0) & (y >= 0.0), 0.0, out * ew.log(x))
        return _result(out, (self, exponent), (y * ew.power(x, y - 1.0), d_exponent), "**")

    def __neg__(self) -> Value:
        return _result(-self.data, (self,), _MINUS_ONE, "neg")

    def __radd__(self, other: Number) -> Value:  # 2 + x
        return _operand(self, other) + self

    def __rsub__(self, other: Number) -> Value:  # 2 - x
        return _operand(self, other) - self

    def __rmul__(self, other: Number) -> Value:  # 2 * x
        return _operand(self, other) * self

    def __rtruediv__(self, other: Number) -> Value:  # 1 / x
        return _operand(self, other) / self

    def __rpow__(self, base: Number) -> Value:  # 2 ** x is one node "2**" with exponent x
        b = _as_data(base)
        out = ew.power(b, self.data)
        d_exponent = out * ew.log(b) if b != 0.0 else 0.0  # 0 ** x: 0 as PyTorch, not nan
        return _result(out, (self,), (d_exponent,), f"{_fmt(b)}**")

    def __abs__(self) -> Value:
        x = self.data
        sign = ew.where(x > 0.0, 1.0, ew.where(x < 0.0, -1.0, 0.0))  # 0 at the kink, like PyTorch
        return _result(abs(x), (self,), (sign,), "abs")

    # ----------------------------------------------------------------- functions

    def exp(self) -> Value:
        """e ** x; d/dx = e ** x. ``Value(0).exp().data == 1.0``"""
        out = ew.exp(self.data)
        return _result(out, (self,), (out,), "exp")

    def log(self) -> Value:
        """Natural log; d/dx = 1/x. ``Value(1).log().data == 0.0``"""
        x = self.data
        return _result(ew.log(x), (self,), (ew.div(1.0, x),), "log")

    def sqrt(self) -> Value:
        """Square root; d/dx = 1 / (2 sqrt x). ``Value(4).sqrt().data == 2.0``"""
        out = ew.sqrt(self.data)
        return _result(out, (self,), (ew.div(0.5, out),), "sqrt")

    def tanh(self) -> Value:
        """Hyperbolic tangent; d/dx = 1 - tanh². ``Value(0).tanh().data == 0.0``"""
        t = ew.tanh(self.data)
        return _result(t, (self,), (1.0 - t * t,), "tanh")

    def sigmoid(self) -> Value:
        """1 / (1 + e^-x); d/dx = σ(1 - σ). ``Value(0).sigmoid().data == 0.5``"""
        s = ew.sigmoid(self.data)
        return _result(s, (self,), (s * (1.0 - s),), "sigmoid")

    def relu(self) -> Value:
        """max(0, x); d/dx = 1 for x > 0, else 0. ``Value(-2).relu().data == 0.0``"""
        x = self.data
        return _result(ew.relu(x), (self,), (ew.where(x > 0.0, 1.0, 0.0),), "relu")

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """x for x > 0, else slope·x; d/dx = 1 or slope.

        >>> Value(-2).leaky_relu(0.1).data
        -0.2
        """
        x = self.data
        positive = x > 0.0
        return _result(
            ew.where(positive, x, slope * x),
            (self,),
            (ew.where(positive, 1.0, slope),),
            "leaky_relu",
        )

    def elu(self, alpha: float = 1.0) -> Value:
        """x for x > 0, else α(e^x - 1); d/dx = 1 or α e^x. ``Value(0).elu().data == 0.0``"""
        x = self.data
        positive = x > 0.0
        alpha_exp = alpha * ew.exp(ew.where(positive, 0.0, x))  # exp only where it is used
        return _result(
            ew.where(positive, x, alpha_exp - alpha),
            (self,),
            (ew.where(positive, 1.0, alpha_exp),),
            "elu",
        )

    def softplus(self) -> Value:
        """log(1 + e^x), a smooth ReLU; d/dx = σ(x). ``Value(0).softplus().data == log(2)``"""
        x = self.data
        return _result(ew.softplus(x), (self,), (ew.sigmoid(x),), "softplus")

    def sin(self) -> Value:
        """Sine; d/dx = cos x. ``Value(0).sin().data == 0.0``"""
        x = self.data
        return _result(ew.sin(x), (self,), (ew.cos(x),), "sin")

    def cos(self) -> Value:
        """Cosine; d/dx = -sin x. ``Value(0).cos().data == 1.0``"""
        x = self.data
        return _result(ew.cos(x), (self,), (-ew.sin(x),), "cos")

    def sum(self) -> Value:
        """Sum over the samples of a batch (a plain scalar is returned as a new node).

        >>> import numpy as np
        >>> Value(np.array([1.0, 2.0, 3.0])).sum().data
        6.0
        """
        x = self.data
        if type(x) is float:
            return _result(x, (self,), (1.0,), "sum")
        return _result(float(x.sum()), (self,), (np.ones_like(x),), "sum")

    def mean(self) -> Value:
        """Mean over the samples of a batch; d/dx_i = 1/B. Losses use it to return a scalar.

        >>> import numpy as np
        >>> Value(np.array([1.0, 2.0, 3.0])).mean().data
        2.0
        """
        x = self.data
        if type(x) is float:
            return _result(x, (self,), (1.0,), "mean")
        return _result(float(x.mean()), (self,), (np.full_like(x, 1.0 / len(x)),), "mean")

    # ----------------------------------------------------------------- comparisons
    # Compare forward values. Equality and hashing stay by identity (inherited from object,
    # never redefined: a Python-level __hash__ would slow every set lookup), so Values can be
    # dict keys and set members (the backward pass relies on it).

    def __lt__(self, other: Value | Number) -> bool | np.ndarray:
        return self.data < _data_of(other)

    def __le__(self, other: Value | Number) -> bool | np.ndarray:
        return self.data <= _data_of(other)

    def __gt__(self, other: Value | Number) -> bool | np.ndarray:
        return self.data > _data_of(other)

    def __ge__(self, other: Value | Number) -> bool | np.ndarray:
        return self.data >= _data_of(other)

    # ----------------------------------------------------------------- gradients

    def backward(self, gradient: Number | np.ndarray = 1.0) -> None:
        """Compute ∂self/∂node for every node of the graph by the chain rule.

        Leaf gradients (parameters, inputs) accumulate across calls, as in PyTorch: call
        ``zero_grad()`` (here, on a Module or an optimizer) between steps. Intermediate
        nodes hold the gradient of the latest call, so a repeated ``backward()`` adds
        exactly one more ∂self/∂leaf to each leaf.

        >>> x = Value(2.0)
        >>> y = x * x
        >>> y.backward(); y.backward()
        >>> x.grad                      # 4 + 4: accumulated
        8.0
        """
        seed = _as_data(gradient)
        if seed.__class__ is not float:
            _check_batches((self, Value(seed)), "backward")
        order = topological_order(self)
        for node in order:  # intermediate grads are recomputed; leaf grads accumulate
            if node.parents or node.grad is None:
                node.grad = 0.0
        self.grad = self.grad + seed
        if _batches_created or _anomaly_checks:
            _chain_rule_general(order, check_finite=_anomaly_checks)
        else:
            _chain_rule(order)

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
        return Value(self.data, label=self.label)

    def item(self) -> float:
        """The data as a Python float (a batch of one element is allowed).

        >>> Value(2).item()
        2.0
        """
        if type(self.data) is float:
            return self.data
        if self.data.size != 1:
            raise ValueError(f"item() needs one value, this node holds a batch of {self.data.size}")
        return float(self.data[0])

    @property
    def batch_size(self) -> int | None:
        """Number of samples this node holds, or None for a plain scalar."""
        return None if type(self.data) is float else len(self.data)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        if type(self.data) is float:
            return f"Value(data={self.data:.6g}, grad={_fmt_grad(self.grad)}{label})"
        return f"Value(batch of {len(self.data)}, data[0]={self.data[0]:.6g}{label})"


# --------------------------------------------------------------------- graph functions


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, each after all of its parents (root last).

    Iterative depth-first search with an explicit stack, so a chain a million nodes
    deep needs no recursion. A node is pushed twice: once to visit it, and once more
    under a ``None`` marker that says "its parents are all placed: place it".

    >>> a = Value(1.0); b = a + 1; c = b * a
    >>> [n.op or "leaf" for n in topological_order(c)]
    ['leaf', 'leaf', '+', '*']
    """
    order: list[Value] = []
    visited: set[Value] = set()
    stack: list[Value | None] = [root]
    # Bound once: looking a method up on every call costs more than the rest of the loop.
    pop, push, push_all, mark, place = (
        stack.pop,
        stack.append,
        stack.extend,
        visited.add,
        order.append,
    )
    while stack:
        node = pop()
        if node is None:  # the marker: the node under it has all its parents placed
            place(pop())
        elif node not in visited:
            mark(node)
            push(node)
            push(None)
            push_all(node.parents)  # already-visited ones are skipped when popped
    return order


def _chain_rule(order: list[Value]) -> None:
    """The backward sweep: from the root down, each node hands every parent its share,
    local derivative × the node's own gradient. Reused parents collect one share per use."""
    for node in reversed(order):
        upstream = node.grad
        for parent, local in zip(node.parents, node.local_grads):
            parent.grad += local * upstream


def _chain_rule_general(order: list[Value], check_finite: bool) -> None:
    """The same sweep for graphs that may hold batches, optionally checking for inf/nan.
    IEEE results (inf · 0 = nan) come without numpy's warnings, as in the forward pass."""
    with np.errstate(all="ignore"):
        for node in reversed(order):
            upstream = node.grad
            if check_finite:
                _check_backward(node, upstream)
            for parent, local in zip(node.parents, node.local_grads):
                parent.grad += contribution(local, upstream, parent.data)


def contribution(local: Data, upstream: Data, parent_data: Data) -> Data:
    """What one edge adds to its parent's gradient: local derivative × upstream gradient,
    summed over the samples when a batch flows into a node holding a plain float (a weight
    every sample used). The drawings label edges with this same number.

    >>> import numpy as np
    >>> contribution(3.0, 0.5, 2.0), contribution(np.array([1.0, 2.0]), np.array([3.0, 4.0]), 0.5)
    (1.5, 11.0)
    """
    if parent_data.__class__ is float and upstream.__class__ is not float:
        if local.__class__ is float:
            return local * float(upstream.sum())
        return float(np.dot(local, upstream))  # Σ local·upstream in one numpy call
    if local.__class__ is float and local == 1.0:
        return upstream  # (+, sum): skip multiplying a whole batch by one
    return local * upstream


def sum(values: Iterable[Value | Number]) -> Value:
    """One node for the sum of many values (a neuron's weighted sum is not a long chain).

    >>> total = sum([Value(1.0), Value(2.0), 3])
    >>> total.data, len(total.parents), total.local_grads
    (6.0, 3, (1.0, 1.0, 1.0))
    """
    terms = tuple(v if isinstance(v, Value) else Value(v) for v in values)
    if not terms:
        return _result(0.0, (), (), "sum")
    _check_batches(terms, "sum")
    total = terms[0].data
    for term in terms[1:]:
        total = total + term.data
    return _result(total, terms, (1.0,) * len(terms), "sum")


def maximum(a: Value | Number, b: Value | Number) -> Value:
    """The larger of a and b; the gradient goes to the larger (half to each on a tie).

    >>> m = maximum(Value(1.0), Value(3.0)); m.data, m.local_grads
    (3.0, (0.0, 1.0))
    """
    a = a if isinstance(a, Value) else Value(a)
    b = _operand(a, b)
    x, y = a.data, b.data
    a_wins = ew.where(x > y, 1.0, ew.where(x < y, 0.0, 0.5))
    return _result(ew.maximum(x, y), (a, b), (a_wins, 1.0 - a_wins), "max")


def minimum(a: Value | Number, b: Value | Number) -> Value:
    """The smaller of a and b; the gradient goes to the smaller (half to each on a tie).

    >>> m = minimum(Value(1.0), Value(3.0)); m.data, m.local_grads
    (1.0, (1.0, 0.0))
    """
    a = a if isinstance(a, Value) else Value(a)
    b = _operand(a, b)
    x, y = a.data, b.data
    a_wins = ew.where(x < y, 1.0, ew.where(x > y, 0.0, 0.5))
    return _result(ew.minimum(x, y), (a, b), (a_wins, 1.0 - a_wins), "min")


# --------------------------------------------------------------------- modes


@contextmanager
def no_grad() -> Iterator[None]:
    """Inside this block, results record no parents: nothing to backpropagate, less memory.

    >>> with no_grad():
    ...     y = Value(2.0) * 3
    >>> y.parents
    ()
    """
    global _grad_enabled
    previous, _grad_enabled = _grad_enabled, False
    try:
        yield
    finally:
        _grad_enabled = previous


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise FloatingPointError at the first inf or nan made by an op or by backward.

    >>> with detect_anomaly():
    ...     Value(-1.0).log()
    Traceback (most recent call last):
    FloatingPointError: log produced nan from input -1
    """
    global _anomaly_checks
    previous, _anomaly_checks = _anomaly_checks, True
    try:
        yield
    finally:
        _anomaly_checks = previous


@contextmanager
def scope(name: str) -> Iterator[None]:
    """Tag every Value created inside with a module name (nested names join with ".").

    The nn modules use it so drawings can cluster each neuron's nodes.

    >>> with scope("L0"), scope("N1"):
    ...     y = Value(1.0) + 1
    >>> y.scope
    'L0.N1'
    """
    global _scope
    previous = _scope
    _scope = f"{previous}.{name}" if previous else name
    try:
        yield
    finally:
        _scope = previous


# --------------------------------------------------------------------- helpers


def _result(data: Data, parents: tuple, local_grads: tuple, op: str) -> Value:
    """A new node: the forward value, its operands and ∂out/∂operand for each."""
    out = _new_value(Value)
    out.data = data
    out.grad = None
    if _grad_enabled:
        out.parents = parents
        out.local_grads = local_grads
    else:
        out.parents = out.local_grads = ()
    out.op = op
    out.label = ""
    out.scope = _scope
    if _anomaly_checks:
        _check_forward(data, parents, op)
    return out


_new_value = object.__new__


def _as_data(x: object) -> Data:
    """Validate what a Value may hold: a real number (stored as float) or a 1-D batch."""
    if x.__class__ is float:  # the common case first: a constant operand like 2.0
        return x
    if isinstance(x, float):
        return float(x)  # also turns numpy float64 into a plain float
    if isinstance(x, bool | np.bool_):
        raise TypeError("Value data must be a number, not bool")
    if isinstance(x, int | np.integer | np.floating):
        try:
            return float(x)
        except OverflowError:
            raise ValueError(f"integer {x} is too large for a float") from None
    if isinstance(x, np.ndarray):
        if x.ndim == 0:
            return _as_data(x.item())
        if x.ndim != 1 or x.size == 0:
            raise ValueError(f"a batch must be a non-empty 1-D array, got shape {x.shape}")
        if x.dtype.kind not in "iuf":
            raise TypeError(f"a batch must hold real numbers, not {x.dtype}")
        global _batches_created
        _batches_created = True
        return np.array(x, dtype=np.float64)  # a copy: later edits to x do not leak in
    raise TypeError(
        f"Value data must be an int, a float or a 1-D numpy array, not {type(x).__name__}"
    )


def _operand(value: Value, other: Value | Number) -> Value:
    """The other operand of a binary op, as a Value (numbers become constant leaves)."""
    if not isinstance(other, Value):
        other = Value(other)  # a number, or an array: a batch of constants
    if other.data.__class__ is not float and value.data.__class__ is not float:
        _check_batches((value, other), "")  # numpy would broadcast a batch of 1 silently
    return other


def _data_of(other: Value | Number) -> Data:
    return other.data if isinstance(other, Value) else _as_data(other)


def _check_batches(parents: tuple[Value, ...], op: str) -> None:
    """Batched operands must hold the same number of samples (no silent broadcasting)."""
    sizes = {len(p.data) for p in parents if p.data.__class__ is not float}
    if len(sizes) > 1:
        where = f"{op}: " if op else ""
        raise ValueError(f"{where}cannot combine batches of different sizes {sorted(sizes)}")


def _check_forward(data: Data, parents: tuple[Value, ...], op: str) -> None:
    if not ew.is_finite(data):
        inputs = ", ".join(_fmt(p.data) for p in parents)
        what = "nan" if np.isnan(data).any() else "inf"
        raise FloatingPointError(f"{op} produced {what} from input {inputs}")


def _check_backward(node: Value, upstream: Data) -> None:
    if not ew.is_finite(upstream):
        raise FloatingPointError(
            f"backward: the gradient reaching {node.op or 'a leaf'} "
            f"{node.label or _fmt(node.data)} is {_fmt(upstream)}"
        )
    for local, parent in zip(node.local_grads, node.parents):
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
