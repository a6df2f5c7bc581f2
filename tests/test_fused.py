"""Fused layers (autograd/fused.py): the same values and gradients as a neuron-by-neuron graph.

A Layer given a batch computes its neurons as one matrix product, one node; each neuron's
output is a column of it. Everything a learner sees must stay as it was without fusing.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, losses, nn, no_grad, optim, topological_order

ACTIVATIONS = sorted(nn.ACTIVATIONS)
TOLERANCE = 1e-12


def close(a, b) -> bool:
    return np.allclose(a, b, rtol=TOLERANCE, atol=TOLERANCE)


def run(model: nn.MLP, inputs: np.ndarray, upstream: Value | None, fuse: bool):
    """Values and gradients of a loss on the model's outputs, fused or not."""
    for layer in model.layers:
        layer.fuse = fuse
    model.zero_grad()
    x = [Value(inputs[:, i]) for i in range(inputs.shape[1])]
    hidden = [(v * 1.5).tanh() for v in x]  # inputs with a graph of their own
    outputs = model(hidden)
    outputs = outputs if isinstance(outputs, list) else [outputs]
    loss = sum((out * float(k + 1)).sin().mean() for k, out in enumerate(outputs))
    if upstream is not None:  # a weight of the loss itself: shared by the model and the loss
        loss = loss + upstream * model.parameters()[0]
    loss.backward()
    grads = [p.grad for p in model.parameters()] + [v.grad for v in x]
    return [out.data for out in outputs], loss.data, grads


@settings(max_examples=60, deadline=None)
@given(
    nin=st.integers(1, 4),
    nouts=st.lists(st.integers(1, 5), min_size=1, max_size=3),
    activation=st.sampled_from(ACTIVATIONS),
    last=st.sampled_from(ACTIVATIONS),
    samples=st.integers(1, 7),
    seed=st.integers(0, 2**16),
)
def test_fused_and_unfused_layers_give_the_same_values_and_gradients(
    nin, nouts, activation, last, samples, seed
):
    model = nn.MLP(nin, nouts, activation=activation, last_activation=last, seed=seed)
    inputs = np.random.default_rng(seed).normal(size=(samples, nin))
    fused = run(model, inputs, Value(0.3), fuse=True)
    unfused = run(model, inputs, Value(0.3), fuse=False)
    for a, b in zip(fused[0], unfused[0], strict=True):
        assert close(a, b)
    assert close(fused[1], unfused[1])
    for a, b in zip(fused[2], unfused[2], strict=True):
        assert close(a, b)


def test_a_batch_makes_one_layer_node_and_a_sample_makes_the_neurons_as_before():
    model = nn.MLP(2, [3, 1], seed=0)
    batch = model(np.ones((4, 2)))
    kinds = [node.op for node in topological_order(batch)]
    assert kinds.count("layer") == 2 and "sum" not in kinds
    layer_node = batch.parents[0]
    assert layer_node.op == "layer" and layer_node.data.shape == (4, 1)
    assert layer_node.scope == "L1" and batch.scope == "L1.N0"  # drawings still cluster them
    one = model([1.0, 1.0])  # one sample: the lesson's graph, neuron by neuron
    assert "layer" not in {node.op for node in topological_order(one)}


def test_what_a_learner_sees_is_unchanged_parameters_optimizers_state_dict():
    fused, unfused = nn.MLP(2, [4, 1], seed=1), nn.MLP(2, [4, 1], seed=1, fuse=False)
    x = np.random.default_rng(0).normal(size=(8, 2))
    y = np.sign(x[:, 0])
    for model in (fused, unfused):
        opt = optim.SGD(model.parameters(), lr=0.1)
        for _ in range(3):
            opt.zero_grad()
            loss = losses.hinge(model(x), y) + 1e-3 * losses.l2(model)
            loss.backward()
            opt.step()
    assert [p.label for p in fused.parameters()] == [p.label for p in unfused.parameters()]
    a, b = fused.state_dict(), unfused.state_dict()
    assert a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)


