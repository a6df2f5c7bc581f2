"""A layer of neurons on a batch, as one matrix product: one node, one vector-Jacobian product.

On a batch, a ``Layer`` of ``nout`` neurons reading ``nin`` inputs would make
``nout · (nin + 2)`` nodes, each with a numpy call forward and one per edge backward. Fused,
it makes one node for the whole layer, whose data is the (samples × nout) matrix of the
neurons' outputs, ``act(X · Wᵀ + b)``. Its parents are the layer's weights W and biases b
(two blocks: ``engine.block``, whose views are the neurons' ``w[i]`` and ``b``) and its
inputs: the previous layer's node, whose data is X, or one batch Value per input.

Backward is still the chain rule. The node's local derivatives are blocks of one Jacobian
that is never built: ``LinearMap``s (engine.py), each handing its parent its share of one
vector-Jacobian product. Given the upstream gradient G (samples × nout), dZ = G ⊙ act'(Z):

    ∂L/∂W = dZᵀ · X,   ∂L/∂b = Σ_samples dZ,   ∂L/∂X = dZ · W

three matrix products for the whole layer; W and b each get one matrix.

>>> import numpy as np
>>> from autograd import Value
>>> from autograd.engine import block
>>> w, b = block([[1.0, 2.0]]), block([[0.5]])
>>> x = [Value(np.array([1.0, 0.0])), Value(np.array([1.0, 1.0]))]
>>> node = layer_node(w, b, x, "relu", [([w.element(0), w.element(1)], b.element(0))])
>>> out = Units(node, ["N0"])[0]            # neuron 0: relu(1·x0 + 2·x1 + 0.5)
>>> out.data, is_fused_layer(node), len(node.parents)
(array([3.5, 2.5]), True, 4)
>>> out.sum().backward()
>>> w.grad.tolist(), b.grad.tolist(), x[1].grad
([[1.0, 2.0]], [[2.0]], array([2., 2.]))

For drawings and for gradients built as graphs (``create_graph=True``), a fused layer
expands into its neurons, node by node, the neurons' ``w[i]`` views its weights
(``expanded``): importing this module registers how.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, overload

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
    enable_grad,
    expand,
    no_grad,
    op_result,
    scope,
)
from autograd.node import EXPANSIONS

Matrix = np.ndarray
Neuron = tuple[list[Value], Value]  # a neuron's weights (views of W) and bias (a view of b)
LAYER, COLUMN = "layer", "column"  # the ops' names: what drawings print


def layer_node(
    weight: Value,
    bias: Value,
    inputs: Sequence[Value] | Value,
    activation: str,
    neurons: list[Neuron],
) -> Value:
    """One node for a layer's neurons on a batch: data (samples × neurons).

    ``weight`` is the block W (neurons × inputs), ``bias`` the block b (1 × neurons);
    ``inputs`` the previous fused layer's node, or one Value per input (a batch, or a number
    the same for every sample). ``neurons`` are the views that stand for W and b neuron by
    neuron, for drawings (``expanded``). ``Units(node, scopes)`` are the neurons' outputs.
    """
    f = activations.ACTIVATIONS[activation]
    if isinstance(inputs, Value):  # the previous layer's matrix, as it is
        x, numbers, parents = inputs.data, None, (weight, bias, inputs)
    else:
        samples = next(len(v.data) for v in inputs if v.batch_size is not None)
        x = np.empty((samples, len(inputs)))  # samples × inputs (a number fills its column)
        for i, v in enumerate(inputs):
            x[:, i] = v.data
        numbers = [v.batch_size is None for v in inputs]  # their gradient: summed over samples
        parents = (weight, bias, *inputs)
    w = weight.data.copy()  # as it is now: an optimizer step before backward changes W
    with np.errstate(all="ignore"):  # IEEE results, no warnings
        z = matmul(x, w.T) + bias.data
        a = f.forward(z)
        slope = f.derivative(z, a)
    product = _LayerProduct(x, w, slope, numbers, activation, neurons)
    shares = tuple(_Share(product, k) for k in range(len(parents)))
    return op_result(a, LAYER, parents, shares)


class Units(Sequence[Value]):
    """A fused layer's outputs, one batch Value per neuron (a column of the layer's node,
    in its scope ``scopes[j]``), made when first read: the next fused layer reads the node
    itself, so a hidden layer adds no node per neuron to the graph.

    >>> import numpy as np
    >>> from autograd import nn
    >>> from autograd import Value
    >>> layer, x = nn.Layer(2, 3, seed=0), [Value(np.ones(4)), Value(np.ones(4))]
    >>> outs = Units(layer_node(layer.weight, layer.bias, x, "relu", []), ["N0", "N1", "N2"])
    >>> len(outs), outs[2].scope, outs[2].data.shape, is_fused_layer(outs.node)
    (3, 'N2', (4,), True)
    """

    def __init__(self, node: Value, scopes: list[str]) -> None:
        self.node, self.scopes = node, scopes
        self._columns: list[Value | None] = [None] * len(scopes)

    def __len__(self) -> int:
        return len(self.scopes)

    @overload
    def __getitem__(self, j: int) -> Value: ...

    @overload
    def __getitem__(self, j: slice) -> list[Value]: ...

    def __getitem__(self, j: int | slice) -> Value | list[Value]:
        if isinstance(j, slice):
            return [self[k] for k in range(len(self))[j]]
        column = self._columns[j]
        if column is None:
            matrix = self.node.data
            with enable_grad() if self.node.parents else no_grad():  # as the layer was made
                column = op_result(matrix[:, j], COLUMN, (self.node,), (_Column(j, matrix.shape),))
            column.scope = self.scopes[j]
            self._columns[j] = column
        return column

    def __iter__(self) -> Iterator[Value]:
        return (self[j] for j in range(len(self)))

    def __repr__(self) -> str:
        return f"<the {len(self)} outputs of a fused layer>"


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
    and handed out edge by edge: W's, b's, then the inputs'."""

    def __init__(
        self,
        x: Matrix,
        w: Matrix,
        slope: Any,
        numbers: list[bool] | None,
        activation: str,
        neurons: list[Neuron],
    ) -> None:
        self.x, self.w, self.slope, self.numbers = x, w, slope, numbers
        self.activation, self.neurons = activation, neurons
        self.last_upstream: Matrix | None = None
        self.last_shares: list[Any] = []

    def shares(self, upstream: Matrix) -> list[Any]:
        if upstream is not self.last_upstream:
            dz = ew.on_arrays(np.multiply, upstream, self.slope)  # samples × neurons
            d_inputs = matmul(dz, self.w)  # samples × inputs
            shares: list[Any] = [matmul(dz.T, self.x), np.add.reduce(dz, 0, keepdims=True)]
            if self.numbers is None:  # the previous layer's node: one matrix
                shares.append(d_inputs)
            else:  # one column per input; a number's, summed over the samples
                columns = d_inputs.T
                shares += [
                    float(c.sum()) if number else c
                    for c, number in zip(columns, self.numbers, strict=True)
                ]
            self.last_shares, self.last_upstream = shares, upstream
        return self.last_shares


