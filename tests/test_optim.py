"""Optimizers: several steps on f(x, y) = x²/20 + y² (the optimizer notebook's function)
equal the update rules computed independently here with numpy, following the formulas of
the torch.optim documentation; plus skipping, state, defaults and bad arguments.

Tolerance 1e-12 (relative): the engine computes ∂f/∂x as 2x·(1/20) and the reference as
x/10, so the two differ by rounding only, a few ulps after a handful of steps.
"""

import math

import numpy as np
import pytest

from autograd import Value
from autograd.nn import MLP
from autograd.optim import SGD, AdaGrad, Adagrad, Adam, RMSProp, RMSprop

START = (-7.0, 2.0)
STEPS = 6


def gradient(w):
    """∇f for f(x, y) = x²/20 + y², by hand."""
    return np.array([w[0] / 10, 2 * w[1]])


def reference(name, lr, weight_decay=0.0, **h):
    """The update rules of torch.optim, vectorised over both parameters, from START."""
    w = np.array(START)
    buffer, total, average, m, v = (np.zeros(2) for _ in range(5))
    for t in range(1, STEPS + 1):
        g = gradient(w) + weight_decay * w
        if name == "SGD":
            momentum = h.get("momentum", 0.0)
            if momentum:
                buffer = g if t == 1 else momentum * buffer + g
                g = g + momentum * buffer if h.get("nesterov") else buffer
            w = w - lr * g
        elif name == "AdaGrad":
            total = total + g**2
            w = w - lr * g / (np.sqrt(total) + h.get("eps", 1e-10))
        elif name == "RMSProp":
            alpha = h.get("alpha", 0.99)
            average = alpha * average + (1 - alpha) * g**2
            w = w - lr * g / (np.sqrt(average) + h.get("eps", 1e-8))
        elif name == "Adam":
            beta1, beta2 = h.get("betas", (0.9, 0.999))
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g**2
            m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
            w = w - lr * m_hat / (np.sqrt(v_hat) + h.get("eps", 1e-8))
    return w


def run(optimizer_class, **settings):
    x, y = Value(START[0], label="x"), Value(START[1], label="y")
    optimizer = optimizer_class([x, y], **settings)
    for _ in range(STEPS):
        optimizer.zero_grad()
        loss = x**2 / 20 + y**2
        loss.backward()
        optimizer.step()
    assert type(x.data) is float and type(y.data) is float  # the engine's fast paths need it
    return np.array([x.data, y.data])


CASES = [
    (SGD, {"lr": 0.1}),
    (SGD, {"lr": 0.1, "momentum": 0.9}),
    (SGD, {"lr": 0.05, "momentum": 0.5, "nesterov": True}),
    (SGD, {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.1}),
    (AdaGrad, {"lr": 0.5}),
    (AdaGrad, {"lr": 0.5, "eps": 0.1, "weight_decay": 0.01}),
    (RMSProp, {"lr": 0.1}),
    (RMSProp, {"lr": 0.1, "alpha": 0.9, "eps": 1e-3, "weight_decay": 0.05}),
    (Adam, {"lr": 0.3}),
    (Adam, {"lr": 0.3, "betas": (0.5, 0.8), "eps": 1e-3, "weight_decay": 0.1}),
]


@pytest.mark.parametrize(("optimizer_class", "settings"), CASES)
def test_steps_equal_the_reference_update_rule(optimizer_class, settings):
    expected = reference(optimizer_class.__name__, **settings)
    moved = run(optimizer_class, **settings)
    np.testing.assert_allclose(moved, expected, rtol=1e-12)
    assert not np.allclose(moved, START)  # the steps did move the point


def test_adam_first_steps_by_hand():
    # Step 1: m̂ = g and v̂ = g², so w moves by lr·g/(|g| + eps) ≈ lr against the gradient.
    # Step 2 with the same g: m = 0.19g, v = 0.001999g²; m̂ = 0.19g/0.19 = g, v̂ = g²: again lr.
    w = Value(1.0)
    optimizer = Adam([w], lr=0.1, eps=0.0)
    for expected in (0.9, 0.8):
        w.grad = 4.0
        optimizer.step()
        assert w.data == pytest.approx(expected, rel=1e-14)
    assert optimizer.state[w]["step"] == 2


def test_defaults_are_torch_optim_defaults():
    w = [Value(1.0)]
    adam = Adam(w)
    assert (adam.lr, adam.betas, adam.eps, adam.weight_decay) == (1e-3, (0.9, 0.999), 1e-8, 0.0)
    rmsprop = RMSProp(w)
    assert (rmsprop.lr, rmsprop.alpha, rmsprop.eps) == (1e-2, 0.99, 1e-8)
    adagrad = AdaGrad(w)
    assert (adagrad.lr, adagrad.eps) == (1e-2, 1e-10)
    sgd = SGD(w, lr=0.1)
    assert (sgd.momentum, sgd.weight_decay, sgd.nesterov) == (0.0, 0.0, False)
    assert Adagrad is AdaGrad and RMSprop is RMSProp  # PyTorch's spellings


