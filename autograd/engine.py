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

This file reads top to bottom as the lesson: ``Value`` with ``+``, ``*`` and ``tanh``, then
``backward()``; ``contribution()``, the chain rule for one edge; every other op; graph
functions (``topological_order``, ...). Ops that combine many Values
(``sum_of``, ``maximum``, ...) are in ``combine.py``; ``grad()``, gradients without touching
``.grad``, in ``gradients.py``. The machinery under it has files of
its own: ``node.py`` (how a node is stored, one backward pass's bookkeeping), ``modes.py``
(``no_grad`` and the other modes), ``elementwise.py`` and ``activations.py`` (formulas).
"""

from __future__ import annotations

import threading
from typing import Any, ClassVar, Final

import numpy as np
from mypy_extensions import mypyc_attr

from autograd import activations as act
from autograd import elementwise as ew
from autograd.activations import Activation
from autograd.elementwise import Data, as_data
from autograd.modes import detect_anomaly, enable_grad, is_grad_enabled, no_grad, scope
from autograd.node import (
    EXPANSIONS,
    BackwardPass,
    More,
    Node,
    make_block,
    make_view,
    reverse_order,
    seed_of,
)

Number = int | float
_ARRAY: Final = np.ndarray  # (compiled: `np.ndarray` would be a lookup on every call)

__all__ = [
    "LinearMap", "Value", "activate", "block", "contribution", "detect_anomaly", "enable_grad",
    "expand", "is_grad_enabled", "no_grad", "op_result", "scope", "topological_order",
    "visiting_order",
]  # fmt: skip


class Value(Node):
    """A number (or a batch of numbers, one per sample) in a computation graph.

    ``data`` is the forward value: a float, or a 1-D numpy array with one value per
    sample. ``grad`` is ∂root/∂self after ``backward()`` (None before). ``parents`` and
    ``local_grads`` are the operands and ∂self/∂operand, ``op`` names the operation ("" for
    a leaf), ``label`` names the value in drawings, ``scope`` the module that computed it.
    (How a node stores them: ``node.py``.)

    >>> a = Value(2.0, label="a")
    >>> b = a * a
    >>> b.parents == (a, a), b.local_grads
    (True, (2.0, 2.0))
    """

    __slots__ = ()

    # `array * value`: numpy would loop over the array itself and build an array of Values;
    # this makes it hand the op to Value.__rmul__ and friends, which treat it as a batch.
    __array_ufunc__: ClassVar[None] = None

    # ---------------------------------------------- the lesson: three ops and backward
    # Each op computes its forward value and, beside it, ∂out/∂operand for each operand.
    # A plain-number operand is not a node of its own: it is kept in ``constant``.

    def __add__(self, other: Value | Data) -> Value:
        if isinstance(other, Value):  # d(a+b)/da = 1, d(a+b)/db = 1
            if self._is_number() and other._is_number():  # (the same on unboxed numbers)
                return _numbers(self._number + other._number, "+", self, other, 1.0, 1.0)
            return _result(ew.add(self.data, other.data), "+", self, other, 1.0, 1.0)
        if type(other) is float and self._is_number():
            return _numbers(self._number + other, "+", self, None, 1.0, 0.0, other)
        c = _number_operand(other)
        return _result(ew.add(self.data, c), "+", self, None, 1.0, constant=c)

    def __mul__(self, other: Value | Data) -> Value:
        if isinstance(other, Value):  # d(a·b)/da = b, d(a·b)/db = a
            if self._is_number() and other._is_number():  # (the same on unboxed numbers)
                x, y = self._number, other._number
                return _numbers(x * y, "*", self, other, y, x)
            a, b = self.data, other.data
            return _result(ew.mul(a, b), "*", self, other, b, a)
        if type(other) is float and self._is_number():
            return _numbers(self._number * other, "*", self, None, other, 0.0, other)
        c = _number_operand(other)
        return _result(ew.mul(self.data, c), "*", self, None, c, constant=c)

    def tanh(self) -> Value:
        """Hyperbolic tangent; d/dx = 1 - tanh². ``Value(0).tanh().data == 0.0``"""
        return activate(self, act.TANH)  # tanh(x), and 1 - out² beside it: activations.py

    def backward(
        self, gradient: Number | np.ndarray | Value | None = None, create_graph: bool = False
    ) -> None:
        """Compute ∂self/∂node for every node self depends on, by the chain rule.

        Leaf gradients (parameters, inputs) accumulate across calls, as in PyTorch: call
        ``zero_grad()`` between steps. Every other node holds the gradient of the latest
        call, so a repeated ``backward()`` adds exactly one more ∂self/∂leaf to each leaf.
        With ``create_graph=True`` the gradients are Values too (see ``autograd.grad``).
        Threads may call it at once: they take turns (see ONE_BACKWARD_AT_A_TIME).

        >>> x = Value(2.0)
        >>> y = x * x
        >>> y.backward(); y.backward()
        >>> x.grad                      # 4 + 4: accumulated
        8.0
        """
        seed = seed_of(self, gradient)
        with ONE_BACKWARD_AT_A_TIME, BackwardPass(self, seed, create_graph, expand) as graph:
            for node in graph.nodes:  # each node after every node computed from it
                if graph.holds_numbers(node):  # the same as below, on unboxed numbers
                    _hand_on_numbers(graph, node)
                    continue
                upstream = node.grad
                for k in range(node.arity):  # each operand of the op that made node
                    parent, local = node.parent(k), graph.local_grad(node, k)
                    share = contribution(local, upstream, graph.data_kind(parent))  # the chain rule
                    graph.add(parent, share)  # parent.grad += share

    # ----------------------------------------------------------------- the other ops

    def __sub__(self, other: Value | Data) -> Value:
        if isinstance(other, Value):  # d(a-b)/da = 1, d(a-b)/db = -1
            return _result(ew.sub(self.data, other.data), "-", self, other, 1.0, -1.0)
        c = _number_operand(other)
        return _result(ew.sub(self.data, c), "-", self, None, 1.0, constant=c)

    def __rsub__(self, other: Data) -> Value:  # c - x
        c = _number_operand(other)
        return _result(ew.sub(c, self.data), "r-", self, None, -1.0, constant=c)

    def __truediv__(self, other: Value | Data) -> Value:
        if isinstance(other, Value):  # d(a/b)/da = 1/b, d(a/b)/db = -a/b² = -out/b
            b = other.data
            out = ew.div(self.data, b)
            return _result(out, "/", self, other, ew.div(1.0, b), -ew.div(out, b))
        c = _number_operand(other)
        return _result(ew.div(self.data, c), "/", self, None, ew.div(1.0, c), constant=c)

    def __rtruediv__(self, other: Data) -> Value:  # c / x; d/dx = -c/x² = -out/x
        c, x = _number_operand(other), self.data
        out = ew.div(c, x)
        return _result(out, "r/", self, None, -ew.div(out, x), constant=c)

    def __pow__(self, exponent: Value | Data) -> Value:
        x = self.data  # the derivatives at 0 and at the poles: elementwise.d_base, d_exponent
        if isinstance(exponent, Value):
            y = exponent.data
            out = ew.power(x, y)
            return _result(out, "**", self, exponent, ew.d_base(x, y), ew.d_exponent(x, y, out))
        n = _number_operand(exponent)  # a number exponent: x ** 2 is one node "**2"
        return _result(ew.power(x, n), "**", self, None, ew.d_base(x, n), constant=n)

    def __rpow__(self, base: Data) -> Value:  # c ** x: one node "2**" with exponent x
        b, y = _number_operand(base), self.data
        out = ew.power(b, y)
        return _result(out, "r**", self, None, ew.d_exponent(b, y, out), constant=b)

    def __neg__(self) -> Value:
        return _result(-self.data, "neg", self, None, -1.0)

    def __radd__(self, other: Data) -> Value:  # c + x is x + c
        return self + other

    def __rmul__(self, other: Data) -> Value:  # c * x is x * c
        return self * other

    def __abs__(self) -> Value:
        x = self.data
        sign = ew.where(x > 0.0, 1.0, ew.where(x < 0.0, -1.0, 0.0))  # 0 at the kink, as PyTorch
        return _result(ew.absolute(x), "abs", self, None, sign)

    def exp(self) -> Value:
        """e ** x; d/dx = e ** x. ``Value(0).exp().data == 1.0``"""
        out = ew.exp(self.data)
        return _result(out, "exp", self, None, out)

    def log(self) -> Value:
        """Natural log; d/dx = 1/x. ``Value(1).log().data == 0.0``"""
        x = self.data
        return _result(ew.log(x), "log", self, None, ew.div(1.0, x))

    def sqrt(self) -> Value:
        """Square root; d/dx = 1 / (2 sqrt x). ``Value(4).sqrt().data == 2.0``"""
        out = ew.sqrt(self.data)
        return _result(out, "sqrt", self, None, ew.div(0.5, out))

    def sigmoid(self) -> Value:
        """1 / (1 + e^-x); d/dx = σ(1 - σ). ``Value(0).sigmoid().data == 0.5``"""
        return activate(self, act.SIGMOID)

    def relu(self) -> Value:
        """max(0, x); d/dx = 1 for x > 0, else 0. ``Value(-2).relu().data == 0.0``"""
        return activate(self, act.RELU)

    def leaky_relu(self, slope: Data = 0.01) -> Value:
        """x for x > 0, else slope·x; d/dx = 1 or slope.

        >>> Value(-2).leaky_relu(0.1).data
        -0.2
        """
        return activate(self, act.LeakyRelu(_number_operand(slope)))

    def elu(self, alpha: Data = 1.0) -> Value:
        """x for x > 0, else α(e^x - 1); d/dx = 1 or α e^x. ``Value(0).elu().data == 0.0``"""
        return activate(self, act.Elu(_number_operand(alpha)))

    def softplus(self) -> Value:
        """log(1 + e^x), a smooth ReLU; d/dx = σ(x). ``Value(0).softplus().data == log(2)``"""
        x = self.data
        return _result(ew.softplus(x), "softplus", self, None, ew.sigmoid(x))

    def sin(self) -> Value:
        """Sine; d/dx = cos x. ``Value(0).sin().data == 0.0``"""
        x = self.data
        return _result(ew.sin(x), "sin", self, None, ew.cos(x))

    def cos(self) -> Value:
        """Cosine; d/dx = -sin x. ``Value(0).cos().data == 1.0``"""
        x = self.data
        return _result(ew.cos(x), "cos", self, None, -ew.sin(x))

    def sum(self) -> Value:
        """Add up the samples of a batch (a plain number is returned as a new node).

        Not to be confused with ``sum_of(values)``, which adds many Values into one node.

        >>> import numpy as np
        >>> Value(np.array([1.0, 2.0, 3.0])).sum().data
        6.0
        """
        x = self.data
        if type(x) is float:
            return _result(x, "sum", self, None, 1.0)
        return _result(ew.total(x), "sum", self, None, np.ones_like(x))

    def mean(self) -> Value:
        """Mean over the samples of a batch; d/dx_i = 1/B. Losses use it to return a scalar.

        >>> import numpy as np
        >>> Value(np.array([1.0, 2.0, 3.0])).mean().data
        2.0
        """
        x = self.data
        if type(x) is float:
            return _result(x, "mean", self, None, 1.0)
        return _result(ew.mean(x), "mean", self, None, np.full_like(x, 1.0 / len(x)))

    # ----------------------------------------------------------------- comparisons
    # Compare forward values. Equality stays by identity (inherited from object), and so does
    # the hash, so Values can be dict keys and set members. The hash is written out because a
    # compiled class that defines < has none of its own; id >> 4, as object's: ids of objects
    # are multiples of 16, and sets and dicts look at the low bits first.

    def __hash__(self) -> int:
        return id(self) >> 4

    def __lt__(self, other: object) -> bool | np.ndarray:
        return ew.compare("<", self.data, _data_of(other))

    def __le__(self, other: object) -> bool | np.ndarray:
        return ew.compare("<=", self.data, _data_of(other))

    def __gt__(self, other: object) -> bool | np.ndarray:
        return ew.compare(">", self.data, _data_of(other))

    def __ge__(self, other: object) -> bool | np.ndarray:
        return ew.compare(">=", self.data, _data_of(other))

    # ----------------------------------------------------------------- conveniences

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
        """The data as a Python float (a batch of one sample is allowed).

        >>> Value(2).item()
        2.0
        """
        x = self.data
        if type(x) is float:
            return x
        if x.size != 1:
            raise ValueError(f"item() needs one value, this node holds a batch of {x.size}")
        return float(x.flat[0])

    def __float__(self) -> float:
        """``float(Value(2.5)) == 2.5``; a batch of more than one sample is an error."""
        return self.item()

    def __bool__(self) -> bool:
        """True when the number is not 0, as ``bool(float)``; ambiguous for a batch."""
        x = self.data
        if type(x) is not float:
            raise ValueError(
                f"the truth value of a batch of {len(x)} samples is ambiguous: "
                "compare .data with .all() or .any()"
            )
        return bool(x)

    def element(self, k: int, label: str = "") -> Value:
        """A view of number ``k`` (row by row) of this block: a leaf whose data and grad are
        that number of the block's, read and written there (a Layer's ``neuron.w[i]``).

        >>> w = block([[1.0, 2.0], [3.0, 4.0]], label="W")
        >>> v = w.element(2, label="w10"); v.data = 5.0
        >>> w.data.tolist(), v.base is w, v.base_index
        ([[1.0, 2.0], [5.0, 4.0]], True, 2)
        """
        view = Value(0.0, label)
        make_view(view, self, k)
        return view

    def __deepcopy__(self, memo: dict[int, Any]) -> Value:
        """copy.deepcopy(model) works, as in PyTorch: a copy of a node is a leaf with its
        numbers; a view's copy views the copy of its block."""
        more = self._more
        if more is not None and more.base is not None:
            copied = more.base.__deepcopy__(memo)  # type: ignore[attr-defined]
            view = copied.element(more.index, self.label)
        elif more is not None and more.flat is not None:  # a block
            if id(self) in memo:
                return memo[id(self)]  # type: ignore[no-any-return]
            view = block(more.array, self.label)  # type: ignore[arg-type]
            grad = self._own_grad()
            view._set_own_grad(None if grad is None else np.array(grad))
            memo[id(self)] = view
        else:
            view = Value(self.data.copy() if isinstance(self.data, np.ndarray) else self.data)
            view.label, view.grad = self.label, _copied(self.grad)
        view.scope = self.scope
        return view

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        x = self.data
        if type(x) is float:
            grad = self.grad
            return f"Value(data={x:.6g}, grad={'None' if grad is None else ew.fmt(grad)}{label})"
        return f"Value(batch of {len(x)}, data[0]={x.flat[0]:.6g}{label})"


