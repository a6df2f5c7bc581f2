"""viz.backward_steps: one frame per op node, the chain rule replayed without touching the
graph, what each frame changes, and a self-contained HTML player around one shared SVG.
(The player in a real browser: test_viz_player_browser.py.)"""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import viz
from autograd import Value, topological_order
from autograd.engine import visiting_order
from viz.labels import grad_text

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")
SVG = "{http://www.w3.org/2000/svg}"


def neuron() -> Value:
    """tanh(x1·w1 + x2·w2 + b), with a value used twice (x1) so that grads accumulate."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    out = (x1 * w1 + x2 * w2 + b + x1 * x1).tanh()
    out.label = "out"
    return out


def test_one_frame_per_op_node_in_backward_order():
    out = neuron()
    steps = viz.backward_steps(out)
    order = topological_order(out)
    ops = visiting_order(out)
    assert [frame.node for frame in steps] == ops  # the root first, as backward() goes
    assert set(ops) == {node for node in order if node.parents}
    for k, node in enumerate(ops):  # each before the nodes it was made from
        assert not set(node.parents) & set(ops[:k])
    assert steps[0].caption.startswith(f"Step 1 of {len(ops)}: backward() starts at the output")
    # a leaf's gradient is final in the frame that last adds to it, and that frame says so
    (w1_frame,) = [f for f in steps if any(order[p].label == "w1" for p in f.changed)]
    assert "w1 gets" in w1_frame.caption and "final: it is a leaf" in w1_frame.caption


def test_a_lone_leaf_still_gets_one_frame():
    steps = viz.backward_steps(Value(2.0, label="x"))
    assert len(steps) == 1 and "has no inputs" in steps[0].caption


@needs_dot
@pytest.mark.parametrize("batched", [False, True])
def test_the_replay_ends_with_the_gradients_of_backward_and_leaves_the_graph_untouched(batched):
    x = Value(np.array([0.5, -1.0, 2.0]) if batched else 0.5, label="x")
    w = Value(-3.0, label="w")  # a float weight: batch gradients are summed into it
    out = ((x * w).tanh() * x + w * w).mean() if batched else (x * w).tanh() * x + w * w
    steps = viz.backward_steps(out)
    order = topological_order(out)
    assert all(node.grad is None for node in order)  # the replay used copies
    out.backward()
    for node, replayed in zip(order, steps[-1].grads, strict=True):
        np.testing.assert_array_equal(replayed, node.grad)  # the same arithmetic, exactly
    before = [node.grad for node in order]
    viz.backward_steps(out)
    for node, then in zip(order, before, strict=True):
        np.testing.assert_array_equal(node.grad, then)  # (numbers are read out anew each time)


def player_data(steps) -> dict:
    fragment = steps._repr_html_()
    text = re.search(r'<script type="application/json" class="ag-data">(.*?)</script>', fragment)
    return json.loads(text.group(1))


@needs_dot
def test_each_frame_lists_the_visited_node_and_the_grads_it_changed():
    out = neuron()
    steps = viz.backward_steps(out)
    order = topological_order(out)
    index = {node: i for i, node in enumerate(order)}
    data = player_data(steps)
    assert len(data["frames"]) == len(steps)
    for frame, shown in zip(steps, data["frames"], strict=True):
        active = index[frame.node]
        assert frame.changed == tuple(index[p] for p in frame.node.parents)
        assert shown["box"] == f"a_v{active}_box" and shown["op"] == f"a_v{active}_op"
        assert set(shown["changed"]) == {f"a_v{p}_grad" for p in frame.changed}
        for p in frame.changed:  # the new text of every gradient it added to
            assert shown["set"][f"a_v{p}_grad"] == grad_text(frame.grads[p])
        # its cells switch from the local derivative to upstream × local = contribution
        cells = [shown["set"][f"a_v{active}_c{k}"] for k in range(len(frame.node.parents))]
        assert all(" × " in text and " = " in text for text in cells)
        assert len(shown["edges"]) == len(frame.node.parents)
    # x1 is used twice: both contributions land on it in the step of x1 * x1
    x1 = next(node for node in order if node.label == "x1")
    (square_step,) = [f for f in steps if f.node.parents == (x1, x1)]
    assert square_step.changed == (index[x1], index[x1])


def ids_in(svg: str) -> set[str]:
    """The element ids of a drawing."""
    return set(re.findall(r'\bid="([^"]+)"', svg))


@needs_dot
def test_every_id_a_frame_names_is_in_the_one_svg():
    steps = viz.backward_steps(neuron())
    data = player_data(steps)
    ids = ids_in(data["svg"])
    named = set(data["initial"])
    for frame in data["frames"]:
        named |= {frame["box"], frame["op"], *frame["changed"], *frame["edges"], *frame["set"]}
    assert {data["prefix"] + name for name in named} <= ids
    assert data["svg"].count("<svg") == 1


@needs_dot
def test_the_html_player_is_one_self_contained_file(tmp_path):
    out = neuron()
    steps = viz.backward_steps(out)
    page = steps.save_html(tmp_path / "steps.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    data = json.loads(re.search(r'class="ag-data">(.*?)</script>', page).group(1))
    assert data["svg"].count("<svg") == 1  # one drawing; frames are data
    ET.fromstring(data["svg"])  # well-formed
    assert "<img" not in page  # a page runs its script: no still image needed
    # nothing to fetch: no src/href to the network, no external script or stylesheet
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page)
    assert "<link" not in page and "<script src" not in page and "<iframe" not in page
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page  # SVG inlined, not embedded
    ids = re.findall(r'\bid="([^"]+)"', data["svg"])
    assert len(ids) == len(set(ids))
    fragment = steps._repr_html_()  # what Jupyter shows
    assert fragment.count('class="ag-still"') == 1 and "<html" not in fragment
    marked = '<div class="ag-steps" data-page>'
    assert marked in page and marked not in fragment  # a page takes keys at once


@needs_dot
def test_two_players_on_one_page_do_not_share_ids():
    a = player_data(viz.backward_steps(neuron()))["svg"]
    b = player_data(viz.backward_steps(Value(2.0, label="y") * Value(3.0, label="z")))["svg"]
    assert not ids_in(a) & ids_in(b)


@needs_dot
def test_the_mimebundle_has_html_and_a_plain_text_line():
    steps = viz.backward_steps(neuron())
    bundle = steps._repr_mimebundle_()
    assert 'class="ag-steps"' in bundle["text/html"]
    assert "run this cell" in bundle["text/plain"]
    # what IPython itself stores in a notebook (its pretty-printer makes text/plain)
    formatters = pytest.importorskip("IPython.core.formatters")
    shown, _ = formatters.DisplayFormatter().format(steps)
    assert "run this cell" in shown["text/plain"] and "Frame(" not in shown["text/plain"]


def test_too_many_nodes_is_refused_before_any_rendering():
    x = Value(1.0)
    out = x
    for _ in range(30):
        out = out * 1.01
    with pytest.raises(ValueError, match="draws every node"):
        viz.backward_steps(out, max_nodes=20)


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(TypeError, match="autograd Value"):
        viz.backward_steps("x")
    with pytest.raises(ValueError, match="rankdir"):
        viz.backward_steps(Value(1.0) * 2, rankdir="sideways")
    with pytest.raises(ValueError, match=r"\.html"):
        viz.save_steps_html(Value(1.0) * 2, tmp_path / "steps.svg")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        viz.save_steps_html(Value(1.0) * 2, tmp_path / "missing" / "steps.html")


@needs_dot
def test_in_jupyter_a_missing_graphviz_is_a_message_not_a_traceback(monkeypatch):
    steps = viz.backward_steps(Value(1.0) * 2)  # the layout ran; now Graphviz disappears
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(viz.programs, "pip_build_path", lambda which=None: None)  # and pip's
    shown = steps._repr_html_()
    assert shown.startswith("<pre>") and "install" in shown.lower()