class _Share(LinearMap):
    """The local derivative of a fused layer on one edge: parent ``index``'s block of the
    layer's Jacobian, given as its share of the layer's vector-Jacobian product."""

    __slots__ = ("index", "product")

    def __init__(self, product: _LayerProduct, index: int) -> None:
        self.product, self.index = product, index

    def times(self, upstream: Matrix) -> Any:
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
    bias, the activation) from the same weights (the neurons' views of W and b) and inputs,
    with the gradients backward() gave: the neuron's output gets its column of the layer's
    gradient, and each node inside gets upstream × local, so the picture adds up as
    without fusing. Other nodes are copied as they are; leaves are the originals. For
    drawings and the step-through (``viz``); the graph itself is left as it was.

    >>> import numpy as np
    >>> from autograd import nn, topological_order
    >>> out = nn.MLP(2, [2, 1], seed=0)(np.ones((3, 2))).sum()
    >>> nodes = topological_order(expanded(out))
    >>> has_fused_layers(nodes), {"*", "sum", "relu"} <= {n.op for n in nodes}
    (False, True)
    """
    return expand(root)[0]


def _neurons(layer: Value, copies: dict[Value, Any]) -> list[Value]:
    """The fused layer's neurons as an unfused Layer makes them, with their gradients."""
    product: _LayerProduct = layer.local_grads[0].product
    upstream = layer.grad  # a matrix; after backward(create_graph=True), one Value a neuron
    if product.numbers is None:
        xs = copies[layer.parents[2]]  # the previous layer's neurons
    else:
        xs = [_copy_of(v, copies) for v in layer.parents[2:]]
    f = activations.ACTIVATIONS[product.activation]
    outs = []
    for j, (weights, bias) in enumerate(product.neurons):
        with scope(bias.scope):
            terms = [w * x for w, x in zip(weights, xs, strict=True)]
            total = sum_of([*terms, bias])
            out = activate(total, f)
        if upstream is None or isinstance(upstream, list):
            out.grad = None if upstream is None else upstream[j]
        else:
            out.grad = upstream[:, j].copy()
        if out is not total:  # the activation's node: the gradient through it
            through = out.grad is not None
            total.grad = contribution(out.local_grads[0], out.grad, total.data) if through else None
        for term in terms:
            term.grad = total.grad  # ∂sum/∂term = 1
        outs.append(out)
    return outs


def _copy_of(node: Value, copies: dict[Value, Any]) -> Value:
    copy = copies.get(node)
    return node if copy is None else copy


EXPANSIONS[LAYER] = _neurons  # one node per neuron: the columns pick theirs
EXPANSIONS[COLUMN] = lambda column, copies: copies[column.parents[0]][column.local_grads[0].index]
