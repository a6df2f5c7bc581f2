"""Blocks and their views (engine.block, Value.element): a Layer's weights live in arrays.

A Layer holds its weights as one block W (nout × nin) and its biases as one block b; the
``neuron.w[i]`` and ``neuron.b`` a learner reads are views of numbers of those blocks. A
view must behave as the plain scalar Value it stands for in everything a learner does
(data, grad, backward, second derivatives, optimizers, deepcopy, saving), while a fused
layer, L2 and the optimizers read the blocks whole.
"""

import copy

import numpy as np
import pytest

from autograd import Value, functional, grad, losses, nn, optim, topological_order
from autograd.engine import block


def a_block():
    return block([[1.0, 2.0], [3.0, 4.0]], label="W")


# ---------------------------------------------------------------- data and grad


def test_a_view_reads_and_writes_its_number_of_the_block():
    w = a_block()
    views = [w.element(k) for k in range(4)]
    assert [v.data for v in views] == [1.0, 2.0, 3.0, 4.0]
    views[1].data = -5.0
    assert w.data.tolist() == [[1.0, -5.0], [3.0, 4.0]]
    w.data[1, 0] = 7.0  # and the other way: the block is the truth
    assert views[2].data == 7.0
    assert all(v.base is w for v in views) and [v.base_index for v in views] == [0, 1, 2, 3]
    assert all(v.parents == () for v in views)  # views are leaves


def test_backward_through_views_gives_the_block_one_matrix_gradient():
    w = a_block()
    a, b, c, _ = (w.element(k) for k in range(4))
    (a * b + c).backward()
    assert w.grad.tolist() == [[2.0, 1.0], [1.0, 0.0]]  # the unused number: 0, as a tensor's
    assert (a.grad, b.grad, c.grad) == (2.0, 1.0, 1.0)
    (a * b).backward()  # gradients add up across passes, as for plain leaves
    assert w.grad.tolist() == [[4.0, 2.0], [1.0, 0.0]]


def test_a_blocks_gradient_is_all_or_nothing():
    w = a_block()
    a, b = w.element(0), w.element(1)
    assert a.grad is None and w.grad is None  # before any backward
    (a * 3.0).backward()
    a.grad = None  # forgetting one view's gradient forgets the block's, as for a tensor
    assert w.grad is None and b.grad is None
    b.grad = 0  # micrograd's zero_grad writes 0: the block gets a matrix of zeros
    assert w.grad.tolist() == [[0.0, 0.0], [0.0, 0.0]] and a.grad == 0.0


def test_views_give_the_same_gradients_and_hessian_as_plain_scalars():
    def f(x, y, z):
        return (x * y).tanh() * z + x**3 - (y / z).exp()

    numbers = [0.3, -0.7, 1.4]
    w = block([numbers])
    views = [w.element(k) for k in range(3)]
    plain = [Value(x) for x in numbers]
    assert grad(f(*views), views) == grad(f(*plain), plain)
    hessian_of_views = functional.hessian(f, views)
    np.testing.assert_array_equal(hessian_of_views, functional.hessian(f, plain))
    assert hessian_of_views[0, 0] != 0.0  # x³ alone makes it nonzero: a real check


def test_a_view_of_a_number_outside_the_block_is_an_error():
    with pytest.raises(IndexError, match="a block of 4 numbers has no number 4"):
        a_block().element(4)
    with pytest.raises(TypeError, match="only a block"):
        Value(1.0).element(0)


@pytest.mark.parametrize("bad", [[1.0, 2.0], [[]], [["a"]], np.zeros((2, 2, 2))])
def test_a_block_is_a_non_empty_2d_array_of_numbers(bad):
    with pytest.raises(ValueError, match="a block is a non-empty 2-D array of numbers"):
        block(bad)


# ---------------------------------------------------------------- a Layer's blocks