@pytest.mark.parametrize("optimizer_class", [SGD, AdaGrad, RMSProp, Adam])
def test_parameters_without_gradient_are_skipped_and_state_is_per_parameter(optimizer_class):
    a, b = Value(1.0), Value(-2.0)
    optimizer = optimizer_class([a, b], lr=0.1)
    late = optimizer_class([Value(-2.0)], lr=0.1)  # b's twin, first stepped later
    for step in range(3):
        a.grad = 0.5
        b.grad = None if step == 0 else 3.0  # b gets no gradient in the first step
        optimizer.step()
        if step == 0:
            assert b.data == -2.0 and optimizer.state[b] == {}
        else:
            late.params[0].grad = 3.0
            late.step()
    # b's updates are those of a fresh optimizer that only ever saw its two gradients
    assert b.data == late.params[0].data
    assert optimizer.state[b] == late.state[late.params[0]]


def test_zero_grad_sets_gradients_to_none():
    model = MLP(2, [2, 1], seed=0)
    optimizer = SGD(model.parameters(), lr=0.1)
    model([1.0, 2.0]).backward()
    optimizer.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_learning_rate_can_be_changed_between_steps():
    w = Value(1.0)
    optimizer = SGD([w], lr=0.1)
    w.grad = 1.0
    optimizer.step()
    optimizer.lr = 0.5
    optimizer.step()
    assert w.data == pytest.approx(1.0 - 0.1 - 0.5, rel=1e-15)


def test_parameters_may_be_any_iterable():
    model = MLP(2, [2, 1], seed=0)
    optimizer = Adam(p for p in model.parameters())
    assert optimizer.params == model.parameters()


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda w: SGD(w, lr=0), ValueError, "lr must be > 0, got 0.0"),
        (lambda w: SGD(w, lr=-0.1), ValueError, "lr must be > 0, got -0.1"),
        (lambda w: Adam(w, lr=math.nan), ValueError, "lr must be > 0, got nan"),
        (lambda w: Adam(w, lr=math.inf), ValueError, "lr must be > 0, got inf"),
        (lambda w: Adam(w, lr="0.1"), TypeError, "lr must be a number, not str"),
        (lambda w: Adam(w, lr=True), TypeError, "lr must be a number, not bool"),
        (lambda w: SGD(w, lr=0.1, momentum=-0.5), ValueError, "momentum must be >= 0"),
        (lambda w: SGD(w, lr=0.1, nesterov=True), ValueError, "nesterov momentum needs mom"),
        (lambda w: SGD(w, lr=0.1, weight_decay=-1), ValueError, "weight_decay must be >= 0"),
        (lambda w: Adam(w, betas=(0.9, 1.0)), ValueError, r"betas\[1\] must be >= 0 and < 1"),
        (lambda w: Adam(w, betas=0.9), ValueError, "betas must be a pair"),
        (lambda w: Adam(w, eps=-1e-8), ValueError, "eps must be >= 0"),
        (lambda w: RMSProp(w, alpha=1.5), ValueError, "alpha must be >= 0 and < 1, got 1.5"),
        (lambda w: AdaGrad(w, eps=-1.0), ValueError, "eps must be >= 0"),
    ],
)
def test_bad_settings_are_clear_errors(make, error, message):
    with pytest.raises(error, match=message):
        make([Value(1.0)])


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ([], ValueError, "optimizer got an empty parameter list"),
        (iter([]), ValueError, "optimizer got an empty parameter list"),
        ([Value(1.0), 2.0], TypeError, "parameter 1 must be a Value, not float"),
        (Value(1.0), TypeError, "params must be an iterable of Values, not Value"),
        (MLP(2, [1], seed=0), TypeError, r"not MLP \(did you mean model.parameters\(\)\?\)"),
        ([Value(1.0) * 2], ValueError, "parameter 0 .* is computed from other Values"),
        ([Value(np.ones(3))], ValueError, "parameter 0 holds a batch"),
    ],
)
def test_bad_parameter_lists_are_clear_errors(params, error, message):
    with pytest.raises(error, match=message):
        SGD(params, lr=0.1)


def test_a_parameter_listed_twice_is_an_error():
    w = Value(1.0, label="w")
    with pytest.raises(ValueError, match=r"parameter 1 \(w\) appears more than once"):
        Adam([w, w])
