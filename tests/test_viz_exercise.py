"""viz.exercise: what is hidden is absent from the picture, the answers are backward()'s, the
checks have a tolerance and the hints never give the answer away. (The page in a real
browser: test_viz_pages_browser.py.)"""

from __future__ import annotations

import base64
import json
import re
import shutil

import pytest

import viz
from autograd import Value, topological_order
from autograd.nn import MLP
from viz.exercise_page import payload
from viz.labels import format_number

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")


def neuron():
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


def lecture_network_loss() -> Value:
    """The course's 2-2-2-2 sigmoid network (notebook 04) and its loss on x = (1, −1)."""
    model = MLP(2, [2, 2, 2], activation="sigmoid", last_activation="sigmoid")
    weights = {0: ([[1, -2], [-1, 1]], [1, 0]), 1: ([[2, -1], [-2, -1]], [0, 0]),
               2: ([[3, -1], [-1, 4]], [-2, 2])}  # fmt: skip
    state = {}
    for layer, (w, b) in weights.items():
        for j in range(2):
            state[f"layers.{layer}.neurons.{j}.b"] = b[j]
            for i in range(2):
                state[f"layers.{layer}.neurons.{j}.w.{i}"] = w[j][i]
    model.load_state_dict(state)
    y_hat = model([1.0, -1.0])
    loss = 0.5 * ((y_hat[0] - 1.0) ** 2 + y_hat[1] ** 2)
    loss.label = "L"
    return loss


@pytest.mark.parametrize("ask", ["grad", "local", "data"])
def test_the_answers_are_the_graphs_own_numbers(ask):
    root = neuron()
    ex = viz.exercise(root, ask=ask)
    root.backward()
    order = topological_order(root)
    expected = {
        "grad": sorted(n.grad for n in order[:-1]),
        "data": sorted(n.data for n in order if n.parents),
        "local": sorted(g for n in order for g in n.local_grads),
    }[ask]
    assert sorted(ex.solution().values()) == pytest.approx(expected, rel=1e-12)
    assert list(ex.solution()) == ex.blanks


def test_the_graph_is_left_as_it_was():
    root = neuron()
    viz.exercise(root)
    assert all(node.grad is None for node in topological_order(root))
    root.backward()
    before = [node.grad for node in topological_order(root)]
    viz.exercise(root).check({"n": 0.5})
    assert [node.grad for node in topological_order(root)] == before


@needs_dot
@pytest.mark.parametrize("ask", ["grad", "local", "data"])
def test_hidden_numbers_are_question_marks_and_absent_from_the_dot_source(ask):
    root = lecture_network_loss()
    root.backward()
    full = viz.draw(root, collapse_neurons=False).source
    ex = viz.exercise(root, ask=ask)
    source = ex.draw().source
    order = topological_order(root)
    for name, blank in ex._blanks.items():
        node = order[blank.index]
        if ask == "grad":
            shown = f"grad {format_number(node.grad)}"
        elif ask == "data":
            shown = f"data {format_number(node.data)}"
        else:
            shown = format_number(node.local_grads[blank.operand])
        assert shown in full, name  # what the ordinary drawing writes for this number...
    if ask == "grad":
        assert re.findall(r"grad -?[0-9]", source) == ["grad 1"]  # only the root's seed
        assert source.count("grad ?") == len(ex.blanks)
    elif ask == "data":
        leaves = sum(1 for n in order if not n.parents)
        assert len(re.findall(r"data -?[0-9]", source)) == leaves  # inputs and weights only
        assert source.count("data ?") == len(ex.blanks)
        assert ">grad " not in source
    else:
        cells = re.findall(r'PORT="i\d+" ALIGN="LEFT"><FONT[^>]*>([^<]*)</FONT>', source)
        assert cells and all(c.strip("\u00a0") == "?" for c in cells)  # every edge hidden
        assert ">grad " not in source  # gradients would give local derivatives away
    assert ex.draw().source == source  # deterministic, for a teacher's handout


def test_a_seed_picks_the_same_subset_and_count_says_how_many():
    root = lecture_network_loss()
    a, b = viz.exercise(root, seed=3), viz.exercise(root, seed=3)
    everything = viz.exercise(root)
    assert a.blanks == b.blanks and len(a.blanks) == (len(everything.blanks) + 1) // 2
    assert set(a.blanks) < set(everything.blanks)
    assert viz.exercise(root, seed=4).blanks != a.blanks
    assert len(viz.exercise(root, seed=3, count=2).blanks) == 2
    with pytest.raises(ValueError, match="count must be an int from 1 to"):
        viz.exercise(root, seed=3, count=0)
    with pytest.raises(TypeError, match="seed must be an int"):
        viz.exercise(root, seed="3")
    only = ["L0.N0.w0", "L0.N1.b", "L2.N0.w1"]
    assert viz.exercise(root, only=only).blanks == sorted(only, key=everything.blanks.index)
    assert set(viz.exercise(root, seed=1, count=2, only=only).blanks) < set(only)
    with pytest.raises(ValueError, match=r"only= names no grad of this graph: \['w9'\]"):
        viz.exercise(root, only=["L0.N0.w0", "w9"])


