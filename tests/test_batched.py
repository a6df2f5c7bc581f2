"""Batches: a graph evaluated on a batch equals the same graph evaluated sample by sample.

A random program (ops from the engine's whole list, shared subexpressions, numbers on
either side) runs once with batched "inputs" (a Value holding every sample) mixed with
scalar "weights" (plain floats), and once per sample. The batched run must give every
sample's value and every input's per-sample gradient; every weight must get the sum over
samples of its per-sample gradients.

Two float implementations are in play: Python's ``math`` (libm) for a node holding a
float and numpy's vectorised loops for a batch, which differ by an ulp now and then
(``math.tanh`` and ``np.tanh`` in 30% of inputs). Through a random graph, a cancellation can
blow one ulp up to any size, so the property is checked in two exact halves instead:

1. Graphs: each sample runs as a batch of one (inputs still arrays, weights still
   floats), so both runs do bit-identical arithmetic per element: values and input
   gradients must be equal, nan for nan. Weight gradients are the same products summed in
   another order (over samples first, or per sample then over samples), so they may differ
   by rounding: at most (number of operations) · ε · Σ|products| (Higham, ch. 4), with
   ε = 1.1e-16 and under ~100 operations here: the bound used, 1e-12 · Σ|products|,
   leaves a margin of 100x, while a lost or doubled sample is off by a whole product.
2. Ops: the float path and the batched path agree op by op, on any float (nan, ±inf, ±0,
   huge, tiny): non-finite results identical, finite ones within a few ulps.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value, maximum, minimum

RTOL = 1e-9
ATOL = 1e-9

# --------------------------------------------------------------------- random programs
# A program is a list of instructions; each appends one node computed from earlier nodes
# (leaves first: inputs, then weights), so operands are shared freely.

UNARY = {
    "neg": lambda a: -a,
    "abs": abs,
    "exp": Value.exp,
    "log": Value.log,
    "sqrt": Value.sqrt,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "relu": Value.relu,
    "softplus": Value.softplus,
    "sin": Value.sin,
    "cos": Value.cos,
}
WITH_PARAMETER = {  # unary ops with a number that is part of the op
    "leaky_relu": Value.leaky_relu,
    "elu": Value.elu,
    "pow_number": lambda a, n: a**n,  # one node "**n"
    "rpow": lambda a, base: base**a,  # one node "base**"
}
BINARY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "**": lambda a, b: a**b,
    "max": maximum,
    "min": minimum,
}

numbers = st.floats(-3.0, 3.0)
exponents = st.one_of(st.sampled_from([0, 1, 2, 3, -1, -2, 0.5, 1.5]), numbers)


@st.composite
def instructions(draw, n_nodes: int) -> tuple:
    """One instruction reading nodes 0 .. n_nodes - 1 (and maybe a number)."""
    node = st.integers(0, n_nodes - 1)
    kind = draw(st.sampled_from(["unary", "parameter", "binary", "number", "sum"]))
    if kind == "unary":
        return ("unary", draw(st.sampled_from(sorted(UNARY))), draw(node))
    if kind == "parameter":
        name = draw(st.sampled_from(sorted(WITH_PARAMETER)))
        parameter = draw(exponents if name == "pow_number" else numbers)
        return ("parameter", name, draw(node), parameter)
    if kind == "binary":
        return ("binary", draw(st.sampled_from(sorted(BINARY))), draw(node), draw(node))
    if kind == "number":  # a plain number on the left or on the right of a binary op
        side = draw(st.sampled_from(["left", "right"]))
        return ("number", draw(st.sampled_from(sorted(BINARY))), draw(node), draw(numbers), side)
    terms = draw(st.lists(st.one_of(node, numbers.map(lambda x: ("number", x))), min_size=1))
    return ("sum", terms)


def run(instruction: tuple, nodes: list[Value]) -> Value:
    kind = instruction[0]
    if kind == "unary":
        return UNARY[instruction[1]](nodes[instruction[2]])
    if kind == "parameter":
        _, name, i, parameter = instruction
        return WITH_PARAMETER[name](nodes[i], parameter)
    if kind == "binary":
        _, name, i, j = instruction
        return BINARY[name](nodes[i], nodes[j])
    if kind == "number":
        _, name, i, number, side = instruction
        op = BINARY[name]
        return op(number, nodes[i]) if side == "left" else op(nodes[i], number)
    terms = [t[1] if isinstance(t, tuple) else nodes[t] for t in instruction[1]]
    return autograd.sum_of(terms)


def operands(instruction: tuple) -> list[int]:
    kind = instruction[0]
    if kind == "sum":
        return [t for t in instruction[1] if not isinstance(t, tuple)]
    if kind == "binary":
        return [instruction[2], instruction[3]]
    return [instruction[2]]


@st.composite
def programs(draw) -> dict:
    """Inputs (batched), weights (scalar), instructions, and how backward is seeded."""
    n_inputs = draw(st.integers(1, 3))
    n_weights = draw(st.integers(0, 3))
    batch = draw(st.integers(1, 4))
    inputs = draw(
        st.lists(
            st.lists(numbers, min_size=batch, max_size=batch), min_size=n_inputs, max_size=n_inputs
        )
    )
    weights = draw(st.lists(numbers, min_size=n_weights, max_size=n_weights))
    n_leaves = n_inputs + n_weights
    steps = draw(st.integers(1, 8))
    program = []
    batched = set(range(n_inputs))  # nodes that depend on an input hold a batch
    for k in range(steps):
        instruction = draw(instructions(n_leaves + k))
        program.append(instruction)
        if batched.intersection(operands(instruction)):
            batched.add(n_leaves + k)
    used = {i for instruction in program for i in operands(instruction)}
    sinks = [i for i in range(n_leaves, n_leaves + steps) if i not in used]
    if not batched.intersection(sinks):  # the root must hold the batch
        program.append(("binary", "*", sinks[-1], 0))
        sinks[-1] = n_leaves + len(program) - 1
    program.append(("sum", sinks))
    reduction = draw(st.sampled_from(["sum", "mean", "seed"]))
    seed = draw(st.lists(numbers, min_size=batch, max_size=batch))
    return {
        "inputs": inputs,
        "weights": weights,
        "program": program,
        "reduction": reduction,
        "seed": seed,
    }


def evaluate(inputs: list, weights: list, program: list) -> tuple[list[Value], Value]:
    """Run a program: leaves are Values of the given inputs (then weights); returns the
    leaves and the root."""
    leaves = [Value(x) for x in inputs] + [Value(w) for w in weights]
    nodes = list(leaves)
    for instruction in program:
        nodes.append(run(instruction, nodes))
    return leaves, nodes[-1]


def identical(a, b) -> bool:
    """Bit-for-bit equal arrays, a nan matching a nan."""
    return bool(np.array_equal(np.asarray(a, float), np.asarray(b, float), equal_nan=True))


def all_finite(root: Value) -> bool:
    """True when every value, local derivative and gradient of the graph is finite."""
    for node in autograd.topological_order(root):
        for number in (node.data, node.grad, *node.local_grads):
            if number is not None and not np.all(np.isfinite(number)):
                return False
    return True


def absolute_gradients(root: Value, seed: float) -> dict[Value, float]:
    """Backward with |local derivative| and |seed|: for each node, Σ|path products|, the
    scale of the rounding errors its gradient can carry."""
    order = autograd.topological_order(root)
    scale = dict.fromkeys(order, 0.0)
    scale[root] = abs(seed)
    for node in reversed(order):
        for parent, local in zip(node.parents, node.local_grads):
            scale[parent] += float(np.sum(np.abs(local))) * scale[node]
    return scale


# These feed inf and nan on purpose: numpy warns on such batched arithmetic (the float path
# is silent); the IEEE results themselves are what the test checks.
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@settings(max_examples=150, deadline=None)
@given(programs())
def test_a_batch_equals_its_samples_one_by_one(case):
    inputs, weights, program = case["inputs"], case["weights"], case["program"]
    batch = len(inputs[0])
    seeds = {
        "sum": [1.0] * batch,  # root.sum(): every sample's root gets 1
        "mean": [1.0 / batch] * batch,  # root.mean(): 1/B each, as the mean's local derivative
        "seed": case["seed"],  # root.backward(seed): one number per sample
    }[case["reduction"]]

    leaves, root = evaluate([np.array(column) for column in inputs], weights, program)
    if case["reduction"] == "seed":
        root.backward(np.array(seeds))
    else:
        getattr(root, case["reduction"])().backward()

    samples = []  # (root, leaves, seed) of each sample, run as a batch of one
    for s in range(batch):
        one_sample = [np.array([column[s]]) for column in inputs]
        sample_leaves, sample_root = evaluate(one_sample, weights, program)
        sample_root.backward(np.array([seeds[s]]))
        samples.append((sample_root, sample_leaves, seeds[s]))

    assert identical(root.data, np.concatenate([r.data for r, _, _ in samples]))
    for k, leaf in enumerate(leaves):
        grads = [sample_leaves[k].grad for _, sample_leaves, _ in samples]
        if leaf.grad is None:  # not in the graph: no sample's leaf is either
            assert all(g is None for g in grads)
        elif k < len(inputs):
            assert identical(leaf.grad, np.concatenate(grads)), f"input {k}"
    # A weight's gradient: equal up to summation order where every number is finite.
    # (IEEE arithmetic keeps distributivity for finite numbers only: inf·(1 − 1) is nan,
    # inf·1 − inf·1 too.)
    if not all(all_finite(r) for r, _, _ in samples):
        return
    for k in range(len(inputs), len(leaves)):
        if leaves[k].grad is None:
            continue
        per_sample = [sample_leaves[k].grad for _, sample_leaves, _ in samples]
        scale = math.fsum(
            absolute_gradients(r, seed)[sample_leaves[k]] for r, sample_leaves, seed in samples
        )
        error = abs(leaves[k].grad - math.fsum(per_sample))
        # Near zero, subnormal numbers round to absolute steps of math.ulp(0.0) (5e-324).
        bound = 1e-12 * scale + 100 * math.ulp(0.0)
        assert error <= bound, f"weight {k - len(inputs)}: off by {error:g}"


# --------------------------------------------------------------------- op by op
# Tolerance: one op's result and local derivatives take at most three roundings of
# faithfully rounded functions, so the two paths differ by ~10 ulps relative (rtol 1e-13
# allows ~450), or ~10 ulps of 1 absolute where a derivative is a difference such as 1 − t²
# near t = ±1 (atol 1e-13). A wrong branch, sign or nan handling is off by order 1 or more.

any_float = st.floats(allow_nan=True, allow_infinity=True)


def agree(float_result: Value, batch_result: Value) -> None:
    pairs = [(float_result.data, batch_result.data)]
    pairs += list(zip(float_result.local_grads, batch_result.local_grads, strict=True))
    for k, (f, b) in enumerate(pairs):
        f, b = float(f), float(np.asarray(b).reshape(-1)[0])
        what = "value" if k == 0 else f"local derivative {k - 1}"
        if math.isfinite(f) or math.isfinite(b):
            assert math.isclose(f, b, rel_tol=1e-13, abs_tol=1e-13), f"{what}: {f!r} vs {b!r}"
        else:
            assert identical(f, b), f"{what}: {f!r} vs {b!r}"


@settings(max_examples=40, deadline=None)
@given(x=any_float, name=st.sampled_from(sorted(UNARY)))
def test_unary_ops_agree_on_floats_and_batches(x, name):
    op = UNARY[name]
    agree(op(Value(x)), op(Value(np.array([x]))))


# These feed inf and nan on purpose: numpy warns on such batched arithmetic (the float path
# is silent); the IEEE results themselves are what the test checks.
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@settings(max_examples=60, deadline=None)
@given(x=any_float, parameter=any_float, name=st.sampled_from(sorted(WITH_PARAMETER)))
def test_ops_with_a_number_agree_on_floats_and_batches(x, parameter, name):
    op = WITH_PARAMETER[name]
    agree(op(Value(x), parameter), op(Value(np.array([x])), parameter))


# These feed inf and nan on purpose: numpy warns on such batched arithmetic (the float path
# is silent); the IEEE results themselves are what the test checks.
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@settings(max_examples=60, deadline=None)
@given(x=any_float, y=any_float, name=st.sampled_from(sorted(BINARY)))
def test_binary_ops_agree_on_floats_and_batches(x, y, name):
    op = BINARY[name]
    agree(op(Value(x), Value(y)), op(Value(np.array([x])), Value(np.array([y]))))


# --------------------------------------------------------------------- mixed lengths
# numpy would broadcast a batch of 1 against any batch, and say "operands could not be
# broadcast" for others: the engine must refuse both, naming the sizes.

MIXED_MESSAGE = r"cannot combine batches of different sizes \[2, 3\]"


def two_and_three() -> tuple[Value, Value]:
    return Value(np.array([1.0, 2.0])), Value(np.array([1.0, 2.0, 3.0]))


@pytest.mark.parametrize("swap", [False, True], ids=["two op three", "three op two"])
@pytest.mark.parametrize("op", sorted(BINARY))
def test_mixed_length_batches_are_a_clear_error(op, swap):
    a, b = two_and_three()
    first, second = (b, a) if swap else (a, b)
    with pytest.raises(ValueError, match=MIXED_MESSAGE):
        BINARY[op](first, second)


def test_mixed_lengths_in_one_sum_are_a_clear_error():
    a, b = two_and_three()
    with pytest.raises(ValueError, match=MIXED_MESSAGE):
        autograd.sum_of([a, 1.0, b])


def test_a_batch_of_one_is_not_broadcast():
    with pytest.raises(ValueError, match=r"different sizes \[1, 2\]"):
        Value(np.array([1.0, 2.0])) + Value(np.array([5.0]))


def test_a_backward_seed_of_another_length_is_a_clear_error():
    y = Value(np.array([1.0, 2.0])) * 3
    with pytest.raises(ValueError, match=r"a gradient of 3 samples for a batch of 2"):
        y.backward(np.array([1.0, 1.0, 1.0]))


def test_an_array_operand_of_another_length_is_a_clear_error():
    a, _ = two_and_three()
    with pytest.raises(ValueError, match=MIXED_MESSAGE):
        a + np.array([1.0, 2.0, 3.0])


def test_an_array_on_the_left_of_another_length_is_a_clear_error():
    a, _ = two_and_three()
    with pytest.raises(ValueError, match=MIXED_MESSAGE):
        np.array([1.0, 2.0, 3.0]) * a
