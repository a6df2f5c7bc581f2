"""Second (and third) derivatives: gradients built as graphs and differentiated again.

Tolerance. The Hessian by double backward is compared with central differences of the
first derivatives (themselves exact, from backward): the same error budget as the first
derivative tests (tests/test_engine_properties.py): with eps = 1e-6 and values below 1e3,
truncation ~1e-9 and rounding ~2e-7 of the gradient's size, so atol = 1e-4, rtol = 1e-3
leave a wide margin while a wrong rule (a missing term, a wrong sign) misses by far more.
"""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value, combine, functional, maximum, topological_order
from autograd.rules import RULES, local_grads_as_graph
from autograd.testing import LARGEST, GradientMismatch, assert_gradients_match, expressions

EPS, ATOL, RTOL = 1e-6, 1e-4, 1e-3
finite = st.floats(-2.0, 2.0, allow_nan=False)


def second(f, x: float) -> float:
    v = Value(x)
    (d,) = autograd.grad(f(v), [v], create_graph=True)
    (dd,) = autograd.grad(d, [v])
    return dd


# ---------------------------------------------------------------- hand-derived cases


def test_hessian_of_x_cubed_y_by_hand():
    x, y = 1.5, -0.7  # f = x³y: H = [[6xy, 3x²], [3x², 0]]
    h = functional.hessian(lambda a, b: a**3 * b, [x, y])
    assert h == pytest.approx(np.array([[6 * x * y, 3 * x * x], [3 * x * x, 0.0]]), rel=1e-12)


@pytest.mark.parametrize("x", [-1.3, 0.0, 0.4, 2.0])
def test_second_derivatives_of_tanh_sigmoid_and_exp_log_by_hand(x):
    t, s = math.tanh(x), 1 / (1 + math.exp(-x))
    assert second(lambda v: v.tanh(), x) == pytest.approx(-2 * t * (1 - t * t), abs=1e-12)
    assert second(lambda v: v.sigmoid(), x) == pytest.approx(s * (1 - s) * (1 - 2 * s), abs=1e-12)
    # exp(x)·log(x² + 1): f'' = eˣ[log(x²+1) + 4x/(x²+1) + 2(1-x²)/(x²+1)²]
    q = x * x + 1
    expected = math.exp(x) * (math.log(q) + 4 * x / q + 2 * (1 - x * x) / q**2)
    assert second(lambda v: v.exp() * (v * v + 1).log(), x) == pytest.approx(expected, rel=1e-12)


def test_third_derivatives_by_grad_of_grad_of_grad():
    for f, third in [
        (lambda v: v**4, lambda x: 24 * x),
        (lambda v: v.sin(), lambda x: -math.cos(x)),
        (lambda v: v.exp() * v, lambda x: math.exp(x) * (x + 3)),
        (lambda v: v.tanh(), lambda x: -2 * (1 - math.tanh(x) ** 2) * (1 - 3 * math.tanh(x) ** 2)),
    ]:
        x = Value(0.6)
        (d1,) = autograd.grad(f(x), [x], create_graph=True)
        (d2,) = autograd.grad(d1, [x], create_graph=True)
        (d3,) = autograd.grad(d2, [x])
        assert d3 == pytest.approx(third(0.6), rel=1e-12)


@pytest.mark.parametrize(
    "f", [lambda v: v.relu(), abs, lambda v: maximum(v, 0.0), lambda v: v.leaky_relu(0.1)]
)
def test_second_derivative_at_a_kink_is_zero_as_in_pytorch(f):
    assert second(f, 0.0) == 0.0
    assert second(f, 0.5) == 0.0


def test_grad_leaves_every_grad_alone_and_gives_zero_for_unused_inputs():
    x, y, unused = Value(2.0), Value(3.0), Value(5.0)
    x.grad = 1.0
    out = x * y
    assert autograd.grad(out, [x, y, unused]) == (3.0, 2.0, 0.0)
    assert x.grad == 1.0 and y.grad is None and out.grad is None


