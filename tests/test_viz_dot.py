"""viz.draw: what the DOT text says (values, grads, edges, clusters, legend), its
determinism across processes, escaping of hostile labels, and the size limit."""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

import autograd
from autograd import Value, sum_of, topological_order
from autograd.nn import MLP
from viz import draw
from viz.build import NOT_COMPUTED
from viz.colours import NEGATIVE_RGB, NOT_COMPUTED_COLOUR, tint
from viz.labels import format_number

REPO = Path(__file__).resolve().parents[1]
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")


def classic_neuron() -> dict[str, Value]:
    """tanh(x1·w1 + x2·w2 + b): the lecture's neuron, every leaf labelled."""
    v = {
        "x1": Value(2.0, label="x1"),
        "x2": Value(0.0, label="x2"),
        "w1": Value(-3.0, label="w1"),
        "w2": Value(1.0, label="w2"),
        "b": Value(6.8813735870195432, label="b"),
    }
    v["n"] = v["x1"] * v["w1"] + v["x2"] * v["w2"] + v["b"]
    v["n"].label = "n"
    v["o"] = v["n"].tanh()
    v["o"].label = "o"
    return v


def node_name(source: str, label: str) -> str:
    """The DOT name of the value box whose bold label is ``label``."""
    names = re.findall(rf"^\s*(\w+) \[label=<<TABLE[^\n]*<B>{re.escape(label)}</B>", source, re.M)
    assert len(names) == 1, f"expected one box labelled {label!r}, found {names}"
    return names[0]


def node_line(source: str, name: str) -> str:
    return re.search(rf"^\s*{name} \[.*$", source, re.M).group(0)


def edges_from(source: str, name: str) -> list[str]:
    """Every edge statement whose tail is ``name``."""
    return re.findall(rf"^\s*{name} -> .*$", source, re.M)


def edge_label(edge: str, source: str) -> str:
    """The number written for ``edge``: in the op's cell (port) where the edge ends."""
    op, port = re.search(r"-> (\w+):(i\d+)", edge).groups()
    cell = re.search(rf'PORT="{port}"[^>]*><FONT[^>]*>(.*?)</FONT>', node_line(source, op))
    return cell.group(1).rstrip("\u00a0")


def block(source: str, label: str) -> str:
    """The text of the subgraph labelled ``label``, from its opening to its closing brace."""
    match = re.search(rf"subgraph (cluster_\w+) \{{\s*[^\n]*label=<{re.escape(label)}>", source)
    assert match, f"no cluster labelled {label!r}"
    depth, start = 0, match.start()
    for i in range(source.index("{", start), len(source)):
        depth += {"{": 1, "}": -1}.get(source[i], 0)
        if depth == 0:
            return source[start : i + 1]
    raise AssertionError("unbalanced braces")


# --------------------------------------------------------------------- values and gradients


def test_boxes_show_label_data_and_grad():
    v = classic_neuron()
    v["o"].backward()
    source = draw(v["o"]).source
    for name in ("x1", "x2", "w1", "w2", "b", "n", "o"):
        line = node_line(source, node_name(source, name))
        assert f"data {format_number(v[name].data)}<" in line
        assert f"grad {format_number(v[name].grad)}<" in line
    assert NOT_COMPUTED not in source and "grad —" not in source


def test_before_backward_the_picture_says_grads_are_not_computed():
    v = classic_neuron()
    source = draw(v["o"]).source
    assert NOT_COMPUTED in source
    n_values = len(topological_order(v["o"]))
    assert source.count("grad —") == n_values  # every box, never a silent 0
    assert "grad 0<" not in source


def test_show_grads_false_hides_grads_and_the_warning():
    v = classic_neuron()
    source = draw(v["o"], show_grads=False).source
    assert ">grad" not in source  # no grad row in any box
    assert NOT_COMPUTED not in source


def test_op_nodes_show_the_op():
    x = Value(2.0, label="x")
    y = (x**2 + 2**x).sigmoid()
    source = draw(y).source
    ops = re.findall(r"^\s*v\d+_op \[label=<.*?<B>([^<]*)</B>", source, re.M)
    assert sorted(ops) == sorted(["**2", "2**", "+", "sigmoid"])
    bare = draw(y, edge_labels=None).source  # no numbers to write: plain ellipses
    assert sorted(re.findall(r"^\s*v\d+_op \[label=<([^>]*)>", bare, re.M)) == sorted(ops)


# --------------------------------------------------------------------- edges


