"""A layer of neurons on a batch, as one matrix product: one node, one vector-Jacobian product.

On a batch, a ``Layer`` of ``nout`` neurons reading ``nin`` inputs would make
``nout · (nin + 2)`` nodes, each with a numpy call forward and one per edge backward. Fused,
it makes one node for the whole layer, whose data is the (samples × nout) matrix of the
neurons' outputs, ``act(X · Wᵀ + b)``, and one node per neuron that is a column of it. What a
learner sees stays as it was: every weight and bias is still its own scalar Value (so
``parameters()``, ``.grad``, the optimizers and ``state_dict`` are unchanged), and every
neuron's output is still a batch Value.

Backward is still the chain rule. The layer node's parents are the weights (row by row), the
biases and the inputs; its local derivatives on those edges are blocks of one Jacobian that
is never built: ``LinearMap``s (engine.py), each handing out its share of one
vector-Jacobian product. Given the upstream gradient G (samples × nout), dZ = G ⊙ act'(Z):

    ∂L/∂W = dZᵀ · X,   ∂L/∂b = Σ_samples dZ,   ∂L/∂X = dZ · W

three matrix products for the whole layer, computed once and handed out edge by edge.

>>> import numpy as np
>>> from autograd import Value
>>> w, b = [[Value(1.0), Value(2.0)]], [Value(0.5)]
>>> x = [Value(np.array([1.0, 0.0])), Value(np.array([1.0, 1.0]))]
>>> node = layer_node(w, b, x, "relu")
>>> (out,) = columns(node, ["N0"])          # neuron 0: relu(1·x0 + 2·x1 + 0.5)
>>> out.data, is_fused_layer(node), len(node.parents)
(array([3.5, 2.5]), True, 5)
>>> out.sum().backward()
>>> w[0][0].grad, w[0][1].grad, b[0].grad, x[1].grad
(1.0, 2.0, 2.0, array([2., 2.]))

For drawings and for gradients built as graphs (``create_graph=True``), a fused layer
expands into its neurons, node by node (``expanded``): importing this module registers how.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain

import numpy as np

from autograd import activations
from autograd import elementwise as ew
from autograd.blas import matmul
from autograd.combine import sum_of
from autograd.engine import (
    LinearMap,
    Value,
    activate,
    contribution,
    expand,
    op_result,
    scope,
)
from autograd.node import EXPANSIONS

Matrix = np.ndarray
LAYER, COLUMN = "layer", "column"  # the ops' names: what drawings print


def layer_node(
    weights: list[list[Value]], biases: list[Value], inputs: list[Value], activation: str
) -> Value:
    """One node for ``len(biases)`` neurons on a batch: data (samples × neurons).

    ``weights[j][i]`` is neuron j's weight on input i; an input is a batch Value or a number
    (the same for every sample). ``columns(node, scopes)`` are the neurons' outputs.
    """
    f = activations.ACTIVATIONS[activation]
    samples = next(len(v.data) for v in inputs if v.batch_size is not None)
    x = np.empty((samples, len(inputs)))  # samples × inputs (a number fills its column)
    for i, v in enumerate(inputs):
        x[:, i] = v.data
    w = np.array([[p.data for p in row] for row in weights])  # neurons × inputs
    with np.errstate(all="ignore"):  # IEEE results, no warnings
        z = matmul(x, w.T) + np.array([p.data for p in biases])
        a = f.forward(z)
        slope = f.derivative(z, a)
    numbers = [v.batch_size is None for v in inputs]  # their gradient: summed over samples
    product = _LayerProduct(x, w, slope, numbers, activation)
    parents = (*chain.from_iterable(weights), *biases, *inputs)
    shares = tuple(_Share(product, k) for k in range(len(parents)))
    return op_result(a, LAYER, parents, shares)


def columns(fused: Value, scopes: list[str]) -> list[Value]:
    """The outputs of a fused layer node, one batch Value per neuron as without fusing,
    each in its neuron's scope (set here: a ``scope()`` block per neuron would cost more)."""
    outputs = []
    matrix = fused.data
    for j, name in enumerate(scopes):
        out = op_result(matrix[:, j], COLUMN, (fused,), (_Column(j, matrix.shape),))
        out.scope = f"{out.scope}.{name}" if out.scope else name
        outputs.append(out)
    return outputs


def is_fused_layer(node: Value) -> bool:
    """True for the one node a Layer makes on a batch (``layer_node``).

    >>> import numpy as np
    >>> from autograd import nn
    >>> out = nn.Layer(2, 1, seed=0)(np.ones((3, 2)))[0]
    >>> is_fused_layer(out), is_fused_layer(out.parents[0])
    (False, True)
    """
    locals_ = node.local_grads
    return bool(locals_) and isinstance(locals_[0], _Share)


