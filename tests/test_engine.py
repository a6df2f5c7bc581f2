"""Hand-derived values for every op and for small graphs, reuse, repeated backward, modes."""

import gc
import math
import sys
import threading
import tracemalloc
import weakref

import numpy as np
import pytest

import autograd
from autograd import Value, maximum, minimum, no_grad


def grads_after_backward(out: Value, *leaves: Value) -> list[float]:
    out.backward()
    return [leaf.grad for leaf in leaves]


# ---------------------------------------------------------------- every op, by hand
# (op, x, expected f(x), expected f'(x)) — derivatives worked out on paper.
UNARY = [
    (lambda v: -v, 3.0, -3.0, -1.0),
    (abs, -2.0, 2.0, -1.0),
    (abs, 2.0, 2.0, 1.0),
    (lambda v: v.exp(), 0.0, 1.0, 1.0),
    (lambda v: v.log(), math.e, 1.0, 1 / math.e),
    (lambda v: v.sqrt(), 4.0, 2.0, 0.25),
    (lambda v: v.tanh(), 0.0, 0.0, 1.0),
    (lambda v: v.sigmoid(), 0.0, 0.5, 0.25),
    (lambda v: v.relu(), 2.0, 2.0, 1.0),
    (lambda v: v.relu(), -2.0, 0.0, 0.0),
    (lambda v: v.leaky_relu(), -2.0, -0.02, 0.01),
    (lambda v: v.leaky_relu(0.2), 3.0, 3.0, 1.0),
    (lambda v: v.elu(), -1.0, math.exp(-1) - 1, math.exp(-1)),
    (lambda v: v.elu(2.0), 1.0, 1.0, 1.0),
    (lambda v: v.softplus(), 0.0, math.log(2), 0.5),
    (lambda v: v.sin(), 0.0, 0.0, 1.0),
    (lambda v: v.cos(), 0.0, 1.0, 0.0),
    (lambda v: v**2, 3.0, 9.0, 6.0),
    (lambda v: v**-1, 2.0, 0.5, -0.25),
    (lambda v: v**0.5, 4.0, 2.0, 0.25),
    (lambda v: 2**v, 3.0, 8.0, 8 * math.log(2)),
    (lambda v: 2 - v, 5.0, -3.0, -1.0),
    (lambda v: 1 / v, 4.0, 0.25, -1 / 16),
    (lambda v: 3 * v, 2.0, 6.0, 3.0),
    (lambda v: 3 + v, 2.0, 5.0, 1.0),
    (lambda v: v.sum(), 2.0, 2.0, 1.0),
    (lambda v: v.mean(), 2.0, 2.0, 1.0),
]


@pytest.mark.parametrize(("op", "x", "value", "derivative"), UNARY)
def test_unary_op_value_and_derivative(op, x, value, derivative):
    v = Value(x)
    out = op(v)
    out.backward()
    assert out.data == pytest.approx(value, rel=1e-12)
    assert v.grad == pytest.approx(derivative, rel=1e-12)


@pytest.mark.parametrize(
    ("op", "a", "b", "value", "da", "db"),
    [
        (lambda a, b: a + b, 2.0, 3.0, 5.0, 1.0, 1.0),
        (lambda a, b: a - b, 2.0, 3.0, -1.0, 1.0, -1.0),
        (lambda a, b: a * b, 2.0, 3.0, 6.0, 3.0, 2.0),
        (lambda a, b: a / b, 3.0, 2.0, 1.5, 0.5, -0.75),
        (lambda a, b: a**b, 2.0, 3.0, 8.0, 12.0, 8 * math.log(2)),
        (maximum, 2.0, 3.0, 3.0, 0.0, 1.0),
        (maximum, 3.0, 3.0, 3.0, 0.5, 0.5),  # a tie splits the gradient
        (minimum, 2.0, 3.0, 2.0, 1.0, 0.0),
        (lambda a, b: autograd.sum_of([a, b, a]), 2.0, 3.0, 7.0, 2.0, 1.0),
    ],
)
def test_binary_op_value_and_derivatives(op, a, b, value, da, db):
    va, vb = Value(a), Value(b)
    out = op(va, vb)
    assert out.data == pytest.approx(value, rel=1e-12)
    assert grads_after_backward(out, va, vb) == pytest.approx([da, db], rel=1e-12)


def test_local_grads_are_recorded_at_forward_time_in_operand_order():
    a, b = Value(2.0), Value(5.0)
    out = a * b
    assert out.parents == (a, b)
    assert out.local_grads == (5.0, 2.0)
    assert out.op == "*"
    assert out.grad is None  # not computed yet


