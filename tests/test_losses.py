"""Losses: values against numpy formulas, gradients against finite differences and the
closed form ∂CE/∂z = softmax(z) − t, stability at logits of ±1000, batches, bad targets.

Tolerances. Values: 1e-12 relative, since the engine and the numpy reference do the same
float arithmetic in a different order. Finite differences: eps = 1e-6, atol = 1e-5,
rtol = 1e-4, as in test_engine_properties (truncation and rounding errors ~1e-7 here).
"""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from autograd import Value, functional
from autograd.losses import (
    binary_cross_entropy,
    cross_entropy,
    hinge,
    l2,
    log_softmax,
    mae,
    mse,
    softmax,
)
from autograd.nn import Neuron

EPS, ATOL, RTOL = 1e-6, 1e-5, 1e-4


def values(xs):
    return [Value(float(x)) for x in xs]


def np_log_softmax(z):
    z = np.asarray(z, dtype=float)
    return z - np.logaddexp.reduce(z)  # log Σ e^z without overflow, numpy's own way


def np_softmax(z):
    return np.exp(np_log_softmax(z))


# ---------------------------------------------------------------- values


def test_regression_losses_match_their_formulas():
    p, t = np.array([0.5, -1.5, 2.0]), np.array([1.0, 0.5, 2.5])
    assert mse(values(p), t).data == pytest.approx(np.mean((p - t) ** 2), rel=1e-12)
    assert mae(values(p), t).data == pytest.approx(np.mean(np.abs(p - t)), rel=1e-12)
    assert mse(Value(3.0), 1.0).data == 4.0  # a single prediction and target


def test_binary_cross_entropy_matches_the_probability_formula():
    z, t = np.array([0.3, -2.0, 4.0, 0.0]), np.array([1.0, 0.0, 0.0, 0.3])
    p = 1 / (1 + np.exp(-z))
    expected = np.mean(-(t * np.log(p) + (1 - t) * np.log(1 - p)))
    assert binary_cross_entropy(values(z), t).data == pytest.approx(expected, rel=1e-12)


def test_hinge_is_micrographs_max_margin_loss():
    scores, y = np.array([2.0, 0.5, -0.3, -3.0]), np.array([1, 1, -1, 1])
    expected = np.mean(np.maximum(0, 1 - y * scores))  # (0 + 0.5 + 0.7 + 4) / 4
    assert hinge(values(scores), y).data == pytest.approx(expected, rel=1e-12)


def test_softmax_and_log_softmax_match_numpy():
    z = [1.0, -0.5, 3.0, 0.0]
    np.testing.assert_allclose([p.data for p in softmax(values(z))], np_softmax(z), rtol=1e-12)
    np.testing.assert_allclose(
        [p.data for p in log_softmax(values(z))], np_log_softmax(z), rtol=1e-12
    )


def test_cross_entropy_matches_minus_log_softmax_at_the_class():
    z = [1.0, -0.5, 3.0, 0.0]
    for target in range(4):
        loss = cross_entropy(values(z), target)
        assert loss.data == pytest.approx(-np_log_softmax(z)[target], rel=1e-12)
    one_hot = cross_entropy(values(z), [0.0, 1.0, 0.0, 0.0])
    assert one_hot.data == pytest.approx(-np_log_softmax(z)[1], rel=1e-12)
    soft = cross_entropy(values(z), [0.25, 0.25, 0.5, 0.0])
    assert soft.data == pytest.approx(-np.dot([0.25, 0.25, 0.5, 0], np_log_softmax(z)), rel=1e-12)


def test_l2_is_the_sum_of_squares_with_gradient_2w():
    params = values([1.0, -2.0, 0.5])
    loss = l2(params)
    loss.backward()
    assert loss.data == 5.25
    assert [p.grad for p in params] == [2.0, -4.0, 1.0]
    neuron = Neuron(3, seed=0)
    assert l2(neuron).data == l2(neuron.parameters()).data


# ---------------------------------------------------------------- stability at ±1000


def test_log_softmax_and_cross_entropy_are_finite_and_exact_at_1000():
    z = values([1000.0, -1000.0, 0.0])
    assert [p.data for p in log_softmax(z)] == [0.0, -2000.0, -1000.0]
    assert [p.data for p in softmax(z)] == [1.0, 0.0, 0.0]
    assert cross_entropy(z, 0).data == 0.0
    assert cross_entropy(z, 1).data == 2000.0
    loss = cross_entropy(z, 2)
    loss.backward()
    assert loss.data == 1000.0
    assert [v.grad for v in z] == [1.0, 0.0, -1.0]  # softmax − onehot, exactly