def block(array: Any, label: str = "") -> Value:
    """A leaf holding a matrix of parameters (a Layer's weights, or its biases as one row):
    the fused layer and L2 read it whole, its ``element(k)`` views are its numbers one by
    one, and its gradient is one matrix. (A 1-D array is a batch; a block is 2-D.)

    >>> w = block(np.zeros((2, 3)), label="L0.W")
    >>> w.data.shape, w.label, w.parents
    ((2, 3), 'L0.W', ())
    """
    array = np.asarray(array)
    if array.ndim != 2 or array.size == 0 or array.dtype.kind not in "iuf":
        raise ValueError(f"a block is a non-empty 2-D array of numbers, got {array.shape}")
    leaf = Value(0.0, label)
    make_block(leaf, array)
    return leaf


def _copied(x: Any) -> Any:
    return x.copy() if isinstance(x, np.ndarray) else x


# --------------------------------------------------------------------- the chain rule


def contribution(local: Any, upstream: Any, parent_data: Any) -> Any:
    """What one edge adds to its parent's gradient: local derivative × upstream gradient.

    When a batch flows into a parent holding one number (a weight every sample used), the
    samples' shares are added up: the weight's gradient is the sum over the batch. A
    ``LinearMap`` (a block of a fused layer's Jacobian) gives its product itself. Backward
    calls this for every edge; drawings and the step-through label edges with it.

    >>> contribution(3.0, 0.5, 2.0), contribution(np.array([1.0, 2.0]), np.array([3.0, 4.0]), 0.5)
    (1.5, 11.0)
    """
    if type(local) is float and type(upstream) is float:
        return contribution_of_numbers(local, upstream)  # the common case, first
    if isinstance(local, LinearMap):
        return local.times(upstream)
    if isinstance(local, Value) or isinstance(upstream, Value):  # a gradient built as a graph
        share = local * upstream
        return share.sum() if type(parent_data) is float and share.batch_size else share
    if type(parent_data) is float:  # sum over the batch: one dot product
        return ew.dot(local, upstream)
    if type(local) is float and local == 1.0:
        return upstream  # (+, sum): no need to multiply a whole batch by one
    return ew.mul(local, upstream)