def test_edges_carry_the_local_derivative():
    v = classic_neuron()
    v["o"].backward()
    source = draw(v["o"], edge_labels="local").source
    # d(x1·w1)/dx1 = w1 and d(x1·w1)/dw1 = x1; d tanh(n)/dn = 1 - tanh²(n)
    (x1_edge,) = edges_from(source, node_name(source, "x1"))
    (w1_edge,) = edges_from(source, node_name(source, "w1"))
    (n_edge,) = edges_from(source, node_name(source, "n"))
    assert edge_label(x1_edge, source) == format_number(v["w1"].data)
    assert edge_label(w1_edge, source) == format_number(v["x1"].data)
    assert edge_label(n_edge, source) == format_number(1 - math.tanh(v["n"].data) ** 2)


@pytest.mark.parametrize(
    ("build", "uses"),
    [
        (lambda a: a * a, 2),
        (lambda a: a + a, 2),
        (lambda a: sum_of([a, a, a]), 3),
        (lambda a: (a * a) * a, 3),  # two uses in one op, one in another
    ],
)
def test_one_edge_per_use_and_contributions_add_up_to_the_grad(build, uses):
    a = Value(1.5, label="a")
    y = build(a)
    y.backward()
    source = draw(y, edge_labels="contribution").source
    edges = edges_from(source, node_name(source, "a"))
    assert len(edges) == uses
    # each label reads "upstream × local = contribution": the picture adds up to a.grad
    contributions = [float(edge_label(e, source).split("=")[-1]) for e in edges]
    assert sum(contributions) == pytest.approx(a.grad, rel=1e-3)  # labels keep 4 digits


def test_edge_labels_none_draws_bare_edges():
    v = classic_neuron()
    source = draw(v["o"], edge_labels=None).source
    assert not re.search(r"->.*label=", source)
    assert "PORT=" not in source  # and no cells for numbers in the ops


def test_batched_values_show_first_sample_and_batch_size():
    x = Value(np.array([0.31, -1.0, 2.0]), label="x")
    w = Value(0.5, label="w")
    y = (x * w).sum()
    y.backward()
    source = draw(y, edge_labels="contribution").source
    line = node_line(source, node_name(source, "x"))
    assert "data[0] 0.31 (B=3)" in line
    assert f"grad[0] {format_number(x.grad[0])}<" in line
    # into the weight, backward() adds the sum over the batch: so does the edge label
    (w_edge,) = edges_from(source, node_name(source, "w"))
    assert edge_label(w_edge, source) == f"Σ over batch = {format_number(w.grad)}"


# --------------------------------------------------------------------- clusters and legend


def mlp_loss() -> Value:
    model = MLP(2, [3, 1], activation="tanh", seed=0)
    loss = (model([2.0, -1.0]) - 1.0) ** 2
    loss.backward()
    return loss


def test_one_cluster_per_neuron_nested_in_its_layer():
    source = draw(mlp_loss()).source
    for layer, neurons in (("L0", 3), ("L1", 1)):
        layer_block = block(source, layer)
        for k in range(neurons):
            neuron_block = block(source, f"{layer}.N{k}")
            assert neuron_block in layer_block
            # the neuron's parameters sit in its cluster
            assert f"<B>{layer}.N{k}.b</B>" in neuron_block
            assert f"<B>{layer}.N{k}.w0</B>" in neuron_block
    assert source.count("subgraph cluster_") == 2 + 4


def test_clusters_false_draws_no_cluster():
    assert "subgraph" not in draw(mlp_loss(), clusters=False).source


def test_color_by_grad_fills_the_grad_row_by_sign_and_size_with_a_legend():
    v = classic_neuron()
    v["o"].backward()
    source = draw(v["o"], color_by_grad=True).source
    # the legend is part of the caption (the graph's label), not a node edges must avoid
    caption = r"^\s*fontname=Helvetica fontsize=12 label=(<.*>) labelloc"
    graph_label = re.search(caption, source, re.M)
    assert "gradient colour" in graph_label.group(1)
    assert "cluster_legend" not in source

    def fill(label: str) -> tuple[int, int, int]:
        line = node_line(source, node_name(source, label))
        # the colour is on the grad row, where the gradient is written, and nowhere else
        grad_cell = re.search(r'<TD ALIGN="LEFT" BGCOLOR="#(\w{6})"><FONT[^>]*>grad ', line)
        assert re.search(r'<TABLE[^>]*BGCOLOR="white"', line)
        assert 'BGCOLOR="#' not in line.replace(grad_cell.group(0), "")
        return tuple(int(grad_cell.group(1)[k : k + 2], 16) for k in (0, 2, 4))

    red, _, blue = fill("x1")  # grad -1.5: the largest |grad|, negative
    assert fill("x1") == tuple(int(tint(NEGATIVE_RGB, 1.0)[k : k + 2], 16) for k in (1, 3, 5))
    assert red > blue
    red, _, blue = fill("b")  # grad +0.5
    assert blue > red
    assert sum(fill("b")) > sum(fill("w1"))  # |0.5| is paler than |1|
    # a gradient a third of the largest still gets more than half of the full tint
    full = 255 * 3 - sum(fill("x1"))
    assert 255 * 3 - sum(fill("b")) > 0.5 * full
    assert fill("w2") == (255, 255, 255)  # grad 0


