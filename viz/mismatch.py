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

from autograd import Value, topological_order
from viz.build import build_scene
from viz.dot import drawn_order
from viz.labels import edge_text, escape_html, op_label
from viz.options import DrawOptions

WRONG = "#d62728"  # the wrong edge, and its text
WRONG_FILL = "#fcbba1"  # the op it enters
MAX_NODES = 200  # a larger graph is drawn up to the culprit only (what leads to it)


def draw_mismatch(
    root: Value, culprit: Value | None, k: int, cell: str, caption: str
) -> graphviz.Digraph:
    """Draw ``root``'s graph with the edge into ``culprit`` from its parent ``k`` in red.

    ``cell`` is written in that edge's cell of the op (instead of its local derivative),
    ``caption`` above the picture. With no culprit the graph is drawn as it is, with the
    caption. A graph of more than 200 values is drawn up to the culprit (its own graph).
    """
    order = drawn_order(root, "expanded")
    if len(order) > MAX_NODES and culprit is not None:
        order = topological_order(culprit)
    options = DrawOptions(edge_labels="local", collapse_neurons=False, max_nodes=len(order))
    scene = build_scene(order, [node.grad for node in order], options)
    at = next((i for i, node in enumerate(order) if node is culprit), None)
    if culprit is not None and at is not None:
        for edge in scene.edges:
            if edge.use == (at, k):
                edge.attrs.update(color=WRONG, penwidth="3")
        cells = [
            edge_text("local", local, None, parent.data)
            for parent, local in zip(culprit.parents, culprit.local_grads)
        ]
        cells[k] = cell
        for node in scene.nodes:
            if node.kind == "op" and node.index == at:
                node.attrs.update(op_label(culprit.op, cells, rankdir=options.rankdir,
                                           fill=WRONG_FILL))  # fmt: skip
    lines = [escape_html(caption)]
    drawn_caption = scene.graph_attrs.get("label", "")
    if drawn_caption:
        lines.append(drawn_caption[1:-1])  # its own lines, already escaped: <...>
    scene.graph_attrs["label"] = (
        f'<<FONT COLOR="{WRONG}">{lines[0]}</FONT>'
        + "".join(f"<BR/>{line}" for line in lines[1:])
        + ">"
    )
    scene.graph_attrs["labelloc"] = "t"
    return scene.to_digraph()
