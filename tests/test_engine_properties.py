"""Property tests: backward agrees with central finite differences, op by op and on random graphs.

Tolerance. Central differences with step eps have truncation error about eps²·|f'''|/6 and
rounding error about ε·|f|/eps (ε = 2.2e-16). With eps = 1e-6 and values kept below 1e3,
that is at most ~1e-9 + ~2e-7: atol = 1e-5 and rtol = 1e-4 leave a margin of 50x, while a wrong
local derivative (off by a factor, a sign, a missing term) misses by orders of magnitude.
Kinks (relu, abs, max, ...) have no derivative to check: random graphs keep every kink's
operand 1e-3 away, far beyond eps (``autograd.testing.expressions``), and a single op drawn
at its kink is rejected by the check itself, whose one-sided differences disagree there.

The strategies and the check are ``autograd.testing``'s, so these tests are its tests too.
"""

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import functional, maximum, minimum
from autograd import sum_of as value_sum
from autograd.testing import assert_gradients_match, expressions, values

EPS, ATOL, RTOL = 1e-6, 1e-5, 1e-4

finite = values(-3.0, 3.0)
positive = values(0.05, 5.0)


def check(f, *inputs):
    """Backward against central differences (at eps and eps/10, which must agree first; a
    kink or an unconverged difference rejects the example), with the bounds above."""
    assert_gradients_match(f, *inputs, eps=EPS, atol=ATOL, rtol=RTOL)


# ---------------------------------------------------------------- op by op, on its domain

UNARY = {
    "neg": (lambda a: -a, finite),
    "abs": (abs, finite),
    "exp": (lambda a: a.exp(), finite),
    "log": (lambda a: a.log(), positive),
    "sqrt": (lambda a: a.sqrt(), positive),
    "tanh": (lambda a: a.tanh(), finite),
    "sigmoid": (lambda a: a.sigmoid(), finite),
    "relu": (lambda a: a.relu(), finite),
    "leaky_relu": (lambda a: a.leaky_relu(0.1), finite),
    "elu": (lambda a: a.elu(1.5), finite),
    "softplus": (lambda a: a.softplus(), finite),
    "sin": (lambda a: a.sin(), finite),
    "cos": (lambda a: a.cos(), finite),
    "pow_number": (lambda a: a**2.5, positive),
    "rpow": (lambda a: 3**a, finite),
    "rsub": (lambda a: 2 - a, finite),
    "rdiv": (lambda a: 1 / a, positive),
    "sum": (lambda a: a.sum(), finite),
    "mean": (lambda a: a.mean(), finite),
}

BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b * b + 0.5),
    "pow": lambda a, b: (a * a + 0.5) ** b,
    "maximum": maximum,
    "minimum": minimum,
    "sum": lambda a, b: value_sum([a, b, a * b, 1.5]),
}


def test_every_op_is_covered():
    ops = {
        "neg",
        "abs",
        "exp",
        "log",
        "sqrt",
        "tanh",
        "sigmoid",
        "relu",
        "leaky_relu",
        "elu",
        "softplus",
        "sin",
        "cos",
        "sum",
        "mean",
    }
    assert ops <= set(UNARY)
    assert {"add", "sub", "mul", "div", "pow", "maximum", "minimum"} <= set(BINARY)


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(sorted(UNARY)), data=st.data())
def test_unary_op_derivative_matches_finite_differences(name, data):
    op, domain = UNARY[name]
    check(op, data.draw(domain))


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(sorted(BINARY)), a=finite, b=finite)
def test_binary_op_derivatives_match_finite_differences(name, a, b):
    check(BINARY[name], a, b)


# ---------------------------------------------------------------- random expression graphs
# Each step applies an op to the newest node and to any earlier node (so subexpressions are
# shared), sometimes with a number on either side; the newest node is the output, so a graph
# of n steps is at least n deep. Domain-restricted ops get an operand made positive first
# (autograd.testing.OPS lists them).


@settings(max_examples=150, deadline=None)
@given(expressions(min_depth=5, max_depth=12, n_inputs=3))
def test_random_graphs_backward_matches_finite_differences(case):
    f, inputs = case
    check(f, *inputs)


@settings(max_examples=30, deadline=None)
@given(expressions(min_depth=5, max_depth=12, n_inputs=3, smooth=False))
def test_backward_is_deterministic_and_repeatable(case):
    f, inputs = case
    first = functional.grad(f)(*inputs)
    second = functional.grad(f)(*inputs)
    assert all(a == b or (math.isnan(a) and math.isnan(b)) for a, b in zip(first, second))