def test_cross_entropy_of_equal_huge_logits_is_log_k():
    z = values([1000.0, 1000.0, 1000.0, 1000.0])
    loss = cross_entropy(z, 3)
    loss.backward()
    assert loss.data == pytest.approx(math.log(4), rel=1e-12)
    assert [v.grad for v in z] == pytest.approx([0.25, 0.25, 0.25, -0.75], rel=1e-12)


def test_binary_cross_entropy_is_finite_at_extreme_logits():
    z = Value(np.array([1000.0, -1000.0, 1000.0, -1000.0]))
    loss = binary_cross_entropy(z, np.array([1.0, 0.0, 0.0, 1.0]))
    loss.backward()
    assert loss.data == pytest.approx(500.0, rel=1e-12)  # (0 + 0 + 1000 + 1000) / 4
    np.testing.assert_allclose(z.grad, [0.0, 0.0, 0.25, -0.25], atol=1e-300)  # (σ(z) − t) / 4


# ---------------------------------------------------------------- gradients


@settings(max_examples=40, deadline=None)
@given(
    logits=st.lists(st.floats(-1000.0, 1000.0), min_size=2, max_size=6),
    data=st.data(),
)
def test_cross_entropy_gradient_is_softmax_minus_onehot(logits, data):
    target = data.draw(st.integers(0, len(logits) - 1))
    z = values(logits)
    loss = cross_entropy(z, target)
    loss.backward()
    expected = np_softmax(logits)
    expected[target] -= 1.0
    assert math.isfinite(loss.data)
    assert loss.data == pytest.approx(-np_log_softmax(logits)[target], rel=1e-12, abs=1e-12)
    # 1e-12: each gradient is a probability (at most 1) computed two ways
    np.testing.assert_allclose([v.grad for v in z], expected, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(
    logits=st.lists(st.floats(-5.0, 5.0), min_size=2, max_size=5),
    weights=st.lists(st.floats(0.0, 1.0), min_size=5, max_size=5),
)
def test_cross_entropy_with_probabilities_has_gradient_softmax_minus_target(logits, weights):
    raw = np.array(weights[: len(logits)])
    assume(raw.sum() > 0.1)
    target = raw / raw.sum()
    z = values(logits)
    cross_entropy(z, list(target)).backward()
    np.testing.assert_allclose([v.grad for v in z], np_softmax(logits) - target, atol=1e-12)


ELEMENTWISE = {
    "mse": (mse, [0.5, -1.2, 2.0]),
    "mae": (mae, [0.5, -1.2, 2.0]),
    "binary_cross_entropy": (binary_cross_entropy, [1.0, 0.0, 0.3]),
    "hinge": (hinge, [1.0, -1.0, 1.0]),
}


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_loss_gradients_match_finite_differences(name):
    loss, targets = ELEMENTWISE[name]
    predictions = [0.3, 0.4, -0.7]  # away from every kink (|p − t| and 1 − t·p ≠ 0)
    assert functional.gradcheck(
        lambda *p: loss(list(p), targets), predictions, eps=EPS, atol=ATOL, rtol=RTOL
    )


@pytest.mark.parametrize(
    "f",
    [
        lambda *z: cross_entropy(list(z), 2),
        lambda *z: cross_entropy(list(z), [0.2, 0.3, 0.5]),
        lambda *z: softmax(list(z))[1] * 3 + softmax(list(z))[0],
        lambda *z: log_softmax(list(z))[0] - log_softmax(list(z))[2] * 2,
        lambda *z: l2(list(z)),
    ],
    ids=["ce-index", "ce-probabilities", "softmax", "log_softmax", "l2"],
)
def test_softmax_family_gradients_match_finite_differences(f):
    assert functional.gradcheck(f, [0.5, -1.0, 2.0], eps=EPS, atol=ATOL, rtol=RTOL)


# ---------------------------------------------------------------- batches


def test_batched_losses_equal_the_mean_of_per_sample_losses():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(6, 3))  # 6 samples, 3 outputs
    classes = np.array([0, 2, 1, 1, 0, 2])
    signs = np.where(rng.random((6, 3)) > 0.5, 1.0, -1.0)
    cases = [
        (mse, rng.normal(size=(6, 3))),
        (mae, rng.normal(size=(6, 3))),
        (binary_cross_entropy, rng.random((6, 3))),
        (hinge, signs),
        (cross_entropy, classes),
        (cross_entropy, np.eye(3)[classes]),  # the same targets, one-hot
    ]
    for loss, targets in cases:
        batch = [Value(column) for column in logits.T]
        batched = loss(batch, targets)
        batched.backward()
        per_sample = []
        for i, row in enumerate(logits):
            sample = values(row)
            one = loss(sample, targets[i] if targets.ndim == 1 else list(targets[i]))
            one.backward()
            per_sample.append((one.data, [v.grad for v in sample]))
        assert batched.data == pytest.approx(np.mean([d for d, _ in per_sample]), rel=1e-12)
        # the batch mean divides each sample's gradient by the batch size
        grads = np.array([g for _, g in per_sample]) / len(logits)
        np.testing.assert_allclose(np.array([v.grad for v in batch]).T, grads, rtol=1e-10)


