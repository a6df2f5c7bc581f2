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
is never built. Each is a ``Share`` of one vector-Jacobian product: given the upstream
gradient G (samples × nout), with dZ = G ⊙ act'(Z),

    ∂L/∂W = dZᵀ · X,   ∂L/∂b = Σ_samples dZ,   ∂L/∂X = dZ · W

three matrix products for the whole layer, computed once and handed out edge by edge.

>>> import numpy as np
>>> from autograd import Value
>>> w, b = [[Value(1.0), Value(2.0)]], [Value(0.5)]
>>> x = [Value(np.array([1.0, 0.0])), Value(np.array([1.0, 1.0]))]
>>> node = layer_node(w, b, x, "relu")
>>> (out,) = columns(node, ["N0"])          # neuron 0: relu(1·x0 + 2·x1 + 0.5)
>>> out.data, node.op, len(node.parents)
(array([3.5, 2.5]), 'layer', 5)
>>> out.sum().backward()
>>> w[0][0].grad, w[0][1].grad, b[0].grad, x[1].grad
(1.0, 2.0, 2.0, array([2., 2.]))
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import chain

import numpy as np

from autograd import elementwise as ew
from autograd import ieee
from autograd.blas import matmul
from autograd.engine import (
    Column,
    Value,
    _node,
    contribution,
    enable_grad,
    scope,
    shares_of,
    sum_of,
    topological_order,
)

Matrix = np.ndarray

# Each activation on a matrix, with the engine's formulas (so that fused and unfused agree:
# the elementwise functions themselves, and Value.leaky_relu's and elu's written out), and
# its derivative from the pre-activation z and the output a.
ACTIVATIONS: dict[str, tuple[Callable[[Matrix], Matrix], Callable[[Matrix, Matrix], object]]] = {
    "linear": (lambda z: z, lambda z, a: 1.0),
    "relu": (ew.relu, lambda z, a: np.where(z > 0.0, 1.0, 0.0)),
    "tanh": (ew.tanh, lambda z, a: 1.0 - a * a),
    "sigmoid": (ew.sigmoid, lambda z, a: a * (1.0 - a)),
    "leaky_relu": (
        lambda z: np.where(z > 0.0, z, 0.01 * z),
        lambda z, a: np.where(z > 0.0, 1.0, 0.01),
    ),
    "elu": (
        lambda z: np.where(z > 0.0, z, np.exp(np.where(z > 0.0, 0.0, z)) - 1.0),
        lambda z, a: np.where(z > 0.0, 1.0, np.exp(np.where(z > 0.0, 0.0, z))),
    ),
}


def layer_node(
    weights: list[list[Value]], biases: list[Value], inputs: list[Value], activation: str
) -> Value:
    """One node for ``len(biases)`` neurons on a batch: data (samples × neurons).

    ``weights[j][i]`` is neuron j's weight on input i; an input is a batch Value or a number
    (the same for every sample). ``columns(node, scopes)`` are the neurons' outputs.
    """
    act, slope = ACTIVATIONS[activation]
    samples = next(len(v._data) for v in inputs if type(v._data) is not float)
    x = np.empty((samples, len(inputs)))  # samples × inputs (a number fills its column)
    for i, v in enumerate(inputs):
        x[:, i] = v._data
    w = np.array([[p._data for p in row] for row in weights])  # neurons × inputs
    z = matmul(x, w.T) + np.array([p._data for p in biases])
    a = ieee.on_batches(act, z)
    numbers = [type(v._data) is float for v in inputs]  # their gradient: summed over samples
    product = _LayerProduct(x, w, ieee.on_batches(slope, z, a), numbers, activation)
    parents = (*chain.from_iterable(weights), *biases, *inputs)
    return _node(a, "layer", parents, shares_of(product, len(parents)))


def columns(fused: Value, scopes: list[str]) -> list[Value]:
    """The outputs of a fused layer node, one batch Value per neuron as without fusing,
    each in its neuron's scope (set here: a ``scope()`` block per neuron would cost more)."""
    outputs = []
    for j, name in enumerate(scopes):
        out = _node(fused._data[:, j], "column", (fused,), (Column(j),))
        out.scope = f"{out.scope}.{name}" if out.scope else name
        outputs.append(out)
    return outputs


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
            dz = ieee.on_batches(np.multiply, upstream, self.slope)  # samples × neurons
            d_weights = matmul(dz.T, self.x).ravel().tolist()  # a number per weight: Σ samples
            d_biases = dz.sum(axis=0).tolist()
            d_inputs = [
                float(d.sum()) if number else d
                for d, number in zip(matmul(dz, self.w).T, self.numbers, strict=True)
            ]
            self.last_shares = [*d_weights, *d_biases, *d_inputs]
            self.last_upstream = upstream
        return self.last_shares


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
    >>> from autograd import nn
    >>> out = nn.MLP(2, [2, 1], seed=0)(np.ones((3, 2))).sum()
    >>> ops = {n.op for n in topological_order(expanded(out))}
    >>> "layer" in ops, {"*", "sum", "relu"} <= ops
    (False, True)
    """
    return _expand(root)[root]


def backward_unfused(root: Value, gradient: object = None) -> None:
    """``root.backward(gradient, create_graph=True)`` through fused layers: on the expanded
    graph (the same leaves), whose gradients, graphs themselves, are copied back to the
    nodes they stand for. (A matrix product's derivatives are not built as a graph.)"""
    copies = _expand(root)
    copies[root].backward(gradient, create_graph=True)
    for node, copy in copies.items():
        if copy is not node:
            node.grad = copy.grad
    for node in topological_order(root):
        if node._kind == "layer":
            node.grad = None  # not reached: its neurons were differentiated instead


def _expand(root: Value) -> dict[Value, Value]:
    """Each node of root's graph and the node that stands for it in the expanded graph."""
    order = topological_order(root)
    copies: dict[Value, Value] = {}
    if not any(node._kind == "layer" for node in order):
        return {node: node for node in order}
    with enable_grad():  # the copies must record their parents, whatever the mode
        for node in order:
            if not node.parents:
                copies[node] = node
            elif node._kind == "column":
                copies[node] = _neuron(node, copies)
            elif node._kind != "layer":  # a layer node is replaced by its neurons
                parents = tuple(copies.get(p, p) for p in node.parents)
                copy = _node(node._data, node._kind, parents, node.local_grads, node.constant)
                copy.label, copy.scope, copy.grad = node.label, node.scope, node.grad
                copies[node] = copy
    return copies


def _neuron(column: Value, copies: dict[Value, Value]) -> Value:
    """Neuron j of a fused layer as an unfused Neuron makes it, with its gradients."""
    from autograd.nn import ACTIVATIONS  # nn builds on this module: import late

    (layer,) = column.parents
    j = column.local_grads[0].index
    product = layer.local_grads[0].product
    neurons = layer._data.shape[1]
    inputs = product.x.shape[1]
    weights = layer.parents[j * inputs : (j + 1) * inputs]
    bias = layer.parents[neurons * inputs + j]
    xs = [copies[v] for v in layer.parents[neurons * inputs + neurons :]]
    with scope(column.scope):
        products = [w * x for w, x in zip(weights, xs, strict=True)]
        total = sum_of([*products, bias])
        out = ACTIVATIONS[product.activation](total)
    out.grad = column.grad
    if out is not total:  # the activation's node: the gradient through it
        total.grad = _times(out.local_grads[0], out.grad, total._data)
    for p in products:
        p.grad = total.grad  # ∂sum/∂term = 1
    return out


def _times(local: object, upstream: object, data: object) -> object:
    return None if upstream is None else contribution(local, upstream, data)