def test_a_number_operand_is_part_of_the_op_not_a_leaf_of_its_own():
    x = Value(4.0)
    for out, expected, op in [
        (x + 1, 5.0, "+1"),
        (1 + x, 5.0, "+1"),
        (x - 1, 3.0, "-1"),
        (1 - x, -3.0, "1-"),
        (x * 2, 8.0, "*2"),
        (2 * x, 8.0, "*2"),
        (x / 2, 2.0, "/2"),
        (2 / x, 0.5, "2/"),
        (x**2, 16.0, "**2"),
        (2**x, 16.0, "2**"),
    ]:
        assert out.data == expected
        assert out.parents == (x,)
        assert out.op == op
        assert out.constant in (1.0, 2.0)


def test_a_number_exponent_is_part_of_the_op():
    x = Value(3.0)
    assert (x**2).parents == (x,)
    assert (x**2).op == "**2"
    assert (2**x).op == "2**"


# ---------------------------------------------------------------- small graphs


def test_classic_neuron_matches_the_hand_derivation():
    # micrograd's neuron: o = tanh(x1 w1 + x2 w2 + b), with n = 0.8814 so that o = 1/sqrt(2)
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.backward()
    assert o.data == pytest.approx(1 / math.sqrt(2), rel=1e-12)
    # do/dn = 1 - o² = 0.5; then dn/dw1 = x1, dn/dx1 = w1, ...
    assert [x1.grad, w1.grad, x2.grad, w2.grad, b.grad] == pytest.approx(
        [-1.5, 1.0, 0.5, 0.0, 0.5], rel=1e-12
    )


def test_lecture_notes_apple_example_multiply_nodes():
    # Deep Learning from Scratch (the notes' MulLayer): 100 yen × 2 apples × 1.1 tax = 220.
    apple, count, tax = Value(100.0), Value(2.0), Value(1.1)
    price = apple * count * tax
    price.backward()
    assert price.data == pytest.approx(220.0)
    # a multiply node hands each input the other input times the upstream gradient
    assert [apple.grad, count.grad, tax.grad] == pytest.approx([2.2, 110.0, 200.0])


def test_lecture_notes_apple_and_orange_example_add_and_multiply_nodes():
    apple, apple_count = Value(100.0), Value(2.0)
    orange, orange_count = Value(150.0), Value(3.0)
    tax = Value(1.1)
    total = (apple * apple_count + orange * orange_count) * tax
    total.backward()
    assert total.data == pytest.approx(715.0)
    # an add node passes its upstream gradient (1.1) unchanged to both inputs
    assert [apple_count.grad, apple.grad, orange.grad, orange_count.grad, tax.grad] == (
        pytest.approx([110.0, 2.2, 3.3, 165.0, 650.0])
    )


def test_lecture_notes_dz_dw_is_the_input():
    # z = x1 w1 + x2 w2 + b: ∂z/∂w1 = x1, ∂z/∂w2 = x2 (the notes' "forward pass" observation)
    x1, x2, w1, w2, b = Value(1.0), Value(-1.0), Value(0.3), Value(-0.7), Value(0.1)
    z = x1 * w1 + x2 * w2 + b
    assert grads_after_backward(z, w1, w2, b) == [1.0, -1.0, 1.0]


# ---------------------------------------------------------------- reuse and accumulation


def test_reused_node_gets_the_sum_of_its_contributions():
    a = Value(3.0)
    assert grads_after_backward(a + a, a) == [2.0]
    x = Value(3.0)
    y = x * x
    assert y.parents == (x, x)  # duplicates kept: one edge per use
    assert grads_after_backward(y, x) == [6.0]


def test_shared_subexpression():
    x = Value(2.0)
    s = x * 3  # used twice below
    out = s * s + s  # 9x² + 3x
    assert grads_after_backward(out, x) == [pytest.approx(18 * 2 + 3)]
    assert s.grad == pytest.approx(2 * 6 + 1)


def test_repeated_backward_accumulates_exactly_one_more_gradient_in_leaves():
    x = Value(2.0)
    h = x * x
    y = h * 3  # dy/dx = 6x = 12
    y.backward()
    y.backward()
    assert x.grad == 24.0  # accumulated, as in PyTorch (micrograd would give 36 here)
    assert h.grad == 3.0  # intermediate: the latest pass only


def test_zero_grad_resets_the_whole_graph():
    x = Value(2.0)
    y = (x * x).tanh()
    y.backward()
    y.zero_grad()
    assert x.grad is None and y.grad is None
    y.backward()
    assert x.grad == pytest.approx(4 * (1 - math.tanh(4) ** 2))


def test_backward_with_a_gradient_argument():
    x = Value(3.0)
    (x * 2).backward(gradient=0.5)
    assert x.grad == 1.0


def test_million_deep_chain_with_the_default_recursion_limit():
    assert sys.getrecursionlimit() <= 1000  # CPython's default: recursion would fail here
    x = Value(0.5)
    y = x
    for _ in range(1_000_000):
        y = y + 1.0  # every step one node deeper
    y.backward()
    assert y.data == pytest.approx(1_000_000.5)
    assert x.grad == 1.0


