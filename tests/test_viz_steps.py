"""viz.backward_steps: one frame per node, the chain rule replayed without touching the
graph, highlights, a layout fixed across frames, and a self-contained HTML player."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import viz
from autograd import Value, topological_order
from viz.dot import op_name, value_name
from viz.steps import ACTIVE_FILL, CHANGED_FILL

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None or shutil.which("neato") is None, reason="Graphviz not installed"
)
SVG = "{http://www.w3.org/2000/svg}"


def neuron() -> Value:
    """tanh(x1·w1 + x2·w2 + b), with a value used twice (x1) so that grads accumulate."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    out = (x1 * w1 + x2 * w2 + b + x1 * x1).tanh()
    out.label = "out"
    return out


@needs_dot
def test_one_frame_per_node_in_backward_order():
    out = neuron()
    steps = viz.backward_steps(out)
    order = topological_order(out)
    assert len(steps) == len(order)
    assert [frame.node for frame in steps] == order[::-1]  # the root first, as backward() goes
    assert steps[0].caption.startswith(f"Step 1 of {len(order)}: backward() starts at the output")


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
    assert all(node.grad is then for node, then in zip(order, before, strict=True))


@needs_dot
def test_each_frame_highlights_the_visited_node_and_the_grads_it_changed():
    out = neuron()
    steps = viz.backward_steps(out)
    order = topological_order(out)
    index = {node: i for i, node in enumerate(order)}
    for frame in steps:
        active = index[frame.node]
        assert frame.changed == tuple(index[p] for p in frame.node.parents)
        source = frame.digraph.source
        boxes = dict(re.findall(r"^\s*(v\d+) (\[label=<<TABLE.*)$", source, re.M))
        assert [n for n, line in boxes.items() if ACTIVE_FILL in line] == [value_name(active)]
        marked = {n for n, line in boxes.items() if CHANGED_FILL in line}
        assert marked == {value_name(i) for i in frame.changed}
        if frame.node.parents:
            assert re.search(rf'^\s*{op_name(active)} \[.*fillcolor="#fdae6b"', source, re.M)
            # its edges show upstream × local = contribution
            edges = re.findall(rf"^\s*v\d+ -> {op_name(active)} \[label=<([^>]*)>", source, re.M)
            assert len(edges) == len(frame.node.parents)
            assert all(" × " in text and " = " in text for text in edges)
    # x1 is used twice: both contributions land on it in the step of x1 * x1
    x1 = next(node for node in order if node.label == "x1")
    (square_step,) = [f for f in steps if f.node.parents == (x1, x1)]
    assert square_step.changed == (index[x1], index[x1])


def node_boxes(svg: str) -> dict[str, tuple[float, ...]]:
    """Each node's title -> the bounding box of the shapes Graphviz drew for it."""
    boxes = {}
    for group in ET.fromstring(svg).iter(f"{SVG}g"):
        if group.get("class") != "node":
            continue
        points = []
        for shape in group:
            if shape.tag == f"{SVG}polygon":
                points += [tuple(map(float, p.split(","))) for p in shape.get("points").split()]
            elif shape.tag == f"{SVG}ellipse":
                cx, cy = float(shape.get("cx")), float(shape.get("cy"))
                rx, ry = float(shape.get("rx")), float(shape.get("ry"))
                points += [(cx - rx, cy - ry), (cx + rx, cy + ry)]
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        boxes[group.find(f"{SVG}title").text] = (min(xs), min(ys), max(xs), max(ys))
    return boxes


@needs_dot
def test_the_layout_is_the_same_in_every_frame():
    out = neuron()
    steps = viz.backward_steps(out)
    steps.render()  # all frames in one Graphviz run, as the HTML player does
    first = node_boxes(steps[0].svg())
    n_values = len(topological_order(out))
    n_ops = sum(1 for node in topological_order(out) if node.op)
    assert len(first) == n_values + n_ops
    for frame in steps[1:]:
        assert node_boxes(frame.svg()) == first, f"frame {frame.step} moved a node"
    # rendered on its own, a frame looks the same as rendered with the others
    alone = viz.backward_steps(out)[-1].svg()
    assert node_boxes(alone) == first


@needs_dot
def test_the_html_player_is_one_self_contained_file(tmp_path):
    out = neuron()
    steps = viz.backward_steps(out)
    page = steps.save_html(tmp_path / "steps.html").read_text(encoding="utf-8")
    n_frames = len(topological_order(out))
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("<svg") == n_frames
    assert page.count('class="ag-frame"') == n_frames
    assert f'max="{n_frames - 1}"' in page and 'type="range"' in page
    assert "previous" in page and "next" in page
    # nothing to fetch: no src/href to the network, no external script or stylesheet
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page)
    assert "<link" not in page and "<script src" not in page and "<iframe" not in page
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page  # SVGs inlined, not embedded
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))  # frames do not share element ids
    fragment = steps._repr_html_()  # what Jupyter shows
    assert fragment.count("<svg") == n_frames and "<html" not in fragment


@needs_dot
@pytest.mark.skipif(shutil.which("node") is None, reason="node.js not installed")
def test_the_player_buttons_and_slider_change_the_frame():
    steps = viz.backward_steps(Value(2.0, label="x") * 3)  # 3 frames
    script = re.search(r"<script>(.*)</script>", steps._repr_html_(), re.S).group(1)
    # A minimal stand-in for the browser's DOM: three frames, a slider, a counter.
    harness = """
    const frames = [0, 1, 2].map(() => ({style: {display: 'none'}}));
    const slider = {value: '0'}, counter = {textContent: ''};
    const box = {
      querySelectorAll: (s) => frames,
      querySelector: (s) => s.startsWith('input') ? slider : counter,
    };
    const button = {closest: () => box};
    const shown = () => frames.map(f => f.style.display === 'block' ? 1 : 0).join('');
    const log = [];
    agStep(button, 1); log.push(shown(), counter.textContent);
    agStep(button, 1); agStep(button, 1); log.push(shown(), slider.value);
    agShow(button, 0); agStep(button, -1); log.push(shown(), counter.textContent);
    console.log(JSON.stringify(log));
    """
    result = subprocess.run(
        ["node", "-e", script + harness], capture_output=True, text=True, timeout=30, check=True
    )
    assert result.stdout.strip() == (
        '["010","step 2 of 3","001",2,"100","step 1 of 3"]'  # next, next past the end, back
    )


def test_too_many_nodes_is_refused_before_any_rendering():
    x = Value(1.0)
    out = x
    for _ in range(30):
        out = out * 1.01
    with pytest.raises(ValueError, match="one frame per node"):
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
    shown = steps._repr_html_()
    assert shown.startswith("<pre>") and "install" in shown.lower()