def has_fused_layers(nodes: Iterable[Value]) -> bool:
    """True when any of ``nodes`` is a fused layer (drawings then expand or collapse it)."""
    return any(is_fused_layer(node) for node in nodes)


class _LayerProduct:
    """The vector-Jacobian product of one fused layer, computed once per upstream gradient
    and handed out edge by edge, in the order of the layer node's parents."""

    __slots__ = ("activation", "last_shares", "last_upstream", "numbers", "slope", "w", "x")

    def __init__(
        self, x: Matrix, w: Matrix, slope: object, numbers: list[bool], activation: str
    ) -> None:
        self.x, self.w, self.slope, self.numbers = x, w, slope, numbers
        self.activation = activation
        self.last_upstream: Matrix | None = None
        self.last_shares: list = []

    def shares(self, upstream: Matrix) -> list:
        if upstream is not self.last_upstream:
            dz = ew.on_arrays(np.multiply, upstream, self.slope)  # samples × neurons
            d_weights = matmul(dz.T, self.x).ravel().tolist()  # a number per weight: Σ samples
            d_biases = dz.sum(axis=0).tolist()
            d_inputs = [
                float(d.sum()) if number else d
                for d, number in zip(matmul(dz, self.w).T, self.numbers, strict=True)
            ]
            self.last_shares = [*d_weights, *d_biases, *d_inputs]
            self.last_upstream = upstream
        return self.last_shares


class _Share(LinearMap):
    """The local derivative of a fused layer on one edge: parent ``index``'s block of the
    layer's Jacobian, given as its share of the layer's vector-Jacobian product."""

    __slots__ = ("index", "product")

    def __init__(self, product: _LayerProduct, index: int) -> None:
        self.product, self.index = product, index

    def times(self, upstream: Matrix) -> object:
        return self.product.shares(upstream)[self.index]


class _Column(LinearMap):
    """The local derivative of neuron ``index``'s output: the gradient of that output goes to
    that column of the layer's gradient."""

    __slots__ = ("index", "shape")

    def __init__(self, index: int, shape: tuple[int, ...]) -> None:
        self.index, self.shape = index, shape

    def times(self, upstream: np.ndarray) -> Matrix:
        share = np.zeros(self.shape)
        share[:, self.index] = upstream
        return share


# --------------------------------------------------------------------- drawing it expanded


def expanded(root: Value) -> Value:
    """A copy of root's graph with each fused layer drawn as its neurons, node by node.

    Each neuron becomes the nodes an unfused layer makes (w·x products, their sum with the
    bias, the activation), computed by the same ops from the same weights and inputs, with
    the gradients backward() gave: the neuron's output keeps its gradient, and each node
    inside gets upstream × local, so the picture adds up as without fusing. Other nodes
    are copied as they are; leaves (weights, inputs) are the originals. For drawings and
    the step-through (``viz``); the graph itself is left as it was.

    >>> import numpy as np
    >>> from autograd import nn, topological_order
    >>> out = nn.MLP(2, [2, 1], seed=0)(np.ones((3, 2))).sum()
    >>> nodes = topological_order(expanded(out))
    >>> has_fused_layers(nodes), {"*", "sum", "relu"} <= {n.op for n in nodes}
    (False, True)
    """
    return expand(root)[0]


def _neuron(column: Value, copies: dict[Value, Value | None]) -> Value:
    """Neuron j of a fused layer as an unfused Neuron makes it, with its gradients."""
    (layer,) = column.parents
    j = column.local_grads[0].index
    product = layer.local_grads[0].product
    neurons = layer.data.shape[1]
    inputs = product.x.shape[1]
    weights = layer.parents[j * inputs : (j + 1) * inputs]
    bias = layer.parents[neurons * inputs + j]
    xs = [_copy_of(v, copies) for v in layer.parents[neurons * inputs + neurons :]]
    with scope(column.scope):
        products = [w * x for w, x in zip(weights, xs, strict=True)]
        total = sum_of([*products, bias])
        out = activate(total, activations.ACTIVATIONS[product.activation])
    out.grad = column.grad
    if out is not total and out.grad is not None:  # the activation's node: the gradient through it
        total.grad = contribution(out.local_grads[0], out.grad, total.data)
    elif out is not total:
        total.grad = None
    for p in products:
        p.grad = total.grad  # ∂sum/∂term = 1
    return out


def _copy_of(node: Value, copies: dict[Value, Value | None]) -> Value:
    copy = copies.get(node)
    return node if copy is None else copy


EXPANSIONS[LAYER] = lambda node, copies: None  # replaced by its neurons: the columns
EXPANSIONS[COLUMN] = _neuron