def boxes(source: str) -> dict[int, str]:
    """Each value box of a DOT source (``v3``) -> the texts in it."""
    found = {}
    for name, label in re.findall(r"^\s*v(\d+) \[label=<(.*)> shape=plain\]$", source, re.M):
        found[int(name)] = " | ".join(re.findall(r">([^<>]+)<", label))
    return found


def below(node):
    """Every node ``node`` was computed from (its parents, theirs, ...)."""
    seen, stack = set(), [node]
    while stack:
        for p in stack.pop().parents:
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return seen


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_with_a_subset_hidden_only_what_would_give_it_away_is_hidden_too(seed):
    root = lecture_network_loss()
    order = topological_order(root)
    ex = viz.exercise(root, ask="grad", seed=seed, count=3)
    blanks = {order[b.index] for b in ex._blanks.values()}
    given_away = set().union(*(below(b) for b in blanks)) - blanks  # grads made from a blank
    shown = boxes(ex.draw().source)
    assert given_away and set(shown) == set(range(len(order)))
    for i, node in enumerate(order):
        if node in blanks:
            assert "grad ?" in shown[i]
        elif node in given_away:
            assert "grad …" in shown[i], node.label
        else:  # not asked and not given away: its gradient is on the picture
            assert f"grad {format_number(ex.grads[i])}" in shown[i], node.label
    data = viz.exercise(root, ask="data", seed=seed, count=3)
    made = {order[b.index] for b in data._blanks.values()}
    shown = boxes(data.draw().source)
    for i, node in enumerate(order):
        from_a_blank = node not in made and any(b in below(node) for b in made)
        assert ("data …" in shown[i]) is from_a_blank, node.label


def test_check_has_a_tolerance_and_a_hint_for_a_wrong_answer():
    root = neuron()
    ex = viz.exercise(root)
    truth = ex.solution()
    result = ex.check({"w1": truth["w1"] * 1.005, "x1": truth["x1"] * 1.05, "x2": 0.5004})
    assert result == {"w1": True, "x1": False, "x2": True}
    assert set(result.hints) == {"x1"}
    hint = result.hints["x1"]
    assert "upstream ∂o/∂(x1·w1)" in hint and "local ∂(x1·w1)/∂x1 = w1 = -3" in hint
    assert "? (the blank x1·w1)" in hint  # an upstream that is itself a blank stays hidden
    assert format_number(truth["x1"]) not in hint  # never the answer
    assert "✗ x1. Hint:" in str(result) and "✓ w1" in str(result)


def test_hints_for_local_and_data_blanks_say_how_without_the_number():
    root = neuron()
    local = viz.exercise(root, ask="local")
    assert local.check({"w1->x1·w1": 0.0}).hints["w1->x1·w1"] == (
        "the local derivative ∂(x1·w1)/∂w1 = x1: put in the numbers the picture shows"
    )
    data = viz.exercise(root, ask="data")
    hint = data.check({"n": 0.0}).hints["n"]
    assert hint.startswith("n = ") and "b = 6.881" in hint and "0.8814" not in hint


def test_bad_answers_and_bad_exercises_are_clear_errors():
    root = neuron()
    ex = viz.exercise(root)
    with pytest.raises(ValueError, match="'w9' is not a blank of this exercise; they are"):
        ex.check({"w9": 1.0})
    with pytest.raises(TypeError, match="must be a number"):
        ex.check({"w1": "1.0"})
    with pytest.raises(TypeError, match="dict of names to numbers"):
        ex.check([("w1", 1.0)])
    with pytest.raises(ValueError, match="ask must be one of"):
        viz.exercise(root, ask="grads")
    with pytest.raises(ValueError, match="build the graph on one sample"):
        viz.exercise(MLP(2, [2, 1])(__import__("numpy").ones((3, 2))).mean())
    with pytest.raises(ValueError, match="nothing to ask"):
        viz.exercise(Value(1.0, label="x"), ask="data")


def test_names_are_unique_and_unlabelled_values_are_named_on_the_picture():
    x = Value(2.0, label="x")
    y = (x * x).tanh() * (x * x)  # x·x twice: two nodes with the same expression
    y.label = "y"
    ex = viz.exercise(y, ask="data")
    assert len(set(ex.blanks)) == len(ex.blanks)
    assert {"x·x", "x·x#2"} <= set(ex.blanks)
    source = ex.draw().source
    assert "<B>x·x#2</B>" in source
    local = viz.exercise(x * x, ask="local")
    assert local.blanks == ["x->x·x", "x->x·x#2"]  # two uses of x by one op


@needs_dot
def test_the_page_holds_the_answers_encoded_and_every_label_escaped():
    x = Value(2.0, label="</script><script>alert(1)</script>")
    y = x * 3
    y.label = "y"
    ex = viz.exercise(y)
    page = ex.to_html()
    assert "<script>alert(1)" not in page and "</script><script>alert" not in page
    data = json.loads(
        re.search(r'<script type="application/json" class="ag-data">(.*?)</script>', page).group(1)
    )
    answers = json.loads(base64.b64decode(data["answers"]))
    assert answers == [ex.solution()[name] for name in ex.blanks]
    assert [b["name"] for b in data["blanks"]] == ex.blanks
    assert "3" not in re.sub(r"<[^>]*>", "", data["svg"]).split("data")[0]  # no grad in text
    assert payload(ex, "p-")["kind"] == "grad"
    assert len(page) < 60_000  # small: one picture, a short script
