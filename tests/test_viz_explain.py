"""viz.explain: the derivation of a gradient, term by term, agrees with backward() everywhere:
random graphs, batches, fused layers, create_graph=True, repeated backward(); and the
step-through page carries the same derivations."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import viz
from autograd import Value, grad, sum_of, topological_order
from autograd.fused import is_fused_layer
from autograd.nn import MLP
from autograd.testing import OPS, Expression
from viz.explain import RULES, rule_key


def neuron():
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, {v.label: v for v in (x1, x2, w1, w2, b, n, o)}


def test_the_neuron_term_by_term():
    o, v = neuron()
    o.backward()
    d = viz.explain(v["w1"], o)
    (term,) = d.terms
    assert term.op == "*" and term.formula == "∂(x1·w1)/∂w1 = x1"
    assert (term.local, term.upstream, term.product) == (2.0, pytest.approx(0.5), d.total)
    assert d.total == v["w1"].grad
    text = str(d)
    assert text.startswith("∂o/∂w1 = 1: w1 is used once")
    assert "upstream × local = 0.5 × 2 = 1" in text
    tanh = viz.explain(v["n"], o).terms[0]
    assert tanh.formula == "∂tanh(n)/∂n = 1 − tanh²(n)" and tanh.local == pytest.approx(0.5)
    root = viz.explain(o, o)
    assert root.terms == [] and root.total == 1.0 and "backward() starts here" in str(root)


def test_a_value_used_twice_gets_one_term_per_use():
    a = Value(3.0, label="a")
    b = a * a + a
    b.backward()
    d = viz.explain(a, b)
    assert [t.op for t in d.terms] == ["*", "*", "+"]
    assert [t.product for t in d.terms] == [3.0, 3.0, 1.0]
    assert sum(t.product for t in d.terms) == d.total == a.grad == 7.0
    assert "total: 3 + 3 + 1 = 7 = a.grad" in str(d)


def test_a_second_backward_shows_the_accumulated_part():
    o, v = neuron()
    o.backward()
    o.backward()  # leaves accumulate: w1.grad is twice this pass's share
    d = viz.explain(v["w1"], o)
    share = d.terms[0].product
    assert share == pytest.approx(1.0) and d.total == 2 * share and d.earlier == share
    assert "1 more came from no edge of this graph" in str(d)
    assert "zero_grad()" in str(d)
    o.zero_grad()
    o.backward()
    assert viz.explain(v["w1"], o).earlier is None


@settings(max_examples=60, deadline=None)
@given(
    program=st.lists(
        st.tuples(st.sampled_from(sorted(OPS)), st.integers(0, 1000)), min_size=3, max_size=10
    ),
    inputs=st.lists(st.floats(-2.0, 2.0), min_size=3, max_size=3),
)
def test_on_random_graphs_the_terms_add_up_to_every_gradient(program, inputs):
    leaves = [Value(x, label=f"x{i}") for i, x in enumerate(inputs)]
    root = Expression(program)(*leaves)
    root.backward()
    for node in topological_order(root):
        d = viz.explain(node, root)
        np.testing.assert_array_equal(d.total, node.grad)  # (a number is read out anew)
        assert type(d.total) is type(node.grad)
        if not d.terms:
            assert node is root or node.grad == 0.0
            continue
        total = math.fsum(t.product for t in d.terms)
        assert d.earlier is None, str(d)
        # backward adds the same products one by one, in its own order: a sum's rounding is
        # bounded by the size of its terms, not of the result (they may cancel)
        size = math.fsum(abs(t.product) for t in d.terms)
        assert total == pytest.approx(node.grad, rel=1e-12, abs=1e-12 * size + 1e-300) or (
            math.isnan(total) and math.isnan(node.grad)
        )
        for t in d.terms:  # every op of these graphs is in the table: a formula, not ∂op/∂v
            assert rule_key(t.consumer) in RULES, t.consumer.op
            assert "=" in t.formula


@pytest.mark.parametrize(
    ("make", "formula"),
    [
        (lambda x: x * 2, "∂(x·2)/∂x = 2"),
        (lambda x: 2 - x, "∂(2 − x)/∂x = −1"),
        (lambda x: x - 2, "∂(x − 2)/∂x = 1"),
        (lambda x: x**3, "∂(x^3)/∂x = 3·x^2"),
        (lambda x: x**2, "∂(x^2)/∂x = 2·x"),
        (lambda x: 2**x, "∂(2^x)/∂x = 2^x·ln 2"),
        (lambda x: 1 / x, "∂(1/x)/∂x = −1/x²"),
        (lambda x: x.sigmoid(), "∂σ(x)/∂x = σ(x)·(1 − σ(x))"),
        (lambda x: x.relu(), "∂relu(x)/∂x = 1 if x > 0, else 0"),
        (lambda x: sum_of([x, Value(1.0, label="y"), 3]), "∂(x + y + 3)/∂x = 1"),
    ],
)
def test_formulas_come_from_the_table_keyed_by_the_op_and_its_number(make, formula):
    x = Value(0.5, label="x")
    out = make(x)
    out.backward()
    (term,) = viz.explain(x, out).terms
    assert term.formula == formula
    assert term.local == out.local_grads[0]  # and the number is the op's own


def test_an_op_the_table_does_not_know_still_gets_its_numbers():
    from autograd.engine import op_result

    x = Value(2.0, label="x")
    cube = op_result(x.data**3, "cube", (x,), (3 * x.data**2,))
    cube.label = "c"
    cube.backward()
    (term,) = viz.explain(x, cube).terms
    assert term.formula == "∂cube/∂x" and term.local == 12.0 and term.product == 12.0


def test_a_batch_shows_one_sample_and_a_weight_the_sum_over_the_batch():
    x = Value(np.array([1.0, 2.0, 3.0]), label="x")
    w = Value(0.5, label="w")
    loss = (x * w).tanh().mean()
    loss.label = "L"
    loss.backward()
    dw = viz.explain(w, loss)
    assert dw.shows == "sum" and dw.total == w.grad
    assert dw.terms[0].product == pytest.approx(float(np.dot(x.data, dw.terms[0].upstream)))
    assert "sum over the batch" in str(dw)
    dx = viz.explain(x, loss, sample=2)
    assert dx.shows == "sample" and "sample 2 of 3 shown" in str(dx)
    assert np.array_equal(dx.terms[0].product, x.grad)
    assert f"= {viz.labels.format_number(x.grad[2])}" in dx.header()
    with pytest.raises(ValueError, match="sample 3 is out of range"):
        viz.explain(x, loss, sample=3)


def test_a_fused_layer_node_is_explained_by_its_products_and_its_matrix():
    model = MLP(2, [3, 1], activation="tanh", seed=0)
    loss = ((model(np.random.default_rng(0).normal(size=(5, 2))) - 1.0) ** 2).mean()
    loss.label = "L"
    loss.backward()
    order = topological_order(loss)
    # A weight is a view of its layer's block: explained as its neuron's weight, drawn so
    w = model.layers[0].neurons[1].w[0]
    d = viz.explain(w, loss)
    (term,) = d.terms
    assert term.op == "*" and d.shows == "sum"  # w·x0 on every sample, summed
    assert term.product == pytest.approx(w.grad, rel=1e-12)
    # The layer's node: one use, the next layer's node, which hands it one matrix.
    layer = next(n for n in order if is_fused_layer(n))
    dl = viz.explain(layer, loss)
    (use,) = dl.terms
    assert is_fused_layer(use.consumer) and dl.earlier is None
    assert np.allclose(use.product, layer.grad) and "a 5×3 matrix" in dl.header()
    assert "only times upstream" in str(dl)
    # The block of weights: one use, the layer's node; its product is the whole ∂L/∂W.
    dw = viz.explain(model.layers[0].weight, loss)
    (use,) = dw.terms
    assert np.allclose(use.product, model.layers[0].weight.grad)


def test_after_create_graph_the_terms_are_graphs_that_add_up():
    x = Value(3.0, label="x")
    y = x**3 + x * x
    y.label = "y"
    y.backward(create_graph=True)
    d = viz.explain(x, y)
    assert d.total is x.grad and isinstance(d.total, Value)
    assert all(isinstance(t.product, Value) for t in d.terms)
    assert sum(t.product.data for t in d.terms) == pytest.approx(x.grad.data)
    (second,) = grad(d.terms[-1].product, [x])  # the x**3 term, 3x², differentiated: 6x
    assert second == pytest.approx(18.0)


def test_after_create_graph_through_a_fused_layer_the_expanded_uses_are_explained():
    model = MLP(2, [2, 1], activation="tanh", seed=1)
    loss = ((model(np.ones((3, 2))) - 1.0) ** 2).mean()
    loss.label = "L"
    loss.backward(create_graph=True)
    w = model.layers[0].neurons[0].w[1]
    d = viz.explain(w, loss)
    assert d.terms and d.earlier is None
    assert sum(float(t.product.data) for t in d.terms) == pytest.approx(w.grad.data, rel=1e-12)


def test_bad_calls_say_what_is_wrong():
    o, v = neuron()
    with pytest.raises(ValueError, match="has no gradient: call backward"):
        viz.explain(v["w1"], o)
    o.backward()
    with pytest.raises(ValueError, match="is not in the graph"):
        viz.explain(Value(1.0, label="stray"), o)
    with pytest.raises(TypeError, match="two autograd Values"):
        viz.explain(1.0, o)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="sample must be"):
        viz.explain(v["w1"], o, sample=-1)


def test_markdown_shows_user_text_literally():
    x = Value(2.0, label="$x$|*b*</script><script>alert(1)</script>")
    y = x * x
    y.label = "y"
    y.backward()
    md = viz.explain(x, y)._repr_markdown_()
    assert "<script" not in md and "</script" not in md and "&lt;/script&gt;" in md
    assert r"\$x\$\|\*b\*" in md  # no math, no table break, no emphasis
    assert md.count("\n|") == 2 + 2  # header, rule, one row per use
    assert r"\frac{\partial" in md  # the chain rule as a formula


def test_the_step_through_page_carries_each_values_derivation_with_its_steps():
    from viz.player import derivations

    o, _ = neuron()
    steps = viz.backward_steps(o)
    found = derivations(steps)
    assert set(found) == {f"v{i}" for i in range(len(steps.order))}
    o.backward()  # the page's derivations are those of the real backward pass
    for i, node in enumerate(steps.order):
        texts = [text for text, _ in found[f"v{i}"]]
        assert texts[0] == viz.explain(node, o).header()
    (w1,) = [i for i, n in enumerate(steps.order) if n.label == "w1"]
    frame = next(k for k, f in enumerate(steps) if w1 in f.changed)
    assert {step for _, step in found[f"v{w1}"] if step >= 0} == {frame}


def test_the_pages_derivations_stay_small():
    from viz.player import MAX_LISTED_USES, derivations

    x = Value(0.5, label="x")
    total = sum_of([x * float(k) for k in range(1, 41)])  # x used 40 times
    lines = derivations(viz.backward_steps(total))["v0"]
    assert len(lines) == 1 + 2 * MAX_LISTED_USES + 1 + 1  # header, 8 terms, "… 32 more", total
    assert lines[-2][0] == "  … and 32 more uses"
    model = MLP(2, [4, 1], activation="tanh", seed=0)
    steps = viz.backward_steps((model([2.0, -1.0]) - 1.0) ** 2)
    size = len(json.dumps(derivations(steps), ensure_ascii=False).encode("utf-8"))
    assert size < 25_000, size  # beside a 130 kB page
