"""Property tests: backward agrees with central finite differences, op by op and on random graphs.

Tolerance. Central differences with step eps have truncation error about eps²·|f'''|/6 and
rounding error about ε·|f|/eps (ε = 2.2e-16). With eps = 1e-6 and values kept below 1e3,
that is at most ~1e-9 + ~2e-7: atol = 1e-5 and rtol = 1e-4 leave a margin of 50x, while a wrong
local derivative (off by a factor, a sign, a missing term) misses by orders of magnitude.
Kinks (relu, abs, max, ...) have no derivative to check: inputs within 1e-3 of one are
skipped, far beyond eps so the finite difference never straddles a kink.
"""

import math

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from autograd import Value, functional, maximum, minimum, topological_order
from autograd import sum_of as value_sum
from autograd.combine import sum_of_squares

EPS, ATOL, RTOL = 1e-6, 1e-5, 1e-4
KINK_MARGIN = 1e-3
LARGEST = 1e3

finite = st.floats(-3.0, 3.0, allow_nan=False)
positive = st.floats(0.05, 5.0)


def assume_smooth(f, inputs):
    """Rule out inputs where f's graph passes near a kink or through a huge value, or where
    central differences have not converged: sin or cos of a steep argument has third
    derivatives so large that the difference at eps = 1e-6 misses by more than the
    tolerance, while smaller steps converge to backward's answer (hypothesis found such
    graphs). Two differences, at eps and eps/10, must agree to the tolerance first."""
    graph = f(*(Value(x) for x in inputs))
    for node in topological_order(graph):
        assume(abs(node.data) < LARGEST)
        if node.op in {"relu", "abs", "leaky_relu", "elu"}:
            assume(abs(node.parents[0].data) > KINK_MARGIN)
        if node.op in {"max", "min"}:
            assume(abs(node.parents[0].data - node.parents[1].data) > KINK_MARGIN)


def check(f, inputs):
    """gradcheck after ruling out kinks, huge values and unconverged differences."""
    assume_smooth(f, inputs)
    coarse = functional.numerical_grad(f, inputs, eps=EPS)
    fine = functional.numerical_grad(f, inputs, eps=EPS / 10)
    assume(all(math.isclose(a, b, rel_tol=RTOL, abs_tol=ATOL) for a, b in zip(coarse, fine)))
    assert functional.gradcheck(f, inputs, eps=EPS, atol=ATOL, rtol=RTOL)


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
    check(op, [data.draw(domain)])


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(sorted(BINARY)), a=finite, b=finite)
def test_binary_op_derivatives_match_finite_differences(name, a, b):
    check(BINARY[name], [a, b])


# ---------------------------------------------------------------- random expression graphs
# Each step applies an op to the newest node and to any earlier node (so subexpressions are
# shared), sometimes with a number on either side; the newest node is the output, so a graph
# of n steps is at least n deep. Domain-restricted ops get an operand made positive first.

STEPS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b * b + 0.5),
    "pow": lambda a, b: (a * a + 0.5) ** b.tanh(),
    "max": maximum,
    "min": minimum,
    "sum": lambda a, b: value_sum([a, b, 0.5]),
    "sum_of_squares": lambda a, b: sum_of_squares([a, b, a]),
    "number+": lambda a, b: 1.5 + a,
    "-number": lambda a, b: a - 0.25,
    "number*": lambda a, b: 0.75 * a,
    "number/": lambda a, b: 2 / (a * a + 1),
    "number**": lambda a, b: 1.5**a,
    "**number": lambda a, b: (a * a + 0.25) ** 1.5,
    "neg": lambda a, b: -a,
    "abs": lambda a, b: abs(a),
    "exp": lambda a, b: (-(a * a)).exp(),
    "log": lambda a, b: (a * a + 0.5).log(),
    "sqrt": lambda a, b: (a * a + 0.5).sqrt(),
    "tanh": lambda a, b: a.tanh(),
    "sigmoid": lambda a, b: a.sigmoid(),
    "relu": lambda a, b: a.relu(),
    "leaky_relu": lambda a, b: a.leaky_relu(0.05),
    "elu": lambda a, b: a.elu(),
    "softplus": lambda a, b: a.softplus(),
    "sin": lambda a, b: a.sin(),
    "cos": lambda a, b: a.cos(),
}

steps = st.lists(
    st.tuples(st.sampled_from(sorted(STEPS)), st.integers(0, 1000)), min_size=5, max_size=12
)


def build(program):
    def f(*leaves):
        nodes = list(leaves)
        for name, pick in program:
            nodes.append(STEPS[name](nodes[-1], nodes[pick % len(nodes)]))
        return nodes[-1]

    return f


@settings(max_examples=150, deadline=None)
@given(program=steps, inputs=st.lists(finite, min_size=3, max_size=3))
def test_random_graphs_backward_matches_finite_differences(program, inputs):
    check(build(program), inputs)


@settings(max_examples=30, deadline=None)
@given(program=steps, inputs=st.lists(finite, min_size=3, max_size=3))
def test_backward_is_deterministic_and_repeatable(program, inputs):
    f = build(program)
    first = functional.grad(f)(*inputs)
    second = functional.grad(f)(*inputs)
    assert all(a == b or (math.isnan(a) and math.isnan(b)) for a, b in zip(first, second))