def contribution_of_numbers(local: float, upstream: float) -> float:
    """``contribution`` when both are plain numbers: local × upstream. (Compiled, on C
    doubles: backward calls it directly for a node whose numbers sit in its own fields.)
    ``contribution_of_numbers(3.0, 0.5) == 1.5``"""
    return local * upstream


@mypyc_attr(allow_interpreted_subclasses=True)  # fused.py's blocks are ordinary classes
class LinearMap:
    """A local derivative too big to write as numbers: a block of a Jacobian (a fused
    layer's, ``autograd/fused.py``), given as the product it takes part in.

    ``times(upstream)`` is the parent's share, upstream × local, computed without forming
    the block (one vector-Jacobian product). Drawings write "block of J" for it.
    """

    def times(self, upstream: Any) -> Any:
        """The share of the parent this block belongs to, for the gradient ``upstream``."""
        raise NotImplementedError


# --------------------------------------------------------------------- graph functions


def activate(x: Value, f: Activation) -> Value:
    """f(x) as one node, with f's local derivative (an entry of ``activations.ACTIVATIONS``);
    the identity ("linear") makes no node.

    >>> activate(Value(-1.0), act.RELU).data, activate(Value(2.0), act.LINEAR).op
    (0.0, '')
    """
    if f is act.LINEAR:
        return x
    if x._is_number():  # (unboxed)
        number = x._number
        result = f.forward_number(number)
        return _numbers(
            result, f.name, x, None, f.derivative_number(number, result), 0.0, f.parameter
        )
    data = x.data
    if type(data) is float:
        out = f.forward(data)
        local = f.derivative(data, out)
    else:
        out = ew.on_arrays(f.forward, data)
        local = ew.on_arrays(f.derivative, data, out)
    return _result(out, f.name, x, None, local, constant=f.parameter)


