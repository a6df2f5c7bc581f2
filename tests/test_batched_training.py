"""Training end to end: one batched forward/backward equals the per-sample loop it replaces,
and the PyTorch-style loop with a DataLoader learns the moons (to >= 95% training accuracy).

Tolerance of the equivalence: both sides add the same per-sample numbers, the batch in
numpy (pairwise summation) and the loop one by one in Python, so they differ by rounding:
about 1e-16 relative per addition. rtol = 1e-10 is far above that and far below any real
difference (a missing sample or a wrong scale changes gradients by percents).
"""

import numpy as np
import pytest

import autograd
from autograd.data import ArrayDataset, DataLoader, make_moons
from autograd.losses import cross_entropy, hinge, l2, mse
from autograd.nn import MLP
from autograd.optim import SGD, Adam

RTOL, ATOL = 1e-10, 1e-14


def per_sample_loss(model, loss, X, y):
    """The loop a batch replaces: mean over samples of loss(model(x_i), y_i), one graph each."""
    losses = [loss(model(list(x)), target) for x, target in zip(X, y, strict=True)]
    return autograd.sum_of(losses) / len(losses)


def assert_same_parameters(batched, looped, what):
    for (name, a), (_, b) in zip(
        batched.named_parameters(), looped.named_parameters(), strict=True
    ):
        np.testing.assert_allclose(
            getattr(a, what), getattr(b, what), rtol=RTOL, atol=ATOL, err_msg=name
        )


@pytest.mark.parametrize(
    ("activation", "loss", "outputs", "optimizer"),
    [
        ("relu", cross_entropy, 3, lambda p: SGD(p, lr=0.1, momentum=0.9)),
        ("tanh", mse, 2, lambda p: Adam(p, lr=0.01)),
        ("elu", hinge, 1, lambda p: SGD(p, lr=0.05, weight_decay=0.01)),
    ],
)
def test_batched_training_equals_per_sample_training(activation, loss, outputs, optimizer):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(8, 3))
    if loss is cross_entropy:
        y = rng.integers(0, outputs, size=8)
    elif loss is hinge:
        y = np.where(rng.random(8) > 0.5, 1.0, -1.0)
    else:
        y = rng.normal(size=(8, outputs))
    batched, looped = (MLP(3, [5, 4, outputs], activation, seed=1) for _ in range(2))
    batched_optimizer = optimizer(batched.parameters())
    looped_optimizer = optimizer(looped.parameters())
    for _ in range(3):  # several steps, so optimizer state is compared too
        batched_optimizer.zero_grad()
        looped_optimizer.zero_grad()
        batch_loss = loss(batched(X), y)  # one graph for all 8 samples
        loop_loss = per_sample_loss(looped, loss, X, y)
        batch_loss.backward()
        loop_loss.backward()
        assert batch_loss.data == pytest.approx(loop_loss.data, rel=RTOL)
        assert_same_parameters(batched, looped, "grad")
        batched_optimizer.step()
        looped_optimizer.step()
        assert_same_parameters(batched, looped, "data")
    assert batched.state_dict() != MLP(3, [5, 4, outputs], activation, seed=1).state_dict()


def test_an_mlp_learns_the_moons_with_minibatches():
    X, y = make_moons(100, noise=0.1, seed=0)
    model = MLP(2, [16, 16, 1], seed=0)
    loader = DataLoader(ArrayDataset(X, y), batch_size=25, shuffle=True, seed=0)
    optimizer = SGD(model.parameters(), lr=0.1, momentum=0.9)
    for _epoch in range(20):  # 80 steps
        for xb, yb in loader:
            loss = hinge(model(xb), 2.0 * yb - 1) + 1e-4 * l2(model.parameters())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    accuracy = np.mean((model(X).data > 0) == (y == 1))
    assert accuracy >= 0.95
