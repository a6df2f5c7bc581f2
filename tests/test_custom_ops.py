"""autograd.function: ops of your own, on floats and batches, to second order, with clear errors.

The checks against finite differences are autograd.testing's (tests/test_testing.py tests
them in turn); built-in ops are the reference where one exists: a function computing the
same formulas must give the same numbers to the last bit or two.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings

import autograd
import viz
from autograd import Value, functional, grad, no_grad
from autograd.testing import assert_gradients_match, batches, expressions, values

# The derivatives use operators only (e^-x as math.e ** -x), so they work on numbers, arrays
# and Values alike: on Values they give the graphs second derivatives need.
softplus = autograd.function(
    lambda x: np.logaddexp(0.0, x),  # log(1 + e^x), stable for large x
    lambda x: 1 / (1 + math.e**-x),  # σ(x)
    name="my_softplus",
)
cube = autograd.function(lambda x: x * x * x, lambda x: 3 * x * x, name="cube")
hypot = autograd.function(
    np.hypot, lambda a, b: (a / (a * a + b * b) ** 0.5, b / (a * a + b * b) ** 0.5), name="hypot"
)


def test_the_issues_example_cube():
    x = Value(2.0)
    y = cube(x)
    y.backward()
    assert (y.op, y.data, x.grad) == ("cube", 8.0, 12.0)
    assert y.parents == (x,) and y.local_grads == (12.0,)


def test_a_function_is_drawn_with_its_name():
    x = Value(0.5, label="x")
    y = softplus(x) * x
    y.backward()
    source = viz.draw(y).source
    assert ">my_softplus<" in source  # the op's cell
    assert source.count("my_softplus") == 1


def test_two_inputs_get_their_partial_derivatives_and_a_number_becomes_a_leaf():
    a, b = Value(3.0), Value(4.0)
    h = hypot(a, b)
    h.backward()
    assert (h.data, a.grad, b.grad) == (5.0, 0.6, 0.8)
    with_number = hypot(a, 4.0)
    assert with_number.data == 5.0 and with_number.parents[1].parents == ()  # a leaf


@settings(max_examples=60, deadline=None)
@given(x=batches(-30.0, 30.0))
def test_on_batches_it_equals_the_built_in_softplus(x):
    w = Value(0.7)  # one number shared by every sample: its gradient is summed
    ours, theirs = softplus(x * w), (x * w).softplus()
    np.testing.assert_allclose(ours.data, theirs.data, rtol=1e-15, atol=0)
    (dx, dw), (dx_theirs, dw_theirs) = (autograd.grad(y.sum(), [x, w]) for y in (ours, theirs))
    np.testing.assert_allclose(dx, dx_theirs, rtol=1e-14, atol=0)  # σ(xw)·w, sample by sample
    # Σ σ(xᵢw)·xᵢ: terms of either sign, so a last-bit difference is relative to Σ|xᵢ|
    assert abs(dw - dw_theirs) <= 1e-14 * np.abs(x.data).sum()


@settings(max_examples=40, deadline=None)
@given(x=values(-4.0, 4.0))
def test_second_derivatives_go_through_the_derivative_called_on_values(x):
    (d,) = grad(softplus(x), [x], create_graph=True)
    (dd,) = grad(d, [x])
    s = 1 / (1 + math.exp(-x.data))
    assert dd == pytest.approx(s * (1 - s), rel=1e-12)  # σ' = σ(1 − σ)
    assert_gradients_match(lambda v: softplus(v) * cube(v), x, order=2, picture=None)


@settings(max_examples=40, deadline=None)
@given(expressions(ops=[softplus, cube, hypot, "mul", "tanh", "sub"], max_depth=6))
def test_functions_in_random_graphs_match_finite_differences(case):
    f, inputs = case
    assert_gradients_match(f, *inputs)


def test_a_constant_or_piecewise_constant_derivative_works_with_create_graph():
    double = autograd.function(lambda x: 2 * x, lambda x: 2.0, name="double")
    step = autograd.function(lambda x: max(x, 0.0), lambda x: 1.0 if x > 0 else 0.0, name="ramp")
    x = Value(1.5)
    assert functional.hessian(lambda v: double(v) * v + step(v), [x])[0, 0] == 4.0


def test_the_hessian_of_a_two_input_function():
    a, b = 3.0, 4.0  # ∂²/∂a² hypot = b²/h³, ∂²/∂a∂b = -ab/h³
    h = functional.hessian(lambda x, y: hypot(x, y), [a, b])
    assert h == pytest.approx(np.array([[16, -12], [-12, 9]]) / 125, rel=1e-12)


def test_under_no_grad_the_derivative_is_not_even_called():
    def never(x):
        raise AssertionError("derivative called under no_grad")

    lazy = autograd.function(lambda x: x + 1, never, name="lazy")
    with no_grad():
        y = lazy(Value(1.0))
    assert y.data == 2.0 and y.parents == () and y.op == "lazy"


def test_forward_cannot_write_into_its_inputs_data():
    def in_place(x):
        x += 1  # would change the input Value's data behind its back
        return x

    x = Value(np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="read-only"):
        autograd.function(in_place, lambda x: 1.0, name="in_place")(x)
    assert x.data.tolist() == [1.0, 2.0]


def test_making_a_function_again_with_the_same_name_replaces_it():
    first = autograd.function(lambda x: x, lambda x: 1.0, name="again")
    second = autograd.function(lambda x: 2 * x, lambda x: 2.0, name="again")
    x = Value(1.0)
    (d,) = grad(second(x), [x], create_graph=True)  # the second one's rule
    assert d.data == 2.0 and first(x).data == 1.0
    assert autograd.custom_ops.registered("again") is second


BAD_OPS = [  # (forward, derivative, inputs, error, message)
    (lambda x: "1", lambda x: 1.0, [1.0], TypeError, r"bad: forward returned str '1', not a"),
    (lambda x: [x], lambda x: 1.0, [1.0], TypeError, r"bad: forward returned a list of 1"),
    (lambda x: np.ones((2, 2)), lambda x: 1.0, [np.ones(2)], TypeError, r"shape \(2, 2\)"),
    (lambda x: np.ones(3), lambda x: 1.0, [np.ones(2)], ValueError,
     r"bad: forward returned an array of 3 samples, expected 2 samples"),
    (lambda x: np.ones(2), lambda x: 1.0, [1.0], ValueError,
     r"expected a number \(no input is a batch\)"),
    (lambda x: x, lambda x: (1.0, 2.0), [1.0], ValueError,
     r"bad: derivative returned 2 local derivatives for 1 input"),
    (lambda a, b: a, lambda a, b: 1.0, [1.0, 2.0], TypeError,
     r"bad: derivative must return a tuple of 2 local derivatives \(one per input\), got float"),
    (lambda x: x, lambda x: np.ones(3), [np.ones(2)], ValueError,
     r"bad: local derivative 0 has shape \(3,\), expected a number or 2 samples"),
    (lambda x: x, lambda x: np.ones(3), [1.0], ValueError,
     r"bad: local derivative 0 has shape \(3,\), expected a number$"),
    (lambda x: x, lambda x: "one", [1.0], TypeError, r"bad: local derivative 0 is str 'one'"),
    (lambda x: x, lambda x: True, [1.0], TypeError, r"bad: local derivative 0 is bool True"),
    (lambda x: x, lambda x: 1.0, ["a"], TypeError, r"bad: input 0: Value data must be"),
    (lambda x: x, lambda x: 1.0, [1.0, 2.0], TypeError, r"bad takes 1 input, got 2"),
    (lambda a, b: a, lambda a, b: (1.0, 1.0), [np.ones(2), np.ones(3)], ValueError,
     r"bad: inputs are batches of different sizes \[2, 3\]"),
]  # fmt: skip


@pytest.mark.parametrize(("forward", "derivative", "inputs", "error", "message"), BAD_OPS)
def test_bad_forwards_and_derivatives_get_errors_naming_the_op(
    forward, derivative, inputs, error, message
):
    bad = autograd.function(forward, derivative, name="bad")
    with pytest.raises(error, match=message):
        bad(*inputs)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("tanh", r"'tanh' is a built-in op; give yours another name, e.g. 'my_tanh'"),
        ("sum_of_squares", "is a built-in op"),
        ("+", "name must be a word such as 'cube'"),
        ("my op", "name must be a word"),
        ("", "name must be a word"),
        (3, "name must be a word"),
    ],
)
def test_names_must_be_words_that_no_built_in_op_has(name, message):
    with pytest.raises(ValueError, match=message):
        autograd.function(lambda x: x, lambda x: 1.0, name=name)


def test_forward_and_derivative_must_be_functions():
    with pytest.raises(TypeError, match="function\\(\\): derivative must be a function, not float"):
        autograd.function(lambda x: x, 1.0, name="f")


def test_a_derivative_written_with_math_is_refused_for_second_derivatives():
    # math.exp(x) calls float(x): on a Value it gives a plain number, whose own derivative
    # (e^x again) would silently be lost.
    exp_by_math = autograd.function(math.exp, math.exp, name="exp_by_math")
    x = Value(0.5)
    assert grad(exp_by_math(x), [x]) == (pytest.approx(math.exp(0.5)),)  # first order: fine
    with pytest.raises(TypeError, match=r"exp_by_math: .* plain number for input 0, but that "
                       r"number changes with the inputs"):  # fmt: skip
        grad(exp_by_math(x), [x], create_graph=True)


def test_a_derivative_written_with_numpy_says_why_it_fails_on_values():
    exp_by_numpy = autograd.function(np.exp, np.exp, name="exp_by_numpy")
    x = Value(0.5)
    called_on_values = r"exp_by_numpy: for second derivatives \(create_graph=True\) derivative "
    with pytest.raises(TypeError, match=called_on_values + "is called on Values, and it raised"):
        grad(exp_by_numpy(x), [x], create_graph=True)


def test_the_repr_and_the_arity():
    assert repr(cube) == "autograd.function('cube')"
    assert (cube.arity, hypot.arity) == (1, 2)
    anything = autograd.function(lambda *xs: sum(xs), lambda *xs: (1.0,) * len(xs), name="total")
    assert anything.arity is None and anything(Value(1.0), Value(2.0), 3.0).data == 6.0
