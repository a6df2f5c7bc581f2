"""autograd.testing: the check blames the right op, trusts only converged differences, draws
the failing graph, and its strategies draw what they promise.

The property tests of the engine (test_engine_properties.py, test_second_derivatives.py)
use the strategies and the check on every op; here they are turned on wrong derivatives.
"""

import math
import re
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import FailedHealthCheck, Unsatisfiable

import autograd
import viz.programs
from autograd import Value, topological_order
from autograd.differences import local_disagreements, recompute, rule_disagreements
from autograd.engine import op_result
from autograd.testing import (
    KINK_MARGIN,
    LARGEST,
    OPS,
    Expression,
    GradientMismatch,
    UnreliableFiniteDifferences,
    assert_gradients_match,
    batches,
    expressions,
    values,
)

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs the Graphviz dot program")

# A student's softplus: log(1 + e^x) is right, its derivative 1/(1 + e^x) = σ(−x) is not: σ(x)
student_softplus = autograd.function(
    lambda x: np.logaddexp(0.0, x), lambda x: 1 / (1 + math.e**x), name="student_softplus"
)


def f(x, w):
    return student_softplus(x * w + 0.5).tanh() * w


# ---------------------------------------------------------------- the culprit is named


def test_a_wrong_derivative_is_caught_and_its_op_named():
    with pytest.raises(GradientMismatch) as failure:
        assert_gradients_match(f, 0.8, -1.3, picture=None)
    message = str(failure.value)
    assert re.match(r"∂f/∂[xw] is \S+ by backward, but \S+ by finite differences", message)
    assert "at x = 0.8, w = -1.3" in message  # named after f's parameters
    sigma = 1 / (1 + math.exp(0.54))  # the op's input is 0.8·(-1.3) + 0.5 = -0.54
    assert (
        f"The culprit: student_softplus's local derivative with respect to its input is "
        f"{1 - sigma:.6g} (at student_softplus(-0.54)), but finite differences of "
        f"student_softplus alone give {sigma:.6g}" in message
    )
    assert failure.value.op == "student_softplus" and failure.value.input in ("x", "w")


def test_the_same_op_done_right_passes():
    right = autograd.function(
        lambda x: np.logaddexp(0.0, x), lambda x: 1 / (1 + math.e**-x), name="right_softplus"
    )
    assert_gradients_match(lambda x, w: right(x * w + 0.5).tanh() * w, 0.8, -1.3)
    assert_gradients_match(lambda x, w: right(x * w + 0.5).tanh() * w, 0.8, -1.3, order=2)


def test_a_hypothesis_test_with_expressions_catches_it_and_draws_only_the_reported_example(
    tmp_path, monkeypatch
):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))  # where "auto" pictures go

    @settings(max_examples=200, deadline=None, database=None)
    @given(expressions(ops=[student_softplus, "mul", "add", "tanh"], max_depth=6))
    def test_student_softplus(case):
        g, inputs = case
        assert_gradients_match(g, *inputs)

    with pytest.raises(GradientMismatch) as failure:
        test_student_softplus()
    assert failure.value.op == "student_softplus"
    pictures = list((tmp_path / "autograd-testing").iterdir())
    assert pictures == [failure.value.picture]  # drawn once: not while shrinking
    assert pictures[0].name.startswith("student_softplus-") and pictures[0].suffix == ".png"
    assert f"Picture of the graph (the culprit's edge in red): {pictures[0]}" in str(failure.value)
    notes = "\n".join(getattr(failure.value, "__notes__", []))
    assert "student_softplus(" in notes  # hypothesis shows the shrunk expression


