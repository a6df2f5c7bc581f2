"""Collapsed neurons never make a cycle; a scene with one is an error, never a hang (issue 21).

The drawing that never returned: a fused layer's own node sits in the layer's scope, its
weights and outputs in the neurons' scopes, so one box per neuron fed the layer node and
was fed by it. Boxes are now chosen by graph structure alone: a box on a cycle is replaced
by its enclosing scope, and the caption says so.
"""

from __future__ import annotations

import itertools
import json
import re
import shutil

import numpy as np
import pytest

import viz
from autograd import Value, scope, topological_order
from autograd.engine import LinearMap, op_result
from autograd.losses import mse
from autograd.nn import MLP
from viz.boxes import collapsed_boxes, unit_state
from viz.layout import ranks
from viz.networks import bundle_text
from viz.programs import Program, pip_build_path
from viz.scene import Scene, SceneEdge, SceneNode


def fused_loss(hidden: int = 2, samples: int = 3) -> Value:
    model = MLP(2, [hidden, 1], activation="relu", seed=0)
    X = np.linspace(-1.0, 1.0, 2 * samples).reshape(samples, 2)
    loss = mse(model(X), np.ones(samples))
    loss.label = "L"
    loss.backward()
    return loss


def test_a_fused_network_collapsed_draws_a_hidden_layer_as_one_box_without_a_cycle():
    """A fused hidden layer is one node with its two blocks (no node per neuron): its scope
    is one box; the output neuron, a column of the last layer's node, a box of its own."""
    loss = fused_loss()
    source = viz.draw(loss, fused_layers="collapsed", collapse_neurons=True).source
    boxes = re.findall(r"<B>(L\d+(?:\.N\d+)?)</B>", source)
    assert boxes == ["L0", "L1.N0"]
    assert "one box each, not one per neuron" not in source  # no cycle to avoid
    assert "block of J" in source  # the edges into the last layer's node
    # the picture still shows the loss and is a graph without cycles
    assert f"data {viz.labels.format_number(loss.data)}" in source


def test_boxes_follow_structure_not_op_names():
    # the same shape built by hand, with an op no library node has: a node of scope "m"
    # reads m.a's and m.b's parameters and feeds their outputs back
    p, q = Value(1.0, label="p"), Value(2.0, label="q")
    with scope("m.a"):
        wp = p * 2.0
    with scope("m.b"):
        wq = q * 3.0
    with scope("m"):
        mixed = wp * wq
    with scope("m.a"):
        out_a = mixed + 1.0
    with scope("m.b"):
        out_b = mixed - 1.0
    root = out_a * out_b
    root.backward()
    boxes = collapsed_boxes(topological_order(root))
    assert sorted(boxes.members) == ["m"] and boxes.lifted == {"m": ["m.a", "m.b"]}
    viz.draw(root, collapse_neurons=True)  # and it draws


def test_a_top_level_scope_on_a_cycle_is_drawn_in_full():
    x = Value(1.0, label="x")
    with scope("f"):
        a = x * 2.0
    b = a + 1.0  # outside f, fed by it ...
    with scope("f"):
        c = b * 3.0  # ... and feeding it
    c.backward()
    boxes = collapsed_boxes(topological_order(c))
    assert boxes.members == {} and boxes.expanded == ["f"]
    source = viz.draw(c, collapse_neurons=True).source
    assert "f drawn in full: as one box, it would feed, and be fed by, a node outside it" in source


def test_neuron_boxes_stay_one_per_neuron_where_they_make_no_cycle():
    out = MLP(2, [3, 1], seed=0)([1.0, -1.0])
    out.backward()
    boxes = collapsed_boxes(topological_order(out))
    assert sorted(boxes.members) == ["L0.N0", "L0.N1", "L0.N2", "L1.N0"] and not boxes.lifted


