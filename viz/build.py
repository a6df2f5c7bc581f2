"""Build the scene of a graph: every box, op table, edge, cluster and caption to draw.

``build_scene(order, grads, options)`` decides what the picture holds, using the helpers
for networks (``viz.networks``), honest sub-graphs (``viz.outside``) and bounded layout
(``viz.layout``); ``Scene.to_digraph()`` turns it into DOT. ``viz.draw`` uses both; the
step-through (``viz.steps``) restyles the same scene.

>>> from autograd import Value, topological_order
>>> x = Value(2.0, label="x")
>>> y = x * x
>>> y.backward()
>>> order = topological_order(y)
>>> scene = build_scene(order, [n.grad for n in order], DrawOptions())
>>> [node.kind for node in scene.nodes], len(scene.edges)
(['value', 'value', 'op'], 3)
"""

from __future__ import annotations

from autograd import Value
from viz.colours import grad_colour, grad_scale, legend_label
from viz.labels import (
    PORT_COMPASS,
    edge_text,
    escape_html,
    op_label,
    value_label,
)
from viz.layout import LAYOUT_ATTRS, repeat_far_uses
from viz.networks import (
    bundle_layer_edges,
    cluster_attrs,
    innermost_scopes,
    inputs_before_weights,
    scope_outputs,
    summary_attrs,
)
from viz.options import AUTO_COLLAPSE_NODES, DrawOptions
from viz.outside import OUTSIDE_FILL, outside_note, outside_shares
from viz.scene import Scene, SceneEdge, SceneNode, natural_key, op_name, parent_scope, value_name

NOT_COMPUTED = "gradients not computed: call backward()"
EDGE_CAPTIONS = {
    "local": "number where an edge enters an op: the local derivative ∂out/∂in",
    "contribution": (
        "number where an edge enters an op: upstream grad × local derivative "
        "= the contribution to that input's grad"
    ),
}


def build_scene(order: list[Value], grads: list, options: DrawOptions) -> Scene:
    """The Scene for the nodes ``order`` (topological, root last) with gradients ``grads``.

    ``grads[i]`` is drawn as the gradient of ``order[i]``: draw() passes the nodes' own
    ``grad``, the step-through the gradients of a replayed backward pass.
    """
    collapse = options.collapse_neurons
    if collapse == "auto":
        collapse = len(order) > AUTO_COLLAPSE_NODES
    collapsed = innermost_scopes(order) if collapse else {}
    shown = [i for i, node in enumerate(order) if node.scope not in collapsed]
    drawn = len(shown) + len(collapsed)
    if drawn > options.max_nodes:
        has_scopes = any(node.scope for node in order)
        raise ValueError(_too_large(drawn, options.max_nodes, bool(collapsed), has_scopes))
    summary_names = {scope: f"s{k}" for k, scope in enumerate(collapsed)}
    drawn_as = [summary_names.get(node.scope) or value_name(i) for i, node in enumerate(order)]
    outside = outside_shares(order, grads)

    scene = Scene(
        graph_attrs={
            "rankdir": options.rankdir,
            "fontname": "Helvetica",
            "fontsize": "12",
            **LAYOUT_ATTRS,
        }
    )
    colour = options.color_by_grad
    scale = grad_scale([grads[i] for i in shown]) if colour else 0.0
    for i in sorted(shown, key=lambda i: _declaration_key(order, i)):
        node = order[i]
        fill = grad_colour(grads[i], scale) if colour else "white"
        note = ""
        if i in outside and options.show_grads:
            fill = fill if colour else OUTSIDE_FILL
            note = outside_note(outside[i], whole=i == len(order) - 1)
        label = value_label(node, grads[i], show_grads=options.show_grads, fill=fill, note=note)
        scene.nodes.append(
            SceneNode(value_name(i), {"shape": "plain", "label": label}, node.scope, "value", i)
        )
        if node.op:
            cells = None
            if options.edge_labels:
                cells = [
                    edge_text(options.edge_labels, local, grads[i], parent.data)
                    for parent, local in zip(node.parents, node.local_grads)
                ]
            attrs = op_label(node.op, cells, rankdir=options.rankdir)
            scene.nodes.append(SceneNode(op_name(i), attrs, node.scope, "op", i))
    if collapsed:
        outputs = scope_outputs(order, collapsed)
        for scope in sorted(collapsed, key=natural_key):
            attrs = summary_attrs(scope, collapsed[scope], outputs[scope], order, grads, options)
            scene.nodes.append(
                SceneNode(summary_names[scope], attrs, parent_scope(scope), "summary")
            )

    _add_edges(scene, order, grads, drawn_as, collapsed, options)
    repeated = repeat_far_uses(scene, order)
    if options.clusters:
        scene.clusters = cluster_attrs(
            [order[i].scope for i in shown] + [parent_scope(s) for s in collapsed]
        )
        if collapsed:
            bundle_layer_edges(scene, order, collapsed, summary_names)
        else:
            inputs_before_weights(scene, order, drawn_as)
    caption = []
    if options.show_grads and grads and grads[-1] is None:
        caption.append(NOT_COMPUTED)
    if options.show_grads and outside:
        caption.append(
            f"⚠ {len(outside)} value(s) (shaded, with a note) get part of their grad from "
            "outside this drawing: it is not the whole graph backward() ran on"
        )
    if options.edge_labels and any(node.kind == "op" for node in scene.nodes):
        caption.append(EDGE_CAPTIONS[options.edge_labels])
    if repeated:
        caption.append(
            f"{repeated} dashed box(es) repeat a value where it is used far from its own box: "
            "the value's grad (in its solid box) sums the edges of all its copies"
        )
    if collapsed:
        caption.append(
            "each yellow box is one neuron: its weights, bias and ops collapsed; "
            "pass collapse_neurons=False to draw them"
        )
    if caption:
        scene.graph_attrs["label"] = f"<{'<BR/>'.join(map(escape_html, caption))}>"
        scene.graph_attrs["labelloc"] = "t"
    if colour:
        attrs = {"shape": "plain", "label": legend_label(scale, [grads[i] for i in shown])}
        scene.nodes.append(SceneNode("legend", attrs, kind="legend"))
    return scene