def test_color_by_grad_before_backward_is_grey_and_the_legend_says_why():
    v = classic_neuron()
    source = draw(v["o"], color_by_grad=True).source
    line = node_line(source, node_name(source, "x1"))
    assert f'BGCOLOR="{NOT_COMPUTED_COLOUR}"><FONT FACE="Courier" POINT-SIZE="12">grad —' in line
    assert "not computed (backward() never reached it)" in source


# --------------------------------------------------------------------- size limit


def test_a_graph_over_max_nodes_is_refused_with_the_option_that_helps():
    with pytest.raises(ValueError, match=r"collapse_neurons=True"):
        draw(mlp_loss(), max_nodes=10)


def test_collapse_neurons_draws_one_summary_per_neuron():
    model = MLP(2, [3, 1], activation="tanh", seed=0)
    out = model([2.0, -1.0])
    out.backward()
    source = draw(out, collapse_neurons=True).source
    summaries = re.findall(r"^\s*(s\d+) \[label=<<TABLE", source, re.M)
    assert len(summaries) == 4
    assert ".w0<" not in source  # parameters are inside the summaries
    hidden = model.layers[0].neurons[1]
    # in words, once per layer (every neuron of L0 is alike): what flows in, is inside, comes out
    layer = re.search(r"label=<<B>L0</B>: 3 neurons, each<BR/>(.*?)> style", source).group(1)
    assert "2 inputs in, 3 parameters (weights, bias) inside" in layer
    assert "output = tanh(…)" in layer
    assert source.count("parameters (weights, bias) inside") == 2  # L0 once, L1.N0 alone
    # a summary shows its neuron's output: here the tanh of neuron L0.N1
    (tanh_out,) = [n for n in topological_order(out) if n.scope == hidden.name and n.op == "tanh"]
    line = re.search(r"^.*<B>L0\.N1</B>.*$", source, re.M).group(0)
    assert f"out {format_number(tanh_out.data)}<" in line
    assert f"grad {format_number(tanh_out.grad)}<" in line
    # and it passes the size limit that the full graph fails
    draw(out, collapse_neurons=True, max_nodes=10)
    with pytest.raises(ValueError, match="still has"):
        draw(out, collapse_neurons=True, max_nodes=3)


def test_collapsed_neurons_are_in_order_and_layers_joined_by_one_edge_with_the_weight_norm():
    model = MLP(2, [12, 12, 1], activation="relu", seed=0)
    out = model([0.5, -1.0])
    out.backward()
    source = draw(out, collapse_neurons=True).source
    declared = re.findall(r"<B>(L\d+\.N\d+)</B>", source)
    assert declared == [f"L0.N{k}" for k in range(12)] + [f"L1.N{k}" for k in range(12)] + [
        "L2.N0"
    ]  # N0…N11 in order, so Graphviz stacks them in order
    summary_to_summary = re.findall(r"^\s*s\d+ -> s\d+ .*$", source, re.M)
    drawn = [edge for edge in summary_to_summary if "style=invis" not in edge]
    assert len(drawn) == 2  # L0 -> L1 and L1 -> L2, not 144 + 12 edges
    # the others hold each layer's boxes in order: 11 invisible edges a layer of 12
    assert len(summary_to_summary) - len(drawn) == 11 + 11
    # L0 -> L1 stands for the 12 × 12 weights of L1: its norm is ‖W‖ of those weights
    weights_l1 = [w.data for neuron in model.layers[1].neurons for w in neuron.w]
    norm = math.sqrt(sum(w * w for w in weights_l1))
    assert f"144 weights, ‖W‖ = {format_number(norm)}" in source
    assert "12 weights" in source  # and L1 -> L2: the output neuron's 12 weights
    # the inputs feed a layer through one edge each, too
    assert len(edges_from(source, node_name(source, "x0"))) == 1


def test_big_graphs_are_collapsed_by_default_and_can_be_expanded():
    model = MLP(2, [16, 16, 1], activation="relu", seed=0)
    out = model([0.5, -1.0])
    out.backward()
    source = draw(out).source
    assert "<B>L1.N15</B>" in source and ".w0<" not in source
    assert "collapse_neurons=False" in source  # the picture says how to expand it
    expanded = draw(out, collapse_neurons=False, max_nodes=2000).source
    assert "<B>L1.N15.w0</B>" in expanded
    small = draw(mlp_loss()).source  # a small net is drawn in full
    assert "<B>L0.N0.w0</B>" in small