def test_a_scene_with_a_cycle_is_a_clear_error_naming_its_nodes():
    scene = Scene(
        [SceneNode("s0", {}, title="the box of L0.N0"), SceneNode("v9_op", {}), SceneNode("v9", {})]
    )
    scene.edges = [SceneEdge("s0", "v9_op:i0:w"), SceneEdge("v9_op", "v9"), SceneEdge("v9", "s0")]
    message = r"cycle, which no layout can rank: s0 \(the box of L0\.N0\) → v9_op → v9 → s0"
    with pytest.raises(ValueError, match=message):
        scene.check_acyclic()
    with pytest.raises(ValueError, match=message):  # the layout's ranking stops too
        ranks(scene)


def test_ranking_a_long_chain_is_linear_and_needs_no_recursion():
    names = [f"v{k}" for k in range(20_000)]
    scene = Scene([SceneNode(n, {}) for n in names])
    scene.edges = [SceneEdge(a, b) for a, b in itertools.pairwise(names)]
    rank = ranks(scene)
    assert rank["v0"] == 0 and rank["v19999"] == 19_999


class Block(LinearMap):
    """A local derivative given only as its product, as a fused layer's are."""

    def times(self, upstream):
        return upstream


def test_bundled_edges_sum_only_local_derivatives_that_are_numbers_and_say_so():
    x = Value(2.0)
    products = [x * Value(3.0), x * Value(4.0)]  # ∂/∂x: the weights 3 and 4
    opaque = op_result(1.0, "opaque", (x,), (Block(),))  # a block of a Jacobian: no number
    order = [x, *products, opaque]
    both = [SceneEdge("v0", "s0", use=(1, 0)), SceneEdge("v0", "s1", use=(2, 0))]
    other = SceneEdge("v0", "s2", use=(3, 0))
    assert bundle_text(order, both) == "2 weights, ‖W‖ = 5"
    assert bundle_text(order, [*both, other]) == (
        "3 edges, ‖∂/∂in‖ = 5 over the 2 whose local derivative is a number"
    )
    assert bundle_text(order, [other, other]) == (
        "2 edges; their local derivatives are not numbers: no norm"
    )


def test_the_fused_collapsed_network_shows_the_gradient_reaching_the_weights():
    source = viz.draw(fused_loss(hidden=3), fused_layers="collapsed", collapse_neurons=True).source
    assert "‖∂L/∂w‖" in source  # the gradient reaching the weights, from numbers only
    assert "block of J" in source  # a fused layer's local derivatives, never squared


def test_dead_and_saturated_units_are_read_from_the_numbers():
    assert unit_state([Value(np.array([-1.0, -2.0])).relu()], 0) == "dead"
    assert unit_state([Value(np.array([-1.0, 2.0])).relu()], 0) == ""
    assert unit_state([Value(np.array([8.0, -9.0])).tanh()], 0) == "saturated"
    assert unit_state([Value(np.array([30.0])).sigmoid()], 0) == "saturated"


PROGRAMS = [
    pytest.param(None, marks=pytest.mark.skipif(shutil.which("dot") is None, reason="no dot")),
    pytest.param(
        "pure", marks=pytest.mark.skipif(pip_build_path() is None, reason="no graphviz-pure")
    ),
]


@pytest.mark.parametrize("program", PROGRAMS, ids=["dot", "graphviz-pure"])
@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_collapsed_neurons_stack_in_order_whatever_the_graphviz_version(program, rankdir):
    # Graphviz 2.43 and 16.1 order a rank differently by declaration alone; invisible edges
    # within the rank hold N0, N1, ... in order for both
    out = MLP(2, [12, 1], activation="relu", seed=0)([0.5, -1.0])
    out.backward()
    digraph = viz.draw(out, collapse_neurons=True, rankdir=rankdir)
    chosen = Program(pip_build_path(), pip_build=True) if program else None
    layout = json.loads(viz.images.pipe(digraph, "json", program=chosen))
    names = dict(
        re.findall(r"^\s*(s\d+) \[label=<<TABLE[^\n]*?<B>(L0\.N\d+)</B>", digraph.source, re.M)
    )
    place = {
        o["name"]: [float(v) for v in o["pos"].split(",")] for o in layout["objects"] if "pos" in o
    }
    along = (lambda n: -place[n][1]) if rankdir == "LR" else (lambda n: place[n][0])
    assert [names[n] for n in sorted(names, key=along)] == [f"L0.N{k}" for k in range(12)]