def watch(node: Value) -> weakref.ref:
    """A weak reference that dies with ``node``: to its batch, which only the node holds.
    (A compiled Value takes no weak references itself.)"""
    assert node.batch_size is not None, "watch a node that holds a batch"
    return weakref.ref(node.data)


def test_dropped_graph_is_freed_by_reference_counting_alone():
    gc.collect()
    gc.disable()  # if the engine made reference cycles, nothing below would be freed
    try:
        x = Value(np.array([1.5, 0.5]))
        y = (x * x + x).tanh().sum()
        y.backward()
        watched = watch(y.parents[0].parents[0])  # an intermediate node: x * x + x
        del y
        assert watched() is None
    finally:
        gc.enable()


def in_a_fresh_thread(job):
    """Run job() in a new thread (with modes of its own) and return what it returned."""
    box = {}
    thread = threading.Thread(target=lambda: box.update(result=job()))
    thread.start()
    thread.join()
    return box["result"]


def test_an_inference_loop_without_backward_frees_each_graph_at_once():
    """No backward and no no_grad: each dropped graph goes when the next replaces it."""
    gc.disable()
    try:
        w = Value(0.5)
        watches = []
        for step in range(30_000):
            y = (w * step).tanh()
            if step % 5_000 == 0:
                watches.append(watch(w * np.ones(1) + y))  # a batch node, dropped at once
        assert [watched() is None for watched in watches] == [True] * 6
        y.backward()  # the live graph was kept, and backward works
        assert w.grad == pytest.approx((1 - y.data**2) * step)
    finally:
        gc.enable()


def test_an_inference_loop_over_batches_holds_one_graph_at_a_time():
    w = Value(0.5)
    tracemalloc.start()
    for _ in range(2_000):
        y = (w * np.ones(1_000)).tanh()  # two batches of 1,000 samples a graph
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 4 * 3 * 8_000 + 10_000  # two graphs' arrays at the moment one replaces the other
    assert y.batch_size == 1_000


@pytest.mark.parametrize("ending", ["backward", "no backward", "backward_steps", "anomaly"])
def test_a_dropped_graph_is_freed_whatever_happened_to_it(ending):
    """The issue's measurements: after backward_steps 4 of 4 nodes stayed alive, after an
    anomaly 2 of 2, with the collector off. Nothing but the user's references may hold a graph."""
    import viz
    from autograd import detect_anomaly

    gc.collect()
    gc.disable()
    try:
        x = Value(np.array([2.0, -1.0]))
        a = x * 3
        b = (a + x).log()  # log of a negative sample: nan, which detect_anomaly catches
        root = b.sum()
        watched = [watch(node) for node in (a, b)]
        if ending == "backward":
            root.backward()
        elif ending == "backward_steps":
            viz.backward_steps(root)
        elif ending == "anomaly":
            with pytest.raises(FloatingPointError), detect_anomaly():
                (a + x).log()
        del a, b, root
        assert [w() is None for w in watched] == [True, True]
    finally:
        gc.enable()


def test_a_training_loop_frees_each_step_s_graph():
    def training_loop():
        w = Value(0.5)
        watches = []
        for step in range(5):
            hidden = (w * np.full(3, float(step))).tanh()
            loss = (hidden * w).sum()
            loss.backward()
            watches.append(watch(hidden))
            del hidden
        return [watch() is None for watch in watches]

    freed = in_a_fresh_thread(training_loop)
    assert freed == [True, True, True, True, False]  # only the last step's graph is alive


# ---------------------------------------------------------------- modes


def test_no_grad_records_no_parents_and_restores_recording():
    x = Value(2.0)
    with no_grad():
        y = x * 3
    assert y.parents == () and y.local_grads == () and y.data == 6.0
    z = x * 3  # recording is back on after the block
    assert z.parents == (x,)


def test_no_grad_restores_recording_after_an_exception():
    with pytest.raises(RuntimeError), no_grad():
        raise RuntimeError
    assert len((Value(1.0) * 2).parents) == 1


def test_detach_makes_a_leaf_with_the_same_data():
    x = Value(2.0)
    d = (x * 3).detach()
    assert d.data == 6.0 and d.parents == ()
    (d * x).backward()
    assert x.grad == 6.0  # no gradient flowed through the detached branch


def test_scope_tags_nodes_and_nests():
    with autograd.scope("L0"), autograd.scope("N1"):
        y = Value(1.0) * 2
    assert y.scope == "L0.N1"
    assert (Value(1.0) * 2).scope == ""


# ---------------------------------------------------------------- comparisons, identity


def test_comparisons_compare_data_and_equality_is_identity():
    a, b = Value(1.0), Value(1.0)
    assert a < 2 and a <= b and b >= a and not a > b
    assert a != b and a == a  # identity: two nodes with equal data are different nodes
    assert len({a, b}) == 2


def test_repr_shows_data_grad_and_label():
    assert repr(Value(2.0, label="w")) == "Value(data=2, grad=None, label='w')"