def visiting_order(root: Value) -> list[Value]:
    """The op nodes in the order ``backward()`` visits them: root first, each before the
    nodes it was made from (a leaf root: itself alone). The step-through replays this order.

    >>> a = Value(1.0); b = a * 2; c = b + a
    >>> [n.op for n in visiting_order(c)]
    ['+', '*2']
    """
    with ONE_BACKWARD_AT_A_TIME:  # the search counts in the nodes: not beside a backward
        nodes, leaves = reverse_order(root)
    return nodes or leaves  # type: ignore[return-value]


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, each after all of its parents (root last).

    Iterative depth-first search with an explicit stack, so a chain a million nodes deep
    needs no recursion. A node is pushed twice: once to visit it, and once more under a
    ``None`` marker that says "its parents are all placed: place it". Drawings use this
    order; backward visits nodes in the same kind of order, from the root down.

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
    treat it like any other node. ``local_grads[k]`` is ∂data/∂parents[k]: a number, for a
    batch one number per sample, or a ``LinearMap``.

    >>> x = Value(2.0)
    >>> cube = op_result(x.data**3, "cube", (x,), (3 * x.data**2,))
    >>> cube.backward(); cube.op, x.grad
    ('cube', 12.0)
    """
    if not isinstance(op, str) or not op:
        raise ValueError(f"an op needs a name (a non-empty str), got {op!r}")
    if len(parents) != len(local_grads):
        raise ValueError(f"{op}: {len(parents)} parents but {len(local_grads)} local derivatives")
    for k, parent in enumerate(parents):
        if not isinstance(parent, Value):
            raise TypeError(f"{op}: parent {k} must be a Value, not {type(parent).__name__}")
    out = _matrix_or_data(data)
    locals_ = tuple([_local_grad(x) for x in local_grads])
    c = None if constant is None else _number_operand(constant)
    return _result_of_many(out, op, tuple(parents), locals_, c)


def expand(root: Value) -> tuple[Value, dict[Value, Any]]:
    """root's graph with every node that stands for many ops (a fused layer) replaced by
    those ops, node by node (``node.EXPANSIONS``, which ``fused.py`` fills), and what stands
    for each node of it (a node; or, for a node with many outputs, one node per output);
    root itself and {} when there is none. Leaves are the originals; each copy gets its
    original's data, label, scope and grad.

    >>> x = Value(2.0); y = x * x
    >>> expand(y) == (y, {})
    True
    """
    order = topological_order(root)
    if not any(node.kind in EXPANSIONS for node in order):
        return root, {}
    copies: dict[Value, Any] = {}  # a Value, None, or a list (one node per output)
    with enable_grad():  # the copies must record their parents, whatever the mode
        for node in order:
            expand = EXPANSIONS.get(node.kind)
            if not node.parents:
                copies[node] = node
            elif expand is not None:
                copies[node] = expand(node, copies)  # None: others stand for it
            else:
                parents = tuple([_copy_of(p, copies) for p in node.parents])
                if not all(isinstance(p, Value) for p in parents):  # a list: many outputs
                    raise ValueError(
                        f"a {node.op} node uses a fused layer's matrix itself, which has no "
                        "single node to stand for it: draw it with fused_layers='collapsed'"
                    )
                copy = _result_of_many(
                    node.data, node.kind, parents, node.local_grads, node.constant
                )
                copy.label, copy.scope, copy.grad = node.label, node.scope, node.grad
                copies[node] = copy
    expanded = copies[root]
    if expanded is None:
        raise ValueError(f"the root, a {root.op} node, stands for no op of its own to draw")
    return expanded, {node: copy for node, copy in copies.items() if copy is not node}


def _copy_of(node: Node, copies: dict[Value, Any]) -> Any:
    copy = copies.get(node)  # type: ignore[call-overload]
    return node if copy is None else copy  # type: ignore[return-value]


# --------------------------------------------------------------------- threads
# Backward passes take turns, whichever threads call them: leaves that several graphs
# share (a model's weights) then add up every pass's share exactly, as PyTorch promises
# for concurrent backward calls. Threads build graphs at the same time freely. Not safe,
# as in PyTorch: changing a leaf's data or grad (an optimizer step, zero_grad) while another
# thread differentiates a graph that uses it: that pass reads whichever number is there.
# Two threads may even differentiate graphs that share intermediate nodes: each pass sets
# those nodes' gradients in turn, so they hold the later pass's (leaves hold the sum).

ONE_BACKWARD_AT_A_TIME: Final = threading.RLock()  # re-entrant: grad() calls backward()


# --------------------------------------------------------------------- backward, unboxed


def _hand_on_numbers(graph: BackwardPass, node: Value) -> None:
    """backward()'s loop for a node that holds its gradient, its operands and their local
    derivatives as plain numbers in its own fields (node.py): the same chain rule, by
    contribution_of_numbers, on numbers never boxed (compiled: several times faster)."""
    upstream = node._grad
    graph.add_number(node._a, contribution_of_numbers(node._da, upstream))  # type: ignore[arg-type]
    if node._b is not None:
        graph.add_number(node._b, contribution_of_numbers(node._db, upstream))


# --------------------------------------------------------------------- making nodes
# How a node stores what an op gives it: node.py.


def _result(
    data: Data,
    op: str,
    a: Value,
    b: Value | None,
    da: Data,
    db: Data = 0.0,
    constant: Data | None = None,
) -> Value:
    """The node an op with one or two operands returns: numbers in the node's own fields."""
    if type(data) is float and type(da) is float and type(db) is float:
        return Value(data, "", op, a, b, da, db, None, constant)
    parents = (a,) if b is None else (a, b)
    local_grads = (da,) if b is None else (da, db)
    return _result_of_many(data, op, parents, local_grads, constant)