def test_grad_returns_numbers_and_with_create_graph_values():
    """The README's promise: numbers to print and compare, or graphs to differentiate."""
    x, batch = Value(3.0), Value(np.array([1.0, 2.0]))
    numbers = autograd.grad((x**2 + batch * x).sum(), [x, batch])
    assert [type(g) for g in numbers] == [float, np.ndarray]
    assert numbers[0] == 2 * 2 * 3.0 + 1.0 + 2.0 and numbers[1].tolist() == [3.0, 3.0]
    graphs = autograd.grad((x**2 + batch * x).sum(), [x, batch], create_graph=True)
    assert all(isinstance(g, Value) for g in graphs)
    assert graphs[0].data == numbers[0] and graphs[0].parents  # a graph, not a copied number
    (second,) = autograd.grad(graphs[0], [x])
    assert second == 2.0 * 2  # d/dx of 2x·2 + Σ batch = 4 (x² summed over 2 samples)
    assert x.grad is None and batch.grad is None  # neither call touched .grad


def test_backward_with_create_graph_makes_grad_a_differentiable_value():
    x = Value(1.5)
    (x**3).backward(create_graph=True)
    assert isinstance(x.grad, Value) and x.grad.data == pytest.approx(3 * 1.5**2)
    dxx = x.grad
    x.grad = None
    dxx.backward()
    assert x.grad == pytest.approx(6 * 1.5)


def test_second_derivatives_of_a_batch_loss_are_summed_over_the_batch():
    w = Value(0.8)
    xs = np.array([0.5, -1.0, 2.0])
    loss = ((w * Value(xs)).tanh() ** 2).mean()
    (d,) = autograd.grad(loss, [w], create_graph=True)
    (dd,) = autograd.grad(d, [w])
    per_sample = [second(lambda v, x=x: (v * x).tanh() ** 2, 0.8) for x in xs]
    assert isinstance(dd, float) and dd == pytest.approx(sum(per_sample) / 3, rel=1e-12)


def test_gradient_graph_nodes_are_tagged_so_drawings_tell_them_apart():
    x = Value(0.5, label="x")
    y = x.tanh()
    (d,) = autograd.grad(y, [x], create_graph=True)
    scopes = {n.scope for n in topological_order(d)}
    assert scopes == {"", "backward"}  # first-order nodes reused (y, x) and new ones
    assert y in topological_order(d)  # 1 - y·y reuses the forward node


def test_hvp_is_the_hessian_times_v_without_forming_the_hessian():
    f = lambda a, b, c: (a * b).sin() + c**2 * a  # noqa: E731
    xs, v = [0.3, -1.2, 0.8], [1.0, -2.0, 0.5]
    assert functional.hvp(f, xs, v) == pytest.approx(functional.hessian(f, xs) @ v, rel=1e-12)


def test_jacobian_of_a_vector_function():
    j = functional.jacobian(lambda x, y: [x * y, x.exp(), y], [2.0, 0.0])
    assert j == pytest.approx(np.array([[0.0, 2.0], [math.exp(2.0), 0.0], [0.0, 1.0]]), rel=1e-12)


def test_gradgradcheck_catches_a_wrong_second_derivative_rule(monkeypatch):
    assert functional.gradgradcheck(lambda x: x.sin() * x, [0.7])
    monkeypatch.setitem(RULES, "sin", lambda node: (node.parents[0].sin(),))  # wrong: sin' = sin
    with pytest.raises(AssertionError, match="gradgradcheck failed"):
        functional.gradgradcheck(lambda x: x.sin() * x, [0.7])


def test_first_order_backward_builds_no_nodes():
    x = Value(0.3)
    y = (x * x).tanh() + x.exp()
    before = topological_order(y)
    y.backward()
    assert topological_order(y) == before
    assert all(type(node.grad) is float for node in before)  # numbers, not graphs


# ---------------------------------------------------------------- float and graph rules agree