@needs_dot
def test_the_picture_shows_the_culprits_edge_in_red(tmp_path):
    with pytest.raises(GradientMismatch) as failure:
        assert_gradients_match(f, 0.8, -1.3, picture=tmp_path / "failure.dot")
    assert failure.value.picture == tmp_path / "failure.dot"
    dot = (tmp_path / "failure.dot").read_text()
    red = [line for line in dot.splitlines() if 'color="#d62728"' in line and "->" in line]
    assert len(red) == 1  # one edge: from the op's input into its cell
    head = red[0].split("->")[1].split(":")[0].strip()
    op_node = next(line for line in dot.splitlines() if line.strip().startswith(f"{head} "))
    assert "student_softplus" in op_node and "should be" in op_node
    assert "In red: student_softplus&#x27;s local derivative" in dot  # the caption, escaped
    assert "gradients not computed" not in dot  # drawn after backward: grads shown
    with pytest.raises(GradientMismatch) as again:  # the same, as a png
        assert_gradients_match(f, 0.8, -1.3, picture=tmp_path / "failure.png")
    assert str(again.value) == str(failure.value).replace("failure.dot", "failure.png")
    assert (tmp_path / "failure.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_network_s_parameters_keep_their_gradients_and_its_fused_layers_are_drawn(tmp_path):
    model = autograd.nn.MLP(2, [16, 16, 1], activation="tanh", seed=0)
    weight = model.layers[0].neurons[0].w[0]
    weight.grad = 5.0  # from the user's own backward: the check must leave it alone
    xs = np.array([0.3, 1.0]), np.array([-0.7, 0.2])  # a batch: the layers run fused
    with pytest.raises(GradientMismatch) as failure:
        assert_gradients_match(
            lambda a, b: student_softplus(model([a, b])), *xs, picture=tmp_path / "net.dot"
        )
    assert failure.value.op == "student_softplus" and weight.grad == 5.0
    dot = (tmp_path / "net.dot").read_text()
    assert sum('color="#d62728"' in line and "->" in line for line in dot.splitlines()) == 1
    assert "each box is one neuron" in dot  # 700 values: neurons collapsed
    assert "from outside this drawing" not in dot  # its own backward's gradients


def test_without_graphviz_the_picture_is_its_dot_text_and_the_message_says_so(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(viz.programs, "find_program", lambda *args, **kwargs: None)  # none at all
    with pytest.raises(GradientMismatch, match="Graphviz is missing") as failure:
        assert_gradients_match(f, 0.8, -1.3, picture=tmp_path / "failure.png")
    assert failure.value.picture == tmp_path / "failure.dot"
    assert "student_softplus" in (tmp_path / "failure.dot").read_text()


def test_on_a_batch_the_sample_is_named():
    with pytest.raises(GradientMismatch, match=r"∂f/∂x\[1\] is .* at x = \[-2, 0.8\]") as failure:
        assert_gradients_match(f, np.array([-2.0, 0.8]), -1.3, picture=None)
    assert "(at student_softplus(-0.54), sample 1)" in str(failure.value)
    assert "student_softplus is wrong at 1 more samples of the batch" in str(failure.value)


def test_an_op_that_cannot_be_recomputed_is_named_as_a_suspect():
    def by_hand(x):  # a node made without autograd.function: nothing can recompute it
        return op_result(x.data**2, "square_by_hand", (x,), (3 * x.data,))  # 2x is right

    with pytest.raises(GradientMismatch, match="one of these ops, which cannot be recomputed "
                       "to check, is wrong: square_by_hand") as failure:  # fmt: skip
        assert_gradients_match(lambda x: by_hand(x).tanh(), 0.5, picture=None)
    assert failure.value.op is None


def test_labels_of_value_inputs_name_them():
    x = Value(0.8, label="the input")
    with pytest.raises(GradientMismatch, match=r"^∂f/∂the input is .* at the input = 0.8"):
        assert_gradients_match(lambda v: student_softplus(v), x, picture=None)
    assert x.grad is None  # the check used fresh leaves
    with pytest.raises(GradientMismatch, match=r"^∂f/∂x1 is .* at x0 = 0.8, x1 = 0.5"):
        assert_gradients_match(lambda *xs: student_softplus(xs[1]), 0.8, 0.5, picture=None)


# ---------------------------------------------------------------- only trusted differences


def test_at_a_kink_nothing_is_blamed():
    with pytest.raises(UnreliableFiniteDifferences, match=r"there is a kink here, .* 1 and 0"):
        assert_gradients_match(lambda x: x.relu(), 0.0)
    assert_gradients_match(lambda x: x.relu(), 1e-5)  # beyond the step: checked, and right


def test_unconverged_differences_blame_nothing():
    # sin(3e4·x) at 0: its third derivative is so large that the difference at step 1e-6
    # is off by more than the tolerance, while at 1e-7 it is not.
    with pytest.raises(UnreliableFiniteDifferences, match="have not converged: steps 1e-06"):
        assert_gradients_match(lambda x: (x * 3e4).sin(), 0.0)


def test_a_nan_output_has_no_derivative_to_check():
    with pytest.raises(UnreliableFiniteDifferences, match="f is nan at x = -1"):
        assert_gradients_match(lambda x: x.log(), -1.0)


def test_in_a_hypothesis_test_untrustworthy_examples_are_rejected_not_failed():
    @settings(max_examples=20, database=None)
    @given(st.floats(-5e-8, 5e-8))  # |x| within the smaller step: a kink, on every draw
    def test_at_the_kink(x):
        assert_gradients_match(lambda v: v.relu(), x)

    with pytest.raises((Unsatisfiable, FailedHealthCheck)):  # every example was rejected
        test_at_the_kink()


def test_order_2_checks_the_gradient_first():
    with pytest.raises(GradientMismatch, match=r"^∂f/∂v is"):  # not a Hessian entry
        assert_gradients_match(lambda v: student_softplus(v), 0.3, order=2, picture=None)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        ((), {}, ValueError, "needs at least one input"),
        (("a",), {}, TypeError, "input 0: Value data must be"),
        ((Value(1.0) * 2,), {}, ValueError, "input 0 is computed from other Values"),
        ((1.0,), {"order": 3}, ValueError, "order must be 1 .* or 2"),
        ((1.0,), {"eps": 0.0}, ValueError, "eps must be a small positive step"),
        ((1.0,), {"atol": -1.0}, ValueError, "atol and rtol must be numbers >= 0"),
        ((np.ones(2),), {"order": 2}, ValueError, "order=2 checks scalar inputs"),
    ],
)
def test_bad_arguments_get_clear_errors(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        assert_gradients_match(lambda *xs: xs[0] * 2 if xs else Value(0.0), *args, **kwargs)


def test_f_must_return_a_value():
    with pytest.raises(TypeError, match="f must return a Value, got str"):
        assert_gradients_match(lambda x: "x", 1.0)
    assert_gradients_match(lambda x: 3.0, 1.0)  # a constant: every gradient is 0, both ways


# ---------------------------------------------------------------- each node's own check


@settings(max_examples=100, deadline=None)
@given(expressions(max_depth=10), st.booleans())
def test_no_op_of_the_engine_is_blamed_and_every_one_is_recomputed(case, batch):
    g, inputs = case
    if batch:  # the same graph on a batch of the inputs and their halves
        inputs = [np.array([x, x / 2]) for x in inputs]
    root = g(*(Value(x) for x in inputs))
    assert local_disagreements(root, 1e-6, 1e-5, 1e-4) == ([], [])
    assert rule_disagreements(root, 1e-6, 1e-4, 1e-3) == ([], [])


EVERY_OP = {
    "neg": lambda a, b: -a, "abs": lambda a, b: abs(a), "sum": lambda a, b: a.sum(),
    "mean": lambda a, b: a.mean(), "sum_of": lambda a, b: autograd.sum_of([a, b, 2.0]),
    "l2": lambda a, b: autograd.losses.l2([a, b]), "c-": lambda a, b: 1.5 - a,
    "c/": lambda a, b: 1.5 / a, "c**": lambda a, b: 1.5**a, "**c": lambda a, b: abs(a) ** 2.5,
    "/c": lambda a, b: a / 4, "-c": lambda a, b: a - 4, "batch*": lambda a, b: a * np.ones(2),
    "leaky": lambda a, b: a.leaky_relu(0.2), "elu": lambda a, b: a.elu(0.7),
    "max": autograd.maximum, "min": autograd.minimum, "**": lambda a, b: abs(a) ** b,
    **{name: (lambda a, b, name=name: getattr(a, name)()) for name in
       ["exp", "log", "sqrt", "tanh", "sigmoid", "relu", "softplus", "sin", "cos"]},
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(EVERY_OP))
@pytest.mark.parametrize("batch", [False, True])
def test_recompute_finds_every_op_of_the_engine(name, batch):
    a, b = (Value(np.array([0.7, 1.3])), Value(np.array([0.4, -0.2]))) if batch else (0.7, 0.4)
    node = EVERY_OP[name](Value(a) if not batch else a, Value(b) if not batch else b)
    again = recompute(node)
    assert again is not None, node.op
    moved = again([p.data * 1.1 for p in node.parents])
    assert moved.op == node.op and not np.array_equal(moved.data, node.data)


def test_recompute_knows_no_node_made_by_hand():
    x = Value(2.0)
    assert recompute(op_result(4.0, "square_by_hand", (x,), (4.0,))) is None


# ---------------------------------------------------------------- the strategies


@settings(max_examples=100, deadline=None)
@given(expressions(ops=["relu", "max", "log", "mul", "exp"], max_depth=8, n_inputs=2))
def test_expressions_keep_away_from_singularities_and_kinks(case):
    g, inputs = case
    assert len(inputs) == 2 and all(-3 <= x <= 3 for x in inputs)
    for node in topological_order(g(*(Value(x) for x in inputs))):
        assert abs(node.data) < LARGEST
        assert all(abs(d) < LARGEST for d in node.local_grads)
        if node.op == "relu":
            assert abs(node.parents[0].data) > KINK_MARGIN
        if node.op == "max":
            assert abs(node.parents[0].data - node.parents[1].data) > KINK_MARGIN


# Raw division often meets a denominator near 0 (hypothesis likes 0.0): filtered, by design.
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(expressions(ops=[lambda a, b: a / b, "add"], max_depth=3, batch_size=3))
def test_expressions_on_batches_and_with_a_plain_function_of_two_values(case):
    g, inputs = case
    assert [x.shape for x in inputs] == [(3,)] * 3
    assert "op0(" in repr(g) or "+" in repr(g)  # a lambda has no name of its own: op0
    for node in topological_order(g(*(Value(x) for x in inputs))):
        assert all(np.all(np.abs(d) < LARGEST) for d in node.local_grads)  # no b near 0
    assert_gradients_match(g, *inputs)


@settings(max_examples=30, deadline=None)
@given(values(0.5, 2.0), batches(-1.0, 1.0, min_size=2, max_size=3))
def test_values_and_batches_are_leaves_in_their_bounds(x, xs):
    assert x.parents == () and 0.5 <= x.data <= 2.0
    assert xs.parents == () and 2 <= xs.batch_size <= 3 and np.all(np.abs(xs.data) <= 1.0)


def test_an_expression_reads_as_its_program():
    g = Expression([("mul", 0), ("log", 0), ("max", 1)], n_inputs=2)
    assert repr(g) == ("Expression('v0 = x1 * x0; v1 = log(v0 * v0 + 0.5); v2 = maximum(v1, x1)')")
    assert g(Value(2.0), Value(3.0)).data == pytest.approx(math.log(36.5))
    with pytest.raises(TypeError, match="this expression takes 2 inputs, got 1"):
        g(Value(1.0))
    with pytest.raises(ValueError, match="unknown step 'gelu'"):
        Expression([("gelu", 0)])
    assert set(OPS) >= {"add", "mul", "div", "log", "sqrt", "exp", "tanh", "relu", "max"}


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"ops": ["gelu"]}, ValueError, r"ops\[0\]: unknown op 'gelu'"),
        ({"ops": "mul"}, TypeError, "ops must be a non-empty list"),
        ({"ops": [3]}, TypeError, r"ops\[0\] must be an op name or a function, not int"),
        ({"ops": [lambda a, b, c: a]}, ValueError, "must take one or two Values, not 3"),
        ({"max_depth": 0}, ValueError, "max_depth must be a whole number >= min_depth"),
        ({"n_inputs": 0}, ValueError, "n_inputs must be a whole number >= 1"),
        ({"min_value": 2.0, "max_value": 1.0}, ValueError, "min_value 2.0 is above max_value"),
        ({"batch_size": 0}, ValueError, "batch_size must be None or a whole number >= 1"),
    ],
)
def test_expressions_refuse_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        expressions(**kwargs)


# ---------------------------------------------------------------- what it needs, and when


def run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True
    )


def test_importable_and_usable_without_pytest_or_hypothesis_and_no_viz_until_a_failure():
    result = run("""
        import sys
        sys.modules["pytest"] = sys.modules["hypothesis"] = None  # as if not installed
        import autograd
        assert "autograd.testing" not in sys.modules and "viz" not in sys.modules
        from autograd.testing import assert_gradients_match, expressions
        assert_gradients_match(lambda x: x.tanh() * x, 0.5, order=2)
        assert "viz" not in sys.modules
        try:
            expressions()
        except ImportError as error:
            print(error)
        """)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "draws examples with hypothesis, which is not installed: pip install " in result.stdout
    assert '"autograd-viz[testing]"' in result.stdout