def test_no_grad_and_numbers_among_the_inputs():
    layer = nn.Layer(3, 2, activation="tanh", seed=0)
    x = [Value(np.array([1.0, 2.0])), Value(0.5), Value(np.array([-1.0, 0.0]))]
    with no_grad():
        out = layer(x)
    assert out[0].parents == () and out[0].batch_size == 2
    out = layer(x)
    (out[0] + out[1]).sum().backward()
    expected = nn.Layer(3, 2, activation="tanh", seed=0)
    expected.fuse = False
    x2 = [Value(np.array([1.0, 2.0])), Value(0.5), Value(np.array([-1.0, 0.0]))]
    e = expected(x2)
    (e[0] + e[1]).sum().backward()
    assert type(x[1].grad) is float and close(x[1].grad, x2[1].grad)
    assert close(x[0].grad, x2[0].grad)


def test_second_derivatives_through_fused_layers_equal_the_unfused_ones():
    from autograd import grad

    results = []
    for fuse in (True, False):
        model = nn.MLP(2, [3, 1], activation="tanh", seed=0, fuse=fuse)
        w = model.parameters()
        loss = (model(np.array([[0.5, -1.0], [2.0, 0.3], [0.1, 0.1]])) ** 2).mean()
        first = grad(loss, w, create_graph=True)
        second = grad(first[0], w)  # a row of the Hessian
        loss.backward(create_graph=True)
        results.append(([g.data for g in first], second, [p.grad.data for p in w]))
    for a, b in zip(*results, strict=True):
        assert all(close(x, y) for x, y in zip(a, b, strict=True))


# ---------------------------------------------------------------- drawing it


def fused_and_unfused(samples: int = 4):
    roots = []
    for fuse in (True, False):
        model = nn.MLP(3, [4, 2], activation="tanh", last_activation="sigmoid", seed=3, fuse=fuse)
        x = np.random.default_rng(0).normal(size=(samples, 3))
        outs = model(x)
        root = (outs[0] * outs[1]).mean()
        root.backward()
        roots.append(root)
    return roots


def test_a_fused_graph_expanded_is_the_unfused_graph_with_its_gradients():
    """The picture adds up: every node of the expanded drawing holds the data and gradient
    the unfused graph has, op for op, in the same order."""
    from autograd.fused import expanded

    fused_root, unfused_root = fused_and_unfused()
    drawn, reference = topological_order(expanded(fused_root)), topological_order(unfused_root)
    assert [n.op for n in drawn] == [n.op for n in reference]
    for a, b in zip(drawn, reference, strict=True):
        assert a.label == b.label and a.scope == b.scope
        assert close(a.data, b.data) and close(a.grad, b.grad)


def test_drawings_and_the_step_through_show_a_fused_layer_expanded_or_collapsed():
    from viz import backward_steps, draw

    fused_root, unfused_root = fused_and_unfused()
    expanded_source = draw(fused_root, collapse_neurons=False).source
    assert "layer" not in expanded_source and "block of J" not in expanded_source
    collapsed_source = draw(fused_root, fused_layers="collapsed").source
    assert "layer" in collapsed_source and "block of J" in collapsed_source
    assert len(backward_steps(fused_root)) == len(backward_steps(unfused_root))
    collapsed = backward_steps(fused_root, fused_layers="collapsed")
    assert [frame.node.op for frame in collapsed].count("layer") == 2
    with pytest.raises(ValueError, match="fused_layers"):
        draw(fused_root, fused_layers="folded")


def test_matrix_products_on_one_thread_give_the_product_and_put_the_threads_back():
    from autograd import blas

    rng = np.random.default_rng(0)
    before = [library.num_threads for library in blas._blas_libraries()]
    for shape in [(4, 5, 6), (40, 65, 256)]:  # below and above where BLAS splits a product
        m, k, n = shape
        a, b = rng.normal(size=(m, k)), rng.normal(size=(k, n))
        np.testing.assert_array_equal(blas.matmul(a, b), a @ b)
    assert [library.num_threads for library in blas._blas_libraries()] == before