EVERY_OP = {
    "+": lambda a, b: a + b, "+c": lambda a, b: a + 1.5, "-": lambda a, b: a - b,
    "-c": lambda a, b: a - 1.5, "c-": lambda a, b: 1.5 - a, "neg": lambda a, b: -a,
    "*": lambda a, b: a * b, "*c": lambda a, b: a * 1.5, "/": lambda a, b: a / b,
    "/c": lambda a, b: a / 1.5, "c/": lambda a, b: 1.5 / a, "**": lambda a, b: abs(a) ** b,
    "**c": lambda a, b: abs(a) ** 2.5, "**0": lambda a, b: a**0, "c**": lambda a, b: 1.5**a,
    "0**": lambda a, b: 0.0 ** abs(a), "exp": lambda a, b: a.exp(),
    "log": lambda a, b: abs(a).log(),
    "sqrt": lambda a, b: abs(a).sqrt(), "tanh": lambda a, b: a.tanh(),
    "sigmoid": lambda a, b: a.sigmoid(), "elu": lambda a, b: a.elu(0.7),
    "softplus": lambda a, b: a.softplus(), "sin": lambda a, b: a.sin(), "cos": lambda a, b: a.cos(),
    "abs": lambda a, b: abs(a), "relu": lambda a, b: a.relu(),
    "leaky_relu": lambda a, b: a.leaky_relu(0.2), "max": autograd.maximum, "min": autograd.minimum,
    "sum": lambda a, b: a.sum(), "mean": lambda a, b: a.mean(),
    "sum_of": lambda a, b: autograd.sum_of([a, b, 2.0]),
    "sum_of_squares": lambda a, b: combine.sum_of_squares([a, b, a]),
}  # fmt: skip


def test_every_op_kind_has_a_rule():
    kinds = {EVERY_OP[name](Value(0.7), Value(-0.4)).kind for name in EVERY_OP}
    built_in = {op for op in RULES if autograd.custom_ops.registered(op) is None}  # not yours
    assert kinds == built_in - {"where"}


@settings(max_examples=200, deadline=None)
@given(name=st.sampled_from(sorted(EVERY_OP)), a=finite, b=finite, batch=st.booleans())
def test_float_and_graph_forms_of_every_rule_agree(name, a, b, batch):
    if batch:  # the same rule on a batch of three samples
        va, vb = Value(np.array([a, b, a * b])), Value(np.array([b, a, 0.5]))
    else:
        va, vb = Value(a), Value(b)
    node = EVERY_OP[name](va, vb)
    as_graph = local_grads_as_graph(node)
    assert len(as_graph) == len(node.local_grads)
    for number, built in zip(node.local_grads, as_graph):
        got = built.data if isinstance(built, Value) else built
        assert np.allclose(got, number, rtol=1e-12, atol=0.0, equal_nan=True)


# ---------------------------------------------------------------- random graphs


@settings(max_examples=80, deadline=None)
@given(expressions(min_depth=5, max_depth=9, n_inputs=2, min_value=-2.0, max_value=2.0))
def test_random_graphs_hessian_matches_differences_of_gradients(case):
    f, inputs = case
    h = functional.hessian(f, inputs)
    assume(np.all(np.abs(h) < LARGEST))
    assert np.allclose(h, h.T, rtol=1e-9, atol=1e-9)  # symmetric, as second derivatives are
    assert_gradients_match(f, *inputs, order=2, eps=EPS, atol=ATOL, rtol=RTOL)


@pytest.mark.parametrize(
    ("rule", "blame"),
    [
        (lambda node: (node.parents[0].sin(),), "sin's local derivative with respect to x, "
         "built as a graph for create_graph=True, is 0.644218"),  # wrong: sin' = sin
        (lambda node: (Value(math.cos(node.parents[0].data)),), "the derivative of sin's local "
         "derivative .* is 0 by its graph .* give -0.644218"),  # cos x as a constant: no -sin x
    ],
    ids=["wrong value", "right value, wrong derivative"],
)  # fmt: skip
def test_a_wrong_second_derivative_rule_is_found_and_named(monkeypatch, rule, blame):
    f = lambda x: x.sin() * x  # noqa: E731
    assert_gradients_match(f, 0.7, order=2, picture=None)
    monkeypatch.setitem(RULES, "sin", rule)
    with pytest.raises(GradientMismatch, match=rf"(?s)^∂²f/∂x∂x .*The culprit: {blame}") as error:
        assert_gradients_match(f, 0.7, order=2, picture=None)
    assert error.value.op == "sin" and error.value.input == "x"
