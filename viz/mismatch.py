"""The picture of a failed derivative check: the graph, with the wrong edge in red.

``autograd.testing.assert_gradients_match`` draws it when a gradient disagrees with
finite differences: the usual drawing (values, gradients, each edge's local derivative in
the cell where it enters its op), and the edge whose local derivative is wrong in red,
its cell saying what it is against what it should be, and a caption saying it in words.

>>> from autograd import Value
>>> x = Value(0.5, label="x")
>>> y = x.tanh() * x
>>> y.backward()
>>> source = draw_mismatch(y, y, 1, "0.5 ≠ 0.46", "the edge x → * is wrong").source
>>> source.count('color="#d62728"'), "0.5 ≠ 0.46" in source
(1, True)
"""

from __future__ import annotations

import graphviz
import numpy as np

from autograd import Value
from viz.build import build_scene
from viz.dot import drawn_order
from viz.labels import edge_text, op_label
from viz.options import DrawOptions
from viz.scene import Scene, SceneNode

WRONG = "#d62728"  # the wrong edge, and its text
WRONG_FILL = "#fcbba1"  # the op it enters
MAX_NODES = 200  # a larger graph is drawn with its neurons collapsed


def draw_mismatch(
    root: Value, culprit: Value | None, k: int, cell: str, caption: str
) -> graphviz.Digraph:
    """Draw ``root``'s graph with the edge into ``culprit`` from its parent ``k`` in red.

    ``cell`` is written in that edge's cell of the op (instead of its local derivative),
    ``caption`` above the picture. With no culprit the graph is drawn as it is, with the
    caption. Fused layers are drawn expanded into their neurons, as ``viz.draw`` does; a
    graph of more than 200 values with its neurons collapsed (each one box), unless the
    culprit is inside one.
    """
    order = drawn_order(root, "expanded")
    at = _position(order, culprit)
    scene = None
    if len(order) > MAX_NODES:
        scene = _scene(order, collapse=True)
        if at is not None and _op_at(scene, at) is None:
            scene = None  # the culprit is inside a collapsed neuron: draw them all
    if scene is None:
        scene = _scene(order, collapse=False)
    op = None if at is None else _op_at(scene, at)
    if culprit is not None and op is not None:
        for edge in scene.edges:
            if edge.use == (at, k):
                edge.attrs.update(color=WRONG, penwidth="3")
        cells = [
            edge_text("local", local, None, parent.data)
            for parent, local in zip(culprit.parents, culprit.local_grads)
        ]
        cells[k] = cell
        op.attrs.update(op_label(culprit.op, cells, rankdir=scene.graph_attrs["rankdir"],
                                 fill=WRONG_FILL))  # fmt: skip
    scene.set_caption([caption, *scene.caption], scene.legend)  # what is wrong, first
    return scene.to_digraph()


def _scene(order: list[Value], collapse: bool) -> Scene:
    options = DrawOptions(
        edge_labels="local", collapse_neurons=collapse, max_nodes=max(len(order), 1)
    )
    return build_scene(order, [node.grad for node in order], options)


def _position(order: list[Value], culprit: Value | None) -> int | None:
    """Where the culprit is drawn: itself, or the one node that copies it where a fused
    layer was expanded into its neurons (the same op, data and operands' data)."""
    if culprit is None:
        return None
    for i, node in enumerate(order):
        if node is culprit:
            return i
    copies = [i for i, node in enumerate(order) if _same_node(node, culprit)]
    return copies[0] if len(copies) == 1 else None


def _same_node(a: Value, b: Value) -> bool:
    # Expanded, a layer's sums are added up in another order: equal to the last bits.
    return (
        a.op == b.op
        and len(a.parents) == len(b.parents)
        and all(_close(x.data, y.data) for x, y in zip((a, *a.parents), (b, *b.parents)))
    )


def _close(x: object, y: object) -> bool:
    return type(x) is type(y) and bool(np.allclose(x, y, rtol=1e-12, atol=0, equal_nan=True))


def _op_at(scene: Scene, at: int) -> SceneNode | None:
    """The drawn op node of the value at ``at`` (None when it is in a collapsed neuron)."""
    return next((n for n in scene.nodes if n.kind == "op" and n.index == at), None)
