"""The engine's second design: what each part promises, and the bugs the first one had.

Each test here failed on the first design (a process-wide batch flag, global modes, one
loop for scalars and another for batches, constants as leaves, ...).
"""

import ast
import contextlib
import math
import subprocess
import sys
import threading
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value, combine, functional, no_grad, scope, topological_order
from autograd.testing import OPS, Expression

ENGINE = Path(autograd.__file__).parent / "engine.py"  # the source, compiled or not


# ---------------------------------------------------------------- batches are a fact of data


def test_a_batch_assigned_to_data_gives_right_gradients_in_a_fresh_process():
    """The first design chose its backward loop from a flag set the first time any batch was
    made, so this gave w.grad == [0.33, 0.67, 1.0] in a fresh process."""
    code = (
        "import numpy as np\n"
        "from autograd import Value\n"
        "w = Value(2.0); x = Value(1.0); x.data = np.array([1., 2., 3.])\n"
        "(w * x).mean().backward()\n"
        "print(repr(w.grad), repr(x.grad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    w_grad, _ = result.stdout.split(" ", 1)
    assert w_grad == "2.0"  # mean of x = 2, a plain float like the weight it belongs to


@pytest.mark.parametrize(
    ("assigned", "expected"),
    [(3, 3.0), (np.float64(0.5), 0.5), (np.clip(np.float64(2.0), -1, 1), 1.0), (np.int32(4), 4.0)],
)
def test_assigned_numbers_become_plain_floats(assigned, expected):
    p = Value(0.0)
    p.data = assigned
    assert p.data.__class__ is float and p.data == expected
    y = p * p + 1  # the next forward works (numpy float64 had no len())
    y.backward()
    assert p.grad == 2 * expected


@pytest.mark.parametrize(
    ("assigned", "message"),
    [("1", "not str"), (None, "not NoneType"), (True, "not bool"), ([1.0], "not list"),
     (np.zeros((2, 2)), "1-D"), (1j, "not complex")],
)  # fmt: skip
def test_assigning_data_that_is_not_a_number_is_a_clear_error(assigned, message):
    p = Value(1.0)
    with pytest.raises((TypeError, ValueError), match=message):
        p.data = assigned
    assert p.data == 1.0


def test_backward_on_a_batch_root_needs_an_explicit_gradient():
    w, x = Value(2.0), Value(np.array([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match=r"implicitly created only for a scalar.*mean"):
        (w * x).backward()
    assert w.grad is None and x.grad is None  # nothing half-done
    (w * x).backward(np.ones(3))  # with one, the weight's gradient is summed: 1 + 2 + 3
    assert w.grad == 6.0


def test_a_batch_gradient_for_a_scalar_root_is_an_error():
    with pytest.raises(ValueError, match="a gradient of 3 samples for a number"):
        (Value(2.0) * 3).backward(np.ones(3))


def test_comparing_batches_of_different_sizes_names_the_sizes():
    with pytest.raises(ValueError, match=r"different sizes \[2, 3\]"):
        _ = Value(np.ones(2)) < Value(np.ones(3))


@pytest.mark.parametrize(
    "op",
    [lambda v, a: v**a, lambda v, a: a**v, lambda v, a: v + a, lambda v, a: a / v],
    ids=["value**array", "array**value", "value+array", "array/value"],
)
def test_an_array_operand_is_a_batch_of_constants_for_every_op(op):
    a = np.array([1.0, 2.0, 3.0])
    v = Value(2.0)
    out = op(v, a)
    assert out.batch_size == 3
    out.sum().backward()
    assert v.grad.__class__ is float  # summed over the batch: v is one number


# ---------------------------------------------------------------- IEEE results, no warnings

SPECIAL = np.array([0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 1e308, -1e308, 0.5])

BATCH_OPS = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "**": lambda a, b: a**b,
    "**0.5": lambda a, b: a**0.5,
    "**0": lambda a, b: a**0,
    "exp": lambda a, b: a.exp(),
    "log": lambda a, b: a.log(),
    "sqrt": lambda a, b: a.sqrt(),
    "sin": lambda a, b: a.sin(),
    "elu": lambda a, b: a.elu(),
    "softplus": lambda a, b: a.softplus(),
    "sigmoid": lambda a, b: a.sigmoid(),
    "max": autograd.maximum,
}


@pytest.mark.parametrize("name", sorted(BATCH_OPS))
def test_batches_give_the_same_ieee_results_as_floats_and_never_warn(name):
    op = BATCH_OPS[name]
    a = np.repeat(SPECIAL, len(SPECIAL))
    b = np.tile(SPECIAL, len(SPECIAL))
    with warnings.catch_warnings(record=True) as caught:  # the filters as they are
        batch_a, batch_b = Value(a), Value(b)
        out = op(batch_a, batch_b)
        out.sum().backward()
        for i in range(len(a)):
            x, y = Value(float(a[i])), Value(float(b[i]))
            single = op(x, y)
            single.backward()
            assert _same(single.data, out.data[i]), (a[i], b[i])
            assert _same(x.grad, batch_a.grad[i]), (a[i], b[i])
            if batch_b.grad is not None:  # a binary op
                assert _same(y.grad, batch_b.grad[i]), (a[i], b[i])
    assert not caught, [str(w.message) for w in caught]


def test_batches_never_warn_even_under_python_w_error():
    code = (
        "import numpy as np\n"
        "from autograd import Value, maximum\n"
        "x = Value(np.array([0.0, np.inf, -np.inf, np.nan, 1e308]))\n"
        "y = Value(np.array([np.inf, 0.0, -np.inf, 2.0, 1e308]))\n"
        "out = (x * y + x - y + x / y + abs(x) ** y + x.exp() + x.log() + maximum(x, y)).sum()\n"
        "out.backward()\n"
        "np.seterr(all='warn')\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], capture_output=True, text=True
    )
    assert result.stdout == "ok\n", result.stderr
    # numpy itself still warns for the user's own code: the filter names autograd only
    user = "import numpy as np\nimport autograd\nnp.log(np.zeros(1))\n"
    result = subprocess.run([sys.executable, "-W", "error", "-c", user], capture_output=True)
    assert result.returncode != 0 and b"RuntimeWarning" in result.stderr


def _same(p: float, q: float) -> bool:
    return p == q or (math.isnan(p) and math.isnan(q))


# ---------------------------------------------------------------- derivatives of pow at 0


def test_pow_derivatives_at_zero_follow_pytorch():
    for base in (0.0, math.nan):
        x, y = Value(base), Value(0.0)
        (x**y).backward()
        assert x.grad == 0.0  # x ** 0 is the constant 1 (the `x ** 0` path agrees)
    x = Value(0.0)
    (x**0).backward()
    assert x.grad == 0.0
    y = Value(-2.0)
    (0**y).backward()
    assert y.grad == -math.inf  # 0^y · ln 0 for y < 0, as PyTorch and the Value**Value path
    base, y = Value(0.0), Value(-2.0)
    (base**y).backward()
    assert y.grad == -math.inf
    y = Value(2.0)
    (0**y).backward()
    assert y.grad == 0.0


# ---------------------------------------------------------------- modes per thread


def test_no_grad_in_one_thread_does_not_stop_another_from_recording():
    inside, done = threading.Event(), threading.Event()

    def holds_no_grad():
        with no_grad():
            inside.set()
            done.wait(5)

    thread = threading.Thread(target=holds_no_grad)
    thread.start()
    inside.wait(5)
    try:
        assert autograd.is_grad_enabled()
        y = Value(2.0) * Value(3.0)
        assert len(y.parents) == 2
    finally:
        done.set()
        thread.join()


def test_overlapping_no_grad_blocks_in_two_threads_leave_recording_on():
    """The first design restored a global flag: A enters, B enters, A leaves (restores
    'off' saved from... no: restores True), B leaves (restores False): off for good."""
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def a():
        with no_grad():
            a_in.set()
            b_in.wait(5)
        a_out.set()
        seen["a"] = autograd.is_grad_enabled()

    def b():
        a_in.wait(5)
        with no_grad():
            b_in.set()
            a_out.wait(5)
        seen["b"] = autograd.is_grad_enabled()

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {"a": True, "b": True}
    assert autograd.is_grad_enabled()


def test_modes_nest_and_restore_on_exceptions():
    with pytest.raises(RuntimeError), no_grad(), autograd.detect_anomaly(), scope("L0"):
        assert not autograd.is_grad_enabled()
        with autograd.enable_grad(), scope("N1"):
            assert autograd.is_grad_enabled() and (Value(1.0) + 1).scope == "L0.N1"
        raise RuntimeError
    y = Value(1.0) + 1
    assert autograd.is_grad_enabled() and y.scope == "" and y.parents
    assert (Value(-1.0).log()).data != (Value(-1.0).log()).data  # nan, no anomaly error


@pytest.mark.parametrize("name", ["", ".a", "a.", "a..b", 3])
def test_bad_scope_names_are_refused(name):
    with pytest.raises(ValueError, match="scope name"):
        scope(name)


@settings(max_examples=20, deadline=None)
@given(
    programs=st.lists(
        st.lists(st.tuples(st.sampled_from(sorted(OPS)), st.integers(0, 99)), min_size=5,
                 max_size=10),
        min_size=2, max_size=4),
    inputs=st.lists(st.floats(-2, 2), min_size=3, max_size=3),
)  # fmt: skip
def test_separate_threads_with_separate_graphs_get_exact_gradients(programs, inputs):
    def gradients(program):
        leaves = [Value(x) for x in inputs]
        out = Expression(program)(*leaves)
        out.backward()
        return [leaf.grad for leaf in leaves]

    expected = [gradients(p) for p in programs]
    results: dict[int, list] = {}
    barrier = threading.Barrier(len(programs))

    def run(i):
        barrier.wait(5)  # all threads build and differentiate at the same time
        results[i] = [gradients(programs[i]) for _ in range(20)]

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(programs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, runs in results.items():
        for got in runs:
            assert all(_same(g, e) for g, e in zip(got, expected[i]))


def test_a_graph_built_in_another_thread_is_differentiated_correctly_here():
    x = Value(1.5)
    box = {}
    thread = threading.Thread(target=lambda: box.update(y=(x * x).tanh() * x))
    thread.start()
    thread.join()
    box["y"].backward()  # not on this thread's tape: found by the depth-first search
    t = math.tanh(2.25)
    assert x.grad == pytest.approx((1 - t * t) * 2 * 1.5 * 1.5 + t, rel=1e-12)


# ---------------------------------------------------------------- the tape keeps its promises


@settings(max_examples=60, deadline=None)
@given(
    program=st.lists(st.tuples(st.sampled_from(sorted(OPS)), st.integers(0, 99)), min_size=5,
                     max_size=12),
    inputs=st.lists(st.floats(-2, 2), min_size=3, max_size=3),
    pick=st.integers(0, 99),
    new_data=st.one_of(st.floats(-2, 2), st.integers(-3, 3)),
)  # fmt: skip
def test_backward_visits_every_node_after_the_nodes_made_from_it(program, inputs, pick, new_data):
    """Several live graphs sharing leaves, backward on a sub-expression, backward twice, and
    data assigned between forward passes: backward's order holds the nodes of
    topological_order, each before its parents, and leaves no mark behind."""
    from autograd.node import reverse_order

    leaves = [Value(x) for x in inputs]
    leaves[pick % 3].data = new_data  # assigned data, as a user may
    other = Expression(list(reversed(program)))(*leaves)  # another live graph, same leaves
    nodes = list(leaves)
    for name, p in program:
        nodes.append(OPS[name](nodes[-1], nodes[p % len(nodes)]))
        _ = other * nodes[-1]  # interleaved nodes of a graph nobody differentiates
    sub = nodes[len(nodes) // 2 + 1]  # a sub-expression
    for root in (sub, nodes[-1], nodes[-1]):
        visits, reached = reverse_order(root)
        order = topological_order(root)
        assert set(visits) | set(reached) == set(order)
        assert set(reached) == {node for node in order if not node.parents}
        place = {node: k for k, node in enumerate(visits)}
        for node in visits:
            assert all(place.get(p, len(visits)) > place[node] for p in node.parents)
        assert not any(node._uses for node in order)  # the counts are back to 0
        root.backward()
        assert all(leaf.grad is not None for leaf in reached)


def test_backward_twice_adds_one_more_gradient_to_each_leaf_only():
    x = Value(0.3)
    h = (x * x).tanh()
    y = h * x
    y.backward()
    first, h_grad = x.grad, h.grad
    y.backward()
    assert x.grad == 2 * first and h.grad == h_grad  # intermediate: recomputed, not summed


def test_memory_per_op_node_of_a_chain_with_constants_is_at_most_250_bytes():
    y = Value(1.0)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(20_000):
        y = y * 1.0001 + 0.0001
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert used / 40_000 <= 250


# ---------------------------------------------------------------- no_grad results, names


def test_a_result_made_under_no_grad_is_a_leaf_that_collects_its_gradient():
    x = Value(2.0)
    with no_grad():
        frozen = x * 3
    y = frozen * x
    y.backward()
    assert frozen.parents == () and frozen.grad == 2.0  # a leaf, like any other
    assert x.grad == 6.0  # nothing flows through frozen back to x


def test_star_import_does_not_shadow_the_builtin_sum():
    namespace: dict = {}
    exec("from autograd import *", namespace)
    assert "sum" not in namespace and "sum_of" in namespace


def test_numerical_grad_restores_its_input_when_f_raises():
    x = Value(1.5)

    def f(v):
        if v.data != 1.5:
            raise RuntimeError("boom")
        return v

    with pytest.raises(RuntimeError):
        functional.numerical_grad(f, [x])
    assert x.data == 1.5


def test_gradcheck_leaves_closure_parameters_alone():
    w = Value(3.0)
    w.grad = 7.0
    assert functional.gradcheck(lambda x: x * w, [2.0])
    assert w.grad == 7.0


def test_a_deep_copy_of_a_model_is_independent_and_differentiable():
    import copy

    from autograd.nn import MLP

    model = MLP(2, [3, 1], seed=0)
    twin = copy.deepcopy(model)
    assert twin.state_dict() == model.state_dict()
    twin(np.array([1.0, -1.0])).backward()
    assert all(p.grad is None for p in model.parameters())
    assert any(p.grad for p in twin.parameters())


def test_float_and_bool_work_like_pytorch():
    assert float(Value(2.5)) == 2.5 and bool(Value(1.0)) and not bool(Value(0.0))
    with pytest.raises(ValueError, match="ambiguous"):
        bool(Value(np.array([1.0, 0.0])))
    with pytest.raises(ValueError, match="batch of 2"):
        float(Value(np.array([1.0, 0.0])))


# ---------------------------------------------------------------- engine.py reads as the lesson


def test_a_reader_meets_the_chain_rule_early_and_it_is_the_loop_that_runs():
    lines = ENGINE.read_text().splitlines()
    (rule,) = [i + 1 for i, line in enumerate(lines) if line.strip().endswith("# the chain rule")]
    assert rule <= 150  # after the module's docstring, Value's +, * and tanh
    tree = ast.parse(ENGINE.read_text())
    value = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Value")
    first_methods = [n.name for n in value.body if isinstance(n, ast.FunctionDef)][:4]
    assert first_methods == ["__add__", "__mul__", "tanh", "backward"]  # fields: node.py
    if autograd.COMPILED:
        pytest.skip("compiled engine.py runs no Python lines to trace: the pure pass does")

    ran: list[str] = []

    def tracer(frame, event, arg):
        if frame.f_code.co_filename == str(ENGINE) and event == "call":
            ran.append(frame.f_code.co_name)
        if frame.f_code.co_filename == str(ENGINE) and event == "line" and frame.f_lineno == rule:
            ran.append("the chain rule")
        return tracer

    w, x = Value(2.0), Value(np.array([1.0, 2.0]))
    sys.settrace(tracer)
    try:
        (w * 3.0).tanh().backward()  # scalar graph: its numbers, unboxed
        scalar = list(ran)
        ran.clear()
        (w * x).mean().backward()  # batch graph
    finally:
        sys.settrace(None)
    # One rule: numbers go through contribution()'s own number case, the rest through the line.
    assert "contribution_of_numbers" in scalar and "the chain rule" not in scalar
    assert "the chain rule" in ran and "contribution" in ran


@settings(max_examples=100, deadline=None)
@given(
    program=st.lists(st.tuples(st.sampled_from(sorted(OPS)), st.integers(0, 99)), min_size=3,
                     max_size=10),
    inputs=st.lists(st.floats(-2, 2), min_size=3, max_size=3),
)  # fmt: skip
def test_the_unboxed_numbers_and_the_general_loop_give_the_same_gradients_bit_for_bit(
    program, inputs
):
    """detect_anomaly() sends every node through the general loop (it checks each one)."""
    f = Expression(program)
    results = []
    for general in (False, True):
        leaves = [Value(x) for x in inputs]
        out = f(*leaves)
        try:
            with autograd.detect_anomaly() if general else contextlib.nullcontext():
                out.backward()
        except FloatingPointError:
            assume(False)  # an inf or nan on the way: the check stops there, as it should
        results.append([None if g is None else float(g).hex() for g in (x.grad for x in leaves)])
    assert results[0] == results[1]


def test_node_init_is_the_one_place_a_node_gets_its_fields():
    source = (ENGINE.parent / "node.py").read_text()
    tree = ast.parse(source)
    node = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Node")
    (slots,) = [
        ast.literal_eval(n.value)
        for n in node.body
        if isinstance(n, ast.Assign) and n.targets[0].id == "__slots__"  # type: ignore[attr-defined]
    ]
    init = next(n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__")
    assigned = {
        target.attr
        for n in ast.walk(init)
        if isinstance(n, ast.Assign | ast.AnnAssign)
        for target in (n.targets if isinstance(n, ast.Assign) else [n.target])
        if isinstance(target, ast.Attribute) and target.value.id == "self"  # type: ignore[attr-defined]
    }
    assert assigned >= set(slots)  # (and data, label: properties that check what they get)
    for text in (source, ENGINE.read_text()):
        assert "object.__new__" not in text  # no node skips __init__
    x = Value(1.0)
    y = x + 1
    assert all(hasattr(y, name) for name in slots)
    assert topological_order(y) == [x, y]


# ---------------------------------------------------------------- a weight on batch and plain paths


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_a_weight_used_by_a_batch_and_by_a_plain_term_gets_each_share_once(n):
    """Found while writing notebook 09: summing a float node's per-sample gradient after the
    sweep also multiplied its plain shares by the batch size (8.0 instead of 2.4 at n = 5)."""
    w = Value(0.7)
    ((w * Value(np.ones(n))).mean() + w * w).backward()
    assert w.grad == pytest.approx(1 + 2 * 0.7, rel=1e-15)


@settings(max_examples=60, deadline=None)
@given(
    program=st.lists(st.tuples(st.sampled_from(sorted(OPS)), st.integers(0, 99)), min_size=3,
                     max_size=8),
    samples=st.lists(st.floats(-2, 2), min_size=1, max_size=4),
    w=st.floats(-2, 2),
)  # fmt: skip
def test_batch_plus_plain_terms_equal_the_sum_of_one_graph_per_sample(program, samples, w):
    f = Expression(program)
    weight = Value(w)
    batch = f(weight, Value(np.array(samples)), weight * 0.5)  # w on batch paths and plain ones
    assume(batch.batch_size is not None)  # else it is one number, not one per sample
    loss = batch.sum() + f(weight, weight, Value(0.3))  # and a term with no batch at all
    loss.backward()
    expected = 0.0
    for x in samples:
        v = Value(w)
        f(v, Value(x), v * 0.5).backward()
        expected += v.grad or 0.0
    v = Value(w)
    f(v, v, Value(0.3)).backward()
    expected += v.grad or 0.0
    got = weight.grad or 0.0
    assert _same(got, expected) or got == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_sum_of_squares_refuses_batches_of_different_sizes_like_sum_of():
    a, b = Value(np.ones(2)), Value(np.ones(3))
    for n_ary in (autograd.sum_of, combine.sum_of_squares):
        with pytest.raises(ValueError, match=r"different sizes \[2, 3\]"):
            n_ary([a, b])
    with pytest.raises(ValueError, match=r"different sizes \[1, 3\]"):  # no silent broadcast
        combine.sum_of_squares([Value(np.ones(1)), b])
