"""viz.GradientFlow: per-layer gradient sizes and dead or saturated units, step by step, the
same fused or not; the plot; and the course's claim: deep sigmoid networks' first layers get
far smaller gradients than their last, ReLU networks' do not."""

from __future__ import annotations

import numpy as np
import pytest

import viz
from autograd.data import make_moons
from autograd.losses import binary_cross_entropy, mse
from autograd.nn import MLP, Layer
from autograd.optim import SGD


def train(model, steps=3, flow=None, seed=0):
    x, y = make_moons(32, noise=0.1, seed=seed)
    optimizer = SGD(model.parameters(), lr=0.1)
    for _ in range(steps):
        loss = binary_cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        if flow is not None:
            flow.record()
        optimizer.step()
    return flow


def test_each_record_holds_each_layers_gradient_sizes():
    model = MLP(2, [4, 3, 1], activation="tanh", seed=0)
    flow = viz.GradientFlow(model)
    x, y = make_moons(16, noise=0.1, seed=1)
    loss = mse(model(x), y)
    loss.backward()
    step = flow.record()
    assert flow.history == [step] and [s.name for s in step] == ["L0", "L1", "L2"]
    for layer, stats in zip(model.layers, step, strict=True):
        grads = np.abs([w.grad for n in layer.neurons for w in n.w])
        assert stats.mean_abs_grad == pytest.approx(grads.mean(), rel=1e-12)
        assert stats.max_abs_grad == grads.max()
    assert step[0].dead_fraction is None and step[-1].saturated_fraction is None  # n/a


def test_a_dead_relu_unit_and_a_saturated_sigmoid_unit_are_counted():
    x = np.array([[1.0, 2.0], [0.5, 1.0], [2.0, 0.1]])  # positive inputs
    relu = Layer(2, 4, activation="relu", seed=0)
    for k, neuron in enumerate(relu.neurons):  # unit 1 and 3 negative on every sample: dead
        sign = -1.0 if k in (1, 3) else 1.0
        for w in neuron.w:
            w.data = sign * abs(w.data) - (0.1 if sign < 0 else 0.0)
    flow = viz.GradientFlow(relu)
    sum(out.sum() for out in relu(x)).backward()
    assert flow.record()[0].dead_fraction == 0.5
    sigmoid = Layer(2, 5, activation="sigmoid", seed=0)
    for w in sigmoid.neurons[0].w + sigmoid.neurons[1].w:
        w.data = 20.0  # z ≥ 12 on every sample: σ' < 1e-5, saturated
    sigmoid.neurons[1].b.data = -40.5  # sample 2 has z = 42 − 40.5: σ' ≈ 0.15, not saturated
    flow = viz.GradientFlow(sigmoid)
    sum(out.sum() for out in sigmoid(x)).backward()
    assert flow.record()[0].saturated_fraction == pytest.approx(1 / 5)


def test_fused_and_unfused_networks_give_the_same_history():
    histories = []
    for fuse in (True, False):
        model = MLP(2, [5, 5, 1], activation="relu", seed=2, fuse=fuse)
        histories.append(train(model, steps=4, flow=viz.GradientFlow(model)).history)
    for fused, unfused in zip(*histories, strict=True):
        for a, b in zip(fused, unfused, strict=True):
            assert a.name == b.name and a.dead_fraction == b.dead_fraction
            assert a.mean_abs_grad == pytest.approx(b.mean_abs_grad, rel=1e-9)


def test_recording_changes_nothing_in_training_and_remove_takes_the_hooks_off():
    plain, watched = MLP(2, [4, 1], seed=3), MLP(2, [4, 1], seed=3)
    flow = train(watched, steps=5, flow=viz.GradientFlow(watched))
    train(plain, steps=5)
    assert watched.state_dict() == plain.state_dict()
    assert len(flow.history) == 5
    flow.remove()
    watched(np.ones((2, 2)))
    assert len(flow.history) == 5 and flow._outputs[0][0].batch_size == 32  # not updated


def test_mistakes_are_clear_errors():
    model = MLP(2, [3, 1], seed=0)
    flow = viz.GradientFlow(model)
    with pytest.raises(RuntimeError, match="has not run since GradientFlow"):
        flow.record()
    model(np.ones((3, 2)))
    with pytest.raises(RuntimeError, match=r"call record\(\) after loss.backward"):
        flow.record()
    with pytest.raises(ValueError, match="nothing to plot"):
        flow.plot()
    with pytest.raises(TypeError, match="watches an MLP"):
        viz.GradientFlow(object())


def test_the_plot_has_three_panels_of_layers_by_steps():
    pytest.importorskip("matplotlib")
    model = MLP(2, [4, 4, 1], activation="sigmoid", seed=0)
    flow = train(model, steps=6, flow=viz.GradientFlow(model))
    figure = flow.plot()
    heat, dead, saturated = figure.axes[:3]
    assert [label.get_text() for label in heat.get_yticklabels()] == ["L0", "L1", "L2"]
    shown = heat.get_images()[0].get_array()
    assert shown.shape == (3, 6)
    assert shown[0, 0] == pytest.approx(flow.history[0][0].mean_abs_grad)
    assert dead.get_images()[0].get_array().mask.all()  # no ReLU layer: all grey
    assert not saturated.get_images()[0].get_array().mask[:2].any()  # the sigmoid layers


@pytest.mark.parametrize(("activation", "far_smaller"), [("sigmoid", True), ("relu", False)])
def test_the_first_layer_of_a_deep_sigmoid_network_gets_far_smaller_gradients(
    activation, far_smaller
):
    model = MLP(2, [16] * 7 + [1], activation=activation, init="xavier", seed=0)
    flow = train(model, steps=1, flow=viz.GradientFlow(model))
    first, *_, last = flow.history[0]
    ratio = first.mean_abs_grad / last.mean_abs_grad
    assert (ratio < 1e-2) is far_smaller, ratio