def _declaration_key(order: list[Value], i: int) -> tuple:
    # Graphviz orders nodes within a rank by when they are declared: leaves outside any
    # module (the inputs x0, x1, ...) first and in natural order, then the rest as computed.
    node = order[i]
    if not node.op and not node.scope:
        return (0, natural_key(node.label), i)
    return (1, [], i)


def _add_edges(scene, order, grads, drawn_as, collapsed, options) -> None:
    index = {node: i for i, node in enumerate(order)}
    compass = PORT_COMPASS[options.rankdir]
    for i, node in enumerate(order):
        inside = node.scope in collapsed
        for k, parent in enumerate(node.parents):
            p = index[parent]
            if inside:
                if drawn_as[p] != drawn_as[i]:  # edges within a collapsed neuron are hidden
                    scene.edges.append(SceneEdge(drawn_as[p], drawn_as[i], {}, use=(i, k)))
                continue
            head = op_name(i)
            if options.edge_labels:
                head = f"{head}:i{k}:{compass}"  # ends at the operand's cell with its number
            scene.edges.append(SceneEdge(drawn_as[p], head, {}, use=(i, k)))
        if node.op and not inside:
            scene.edges.append(SceneEdge(op_name(i), value_name(i)))


def _too_large(drawn: int, max_nodes: int, collapsed: bool, has_scopes: bool) -> str:
    if collapsed:
        return (
            f"the graph still has {drawn} nodes with its neurons collapsed, more than "
            f"max_nodes={max_nodes}: draw a smaller part of it (e.g. one layer's output), "
            "or pass a larger max_nodes"
        )
    if not has_scopes:  # no modules: there is nothing to collapse
        return (
            f"the graph has {drawn} nodes, more than max_nodes={max_nodes}: draw a smaller "
            "part of it (an intermediate value), or pass a larger max_nodes"
        )
    return (
        f"the graph has {drawn} nodes, more than max_nodes={max_nodes}: pass "
        "collapse_neurons=True to draw each neuron as one summary node, or a larger max_nodes"
    )