def test_a_single_batched_output_takes_a_1d_target_array():
    p = Value(np.array([1.0, 2.0, 3.0]))
    assert mse(p, np.array([1.0, 1.0, 1.0])).data == pytest.approx(5 / 3, rel=1e-12)
    assert mse(p, 1.0).data == pytest.approx(5 / 3, rel=1e-12)  # one target for every sample


# ---------------------------------------------------------------- bad inputs


@pytest.mark.parametrize(
    ("target", "error", "message"),
    [
        (3, ValueError, r"class index 3 is out of range for 3 classes \(0 to 2\)"),
        (-1, ValueError, "class index -1 is out of range"),
        (1.5, ValueError, "must be a whole number, got 1.5"),
        (math.nan, ValueError, "must be a whole number, got nan"),
        (True, TypeError, "not bool"),
        ("1", TypeError, "must be a class index or class probabilities"),
        ([0, 1], ValueError, "2 class probabilities for 3 logits"),
        ([0.5, 0.4, 0.0], ValueError, "must be >= 0 and sum to 1"),
        ([1.5, -0.5, 0.0], ValueError, "must be >= 0 and sum to 1"),
        ([[0, 1], [1]], ValueError, "not a rectangular array"),
    ],
)
def test_bad_class_targets_for_one_sample(target, error, message):
    with pytest.raises(error, match=message):
        cross_entropy(values([1.0, 2.0, 3.0]), target)


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (np.array([0, 5]), r"class index 5 \(sample 1\) is out of range for 3 classes"),
        (np.array([0, 1, 2]), "3 class indices for a batch of 2"),
        (np.ones((2, 2)), r"shape \(2, 2\), expected \(2, 3\)"),
        (np.eye(3)[[0, 0]] * 2, r"sum to 1, got \[2.0, 0.0, 0.0\] for sample 0"),
    ],
)
def test_bad_class_targets_for_a_batch(target, message):
    with pytest.raises(ValueError, match=message):
        cross_entropy([Value(np.zeros(2))] * 3, target)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: cross_entropy(Value(1.0), 0), ValueError, "for one logit use binary_cross"),
        (lambda: cross_entropy([1.0, 2.0], 0), TypeError, r"logits\[0\] must be a Value"),
        (
            lambda: cross_entropy([Value(np.zeros(2)), Value(np.zeros(3))], 0),
            ValueError,
            r"batches of different sizes \[2, 3\]",
        ),
        (lambda: softmax([]), TypeError, "must be a Value or a non-empty list of Values"),
        (lambda: mse(values([1, 2]), [1.0]), ValueError, "expected 2 targets, one per predic"),
        (lambda: mse(values([1, 2]), 1.0), TypeError, "expected 2 targets, .* got float"),
        (
            lambda: mse(Value(np.zeros(3)), np.zeros(4)),
            ValueError,
            "target 0 holds 4 samples, its prediction holds 3",
        ),
        (lambda: mse(Value(1.0), np.zeros(4)), ValueError, "its prediction holds one sample"),
        (lambda: mse(values([1, 2]), np.zeros((4, 3))), ValueError, r"shape \(4, 3\) for 2 pr"),
        (lambda: mse(Value(1.0), "1"), TypeError, "mse: target 0: Value data must be"),
        (lambda: mse(Value(1.0), True), TypeError, "mse: target 0: .* not bool"),
        (lambda: mse(1.0, 1.0), TypeError, "predictions must be a Value or a non-empty list"),
        (lambda: binary_cross_entropy(Value(1.0), 2.0), ValueError, r"in \[0, 1\], got 2"),
        (lambda: binary_cross_entropy(Value(np.zeros(2)), np.array([0.5, -1])), ValueError, "-1"),
        (lambda: hinge(values([1, 2]), [1, 0]), ValueError, r"must be -1 or \+1, got 0"),
        (lambda: l2([]), ValueError, "l2 needs at least one parameter"),
        (lambda: l2([Value(1.0), 2.0]), TypeError, "parameter 1 must be a Value, not float"),
    ],
)
def test_bad_inputs_are_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