def test_a_layers_parameters_are_views_of_its_blocks():
    layer = nn.Layer(3, 2, seed=0)
    assert layer.weight.data.shape == (2, 3) and layer.bias.data.shape == (1, 2)
    neuron = layer.neurons[1]
    assert [w.base for w in neuron.w] == [layer.weight] * 3 and neuron.b.base is layer.bias
    neuron.w[2].data = 9.0
    assert layer.weight.data[1, 2] == 9.0
    assert [b.label for b in layer.blocks()] == ["L0.W", "L0.bias"]


def test_a_batch_gives_each_block_one_matrix_and_the_graph_stays_small():
    model = nn.MLP(2, [16, 16, 1], seed=0)
    x = np.random.default_rng(0).normal(size=(50, 2))
    loss = (model(x) ** 2).mean()
    loss.backward()
    assert len(model.parameters()) == 337
    assert len(topological_order(loss)) < 20  # not one node per weight and sample
    for layer in model.layers:
        assert layer.weight.grad.shape == layer.weight.data.shape
        assert layer.bias.grad.shape == layer.bias.data.shape
    # and each view's gradient is the sum over the samples of its per-sample gradient
    per_sample = nn.MLP(2, [16, 16, 1], seed=0)
    sum(per_sample(row) ** 2 for row in x.tolist()).backward()
    expected = [p.grad / len(x) for p in per_sample.parameters()]
    np.testing.assert_allclose([p.grad for p in model.parameters()], expected, rtol=1e-12)


def test_a_loss_of_a_batch_and_a_single_sample_adds_both_gradients():
    model = nn.MLP(2, [3, 1], seed=1)
    batch, sample = np.array([[0.5, -1.0], [2.0, 0.3]]), [0.1, 0.7]
    grads = []
    for parts in ("batch", "sample", "both"):
        model.zero_grad()
        loss = Value(0.0)
        if parts in ("batch", "both"):
            loss = loss + model(batch).sum()
        if parts in ("sample", "both"):
            loss = loss + model(sample) * 2.0
        loss.backward()
        grads.append(np.array([p.grad for p in model.parameters()]))
    np.testing.assert_allclose(grads[2], grads[0] + grads[1], rtol=1e-12)


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01),
        lambda ps: optim.Adam(ps, lr=0.01),
    ],
)
def test_an_optimizer_on_views_steps_exactly_as_on_plain_values(make):
    """The optimizers update a block in one numpy step; the numbers must be the ones the
    update rule gives parameter by parameter on plain Values, bit for bit."""
    model = nn.MLP(2, [4, 1], seed=2)
    views = model.parameters()
    plain = [Value(p.data) for p in views]  # the same numbers, no blocks
    optimizers = make(views), make(plain)
    rng = np.random.default_rng(0)
    for step in range(5):
        model.zero_grad()
        (model(rng.normal(size=2).tolist()) ** 2).backward()  # real gradients, into blocks
        for p, q in zip(views, plain, strict=True):
            q.grad = p.grad
        for optimizer in optimizers:
            optimizer.step()
        assert [p.data for p in views] == [q.data for q in plain], f"step {step}"


def test_deepcopy_of_a_model_keeps_its_views_on_the_copys_blocks():
    model = nn.MLP(2, [3, 1], seed=0)
    twin = copy.deepcopy(model)
    assert twin.state_dict() == model.state_dict()
    twin.layers[0].neurons[0].w[0].data = 42.0
    assert twin.layers[0].weight.data[0, 0] == 42.0
    assert model.layers[0].weight.data[0, 0] != 42.0  # the original is untouched
    assert all(p.base is not None for p in twin.parameters())
    assert {id(p.base) for p in twin.parameters()}.isdisjoint(
        id(p.base) for p in model.parameters()
    )


def test_l2_of_a_model_reads_the_blocks_and_equals_the_sum_of_squares():
    model = nn.MLP(3, [4, 2], seed=0)
    penalty = losses.l2(model)
    assert len(penalty.parents) == len(model.blocks()) == 4
    assert penalty.data == pytest.approx(sum(p.data**2 for p in model.parameters()), rel=1e-12)
    penalty.backward()
    assert [p.grad for p in model.parameters()] == [2.0 * p.data for p in model.parameters()]