def _numbers(
    data: float,
    op: str,
    a: Value,
    b: Value | None,
    da: float,
    db: float = 0.0,
    constant: float | None = None,
) -> Value:
    """_result for an op on plain numbers, computed unboxed (compiled: C doubles)."""
    return Value(None, "", op, a, b, da, db, None, constant, data)


def _result_of_many(
    data: Data,
    op: str,
    parents: tuple[Value, ...],
    local_grads: tuple[Any, ...],
    constant: Data | None = None,
) -> Value:
    """The node of an op whose data, operands or local derivatives do not all fit in the
    node's own fields: they go into its side record."""
    more = More()
    more.parents, more.local_grads = parents, local_grads
    if type(data) is not float:
        more.array = data  # type: ignore[assignment]  # not a float: an array
    return Value(data, "", op, parents[0] if parents else None, None, 0.0, 0.0, more, constant)


def _local_grad(x: object) -> Any:
    """A local derivative as op_result takes it: a number first (most are), a LinearMap or
    a Value as it is, else data (a batch, or a matrix)."""
    if type(x) is float or isinstance(x, (LinearMap, Value)):
        return x
    return _matrix_or_data(x)


def _matrix_or_data(x: object) -> Data:
    """A matrix (a block's, or a fused layer's data), or what a Value may hold."""
    if type(x) is float:
        return x  # type: ignore[return-value]
    if isinstance(x, _ARRAY) and x.ndim == 2 and x.dtype.kind in "iuf":
        return np.asarray(x, dtype=np.float64)
    return as_data(x)


def _number_operand(x: object) -> Data:
    """A number operand (or a batch of constants), validated like Value data."""
    return x if type(x) is float else as_data(x)  # type: ignore[return-value]


def _data_of(other: object) -> Data:
    return other.data if isinstance(other, Value) else as_data(other)