# --------------------------------------------------------------------- options


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"rankdir": "XY"}, ValueError),
        ({"edge_labels": "both"}, ValueError),
        ({"max_nodes": 0}, ValueError),
        ({"max_nodes": True}, ValueError),
    ],
)
def test_bad_options_are_refused(options, error):
    with pytest.raises(error, match=next(iter(options))):
        draw(Value(1.0), **options)


def test_draw_needs_a_value():
    with pytest.raises(TypeError, match="autograd Value"):
        draw(1.0)


def test_rankdir_is_passed_on():
    assert "rankdir=TB" in draw(Value(1.0) * 2, rankdir="TB").source


# --------------------------------------------------------------------- determinism

DETERMINISM_SCRIPT = """
import sys
from autograd import Value
from autograd.nn import MLP
from viz import draw
model = MLP(2, [3, 1], activation="tanh", seed=0)
loss = (model([2.0, -1.0]) - 1.0) ** 2
loss.backward()
a = Value(1.5, label="a")
reuse = (a * a + a).tanh()
reuse.backward()
for graph in (draw(loss, color_by_grad=True), draw(reuse, edge_labels="contribution")):
    sys.stdout.write(graph.source)
"""


def test_dot_source_is_byte_identical_across_processes():
    # Different hash seeds give different set and dict-of-id orders; both run at once.
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", DETERMINISM_SCRIPT],
            stdout=subprocess.PIPE,
            cwd=REPO,
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
        )
        for hash_seed in ("1", "2")
    ]
    outputs = [run.communicate(timeout=60)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0]
    assert outputs[0] == outputs[1]
    assert b"subgraph cluster_" in outputs[0]


def test_node_names_follow_the_topological_order():
    v = classic_neuron()
    source = draw(v["o"]).source
    names = re.findall(r"^\s*(v\d+) \[", source, re.M)
    order = topological_order(v["o"])
    assert sorted(names) == sorted(f"v{i}" for i in range(len(order)))
    # inputs outside any module are declared first, in natural order (x2 before x10)
    leaves = [name for name in names if not order[int(name[1:])].op]
    labels = [order[int(name[1:])].label for name in leaves]
    assert labels == sorted(labels)


# --------------------------------------------------------------------- hostile labels

HOSTILE = [
    'a|b{c}<d>"e\\f',
    '"]; evil [label="pwned',
    "</B></TD></TR></TABLE>>]; evil [color=red",
    "&amp; &lt; ' \\N \\l \\G",
    "bell\x07 nul\x00 lone\ud800",
]


def svg_text(svg: str) -> str:
    root = ET.fromstring(svg)
    return "\n".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))


@needs_dot
def test_hostile_labels_and_scopes_show_literally_and_inject_nothing():
    with autograd.scope('L"0<>|{}'):
        leaves = [Value(float(k), label=label) for k, label in enumerate(HOSTILE)]
    two_lines = Value(1.0, label="first line\nsecond line")
    out = sum_of([*leaves, two_lines])
    out.backward()
    digraph = draw(out, color_by_grad=True)
    svg = subprocess.run(
        ["dot", "-Tsvg"], input=digraph.source.encode(), capture_output=True, check=True
    ).stdout.decode()
    texts = svg_text(svg)
    for label in HOSTILE[:4]:
        assert label in texts, f"{label!r} not shown literally"
    assert "bell\\x07 nul\\x00 lone\\ud800" in texts  # control characters spelled out
    assert "first line\nsecond line" in texts  # a newline is a line break
    assert 'L"0<>|{}' in texts  # the cluster's name
    # nothing injected: exactly our nodes, no node named evil, no red
    n_nodes = len(leaves) + 1 + 1 + 1  # leaves, two_lines, the sum, its op (the legend: a label)
    assert svg.count('class="node"') == n_nodes
    drawing = re.sub(r"<text.*?</text>", "", svg, flags=re.S)  # all but the shown text
    assert "evil" not in drawing
    assert "red" not in drawing


@needs_dot
def test_network_inputs_stand_left_of_the_weights_they_meet():
    import json

    from viz.images import pipe

    layout = json.loads(pipe(draw(mlp_loss()), "json"))
    x_of = {}
    for obj in layout["objects"]:
        label = re.search(r"<B>([\w.]+)</B>", obj.get("label", ""))
        if label and "pos" in obj:
            x_of[label.group(1)] = float(obj["pos"].split(",")[0])
    weights = [x for name, x in x_of.items() if re.fullmatch(r"L0\.N\d\.w\d", name)]
    assert len(weights) == 6
    assert x_of["x0"] < min(weights) and x_of["x1"] < min(weights)


def test_a_large_graph_without_modules_is_not_told_to_collapse_neurons():
    x = Value(1.0, label="x")
    y = x
    for _ in range(30):
        y = (y * x).tanh()
    with pytest.raises(ValueError, match="smaller part") as refused:
        draw(y, max_nodes=10)
    assert "collapse_neurons" not in str(refused.value)
