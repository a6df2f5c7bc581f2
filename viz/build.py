"""Build the scene of a graph: every box, op table, edge, cluster and caption to draw.

``build_scene(order, grads, options)`` decides what the picture holds, using the helpers
for networks (``viz.networks``), collapsed neurons (``viz.boxes``), honest sub-graphs
(``viz.outside``) and bounded layout (``viz.layout``); ``Scene.to_digraph()`` turns it
into DOT. ``viz.draw`` uses both; the step-through (``viz.steps``) restyles the same scene.

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
from viz.boxes import (
    Boxes,
    BoxFacts,
    box_facts,
    box_label,
    box_rows,
    collapsed_boxes,
    common_lines,
    output_grad,
    parameter_grad_norm,
    unit_state,
)
from viz.colours import (
    NORM_RGB,
    STATE_FILL,
    grad_colour,
    grad_scale,
    legend_label,
    norm_colour,
    tint,
)
from viz.labels import (
    PORT_COMPASS,
    describe,
    edge_text,
    escape_html,
    grad_text,
    op_label,
    sample_text,
    shorten,
    value_label,
)
from viz.layout import LAYOUT_ATTRS, repeat_far_uses
from viz.networks import (
    bundle_layer_edges,
    cluster_attrs,
    inputs_before_weights,
    inputs_into_their_layer,
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
    ``grad``, the step-through the gradients of a replayed backward pass. The scene is
    checked to have no cycle (a ValueError naming its nodes otherwise).
    """
    collapse = options.collapse_neurons
    if collapse == "auto":
        collapse = len(order) > AUTO_COLLAPSE_NODES
    boxes = collapsed_boxes(order) if collapse else Boxes()
    shown = [i for i in range(len(order)) if i not in boxes.box_of]
    drawn = len(shown) + len(boxes.members)
    if drawn > options.max_nodes:
        has_scopes = any(node.scope for node in order)
        raise ValueError(_too_large(drawn, options.max_nodes, bool(boxes.members), has_scopes))
    box_names = {scope: f"s{k}" for k, scope in enumerate(boxes.members)}
    drawn_as = [
        box_names[boxes.box_of[i]] if i in boxes.box_of else value_name(i)
        for i in range(len(order))
    ]
    outside = outside_shares(order, grads)
    facts = box_facts(order, boxes)

    scene = Scene(
        graph_attrs={
            "rankdir": options.rankdir,
            "fontname": "Helvetica",
            "fontsize": "12",
            **LAYOUT_ATTRS,
        }
    )
    colour_values = options.color_by_grad
    colour_boxes = bool(facts) and options.show_grads and grads[-1] is not None
    coloured = [grads[i] for i in shown] if colour_values else []
    if colour_boxes:
        coloured += [
            output_grad(grads[f.outputs[0]]) for f in facts.values() if len(f.outputs) == 1
        ]
    scale = grad_scale(coloured)
    for i in sorted(shown, key=lambda i: _declaration_key(order, i)):
        scene.nodes += _value_and_op(order, grads, i, options, scale, outside)
    states = _add_boxes(scene, order, grads, boxes, facts, box_names, options, scale)

    _add_edges(scene, order, grads, drawn_as, boxes, options)
    repeated = repeat_far_uses(scene, order)
    if options.clusters:
        scene.clusters = cluster_attrs(
            [order[i].scope for i in shown] + [parent_scope(s) for s in boxes.members]
        )
        _say_common_lines_on_layers(scene, boxes, facts)
        for scope in sorted(boxes.members, key=natural_key):  # each layer's neurons in order
            if scope not in boxes.lifted and parent_scope(scope) in scene.clusters:
                scene.orders.setdefault(parent_scope(scope), []).append(box_names[scope])
        if boxes.members:
            layer_of = {
                box_names[s]: s if s in boxes.lifted else parent_scope(s) for s in boxes.members
            }
            bundle_layer_edges(scene, order, layer_of)
        else:
            inputs_before_weights(scene, order, drawn_as)
            inputs_into_their_layer(scene, order)
    legend = ""
    if colour_values or colour_boxes:
        legend = legend_label(scale, coloured, _box_legend(states, order, grads, facts))
    scene.set_caption(_caption(scene, order, grads, boxes, outside, repeated, options), legend)
    scene.check_acyclic()
    return scene


def _value_and_op(order, grads, i, options, scale, outside) -> list[SceneNode]:
    """A value's box and, when it was computed, the table of its op."""
    node = order[i]
    colour = grad_colour(grads[i], scale) if options.color_by_grad else "white"
    fill, grad_fill, note = "white", colour, ""
    if not options.show_grads:
        fill = colour  # no grad row to colour: the whole box says it
    if i in outside and options.show_grads:
        fill = OUTSIDE_FILL
        note = outside_note(outside[i], whole=i == len(order) - 1)
    label = value_label(
        node, grads[i], show_grads=options.show_grads, fill=fill, grad_fill=grad_fill, note=note
    )
    rows = [node.label] if node.label else []
    rows.append(sample_text("data", node.data))
    if options.show_grads:
        rows.append(grad_text(grads[i]))
    if note:
        rows.append(note)
    nodes = [
        SceneNode(
            value_name(i),
            {"shape": "plain", "label": label},
            node.scope,
            "value",
            i,
            title=describe(node),
            rows=tuple(rows),
        )
    ]
    if node.op:
        cells = None
        if options.edge_labels and node.parents:  # made under no_grad(): an op, no operands
            cells = [
                edge_text(options.edge_labels, local, grads[i], parent.data)
                for parent, local in zip(node.parents, node.local_grads)
            ]
        attrs = op_label(node.op, cells, rankdir=options.rankdir)
        nodes.append(
            SceneNode(
                op_name(i),
                attrs,
                node.scope,
                "op",
                i,
                title=f"the op of {describe(node)}",
                rows=(node.op, *(cells or ())),
            )
        )
    return nodes


def _add_boxes(scene, order, grads, boxes, facts, box_names, options, scale) -> dict[str, str]:
    """One node per box, in natural order (N2 before N10); returns each box's unit state."""
    by_layer: dict[str, list[BoxFacts]] = {}
    for scope, f in facts.items():
        if scope not in boxes.lifted:
            by_layer.setdefault(parent_scope(scope), []).append(f)
    shared = {layer for layer, group in by_layer.items() if layer and common_lines(group)}
    norms = {s: parameter_grad_norm(f, grads) for s, f in facts.items()}
    largest = max((n for n in norms.values() if n is not None and n == n), default=0.0)
    symbol = _root_symbol(order[-1])
    states = {}
    for scope in sorted(boxes.members, key=natural_key):
        f = facts[scope]
        common = options.clusters and scope not in boxes.lifted and parent_scope(scope) in shared
        rows = box_rows(
            f,
            order,
            grads,
            show_grads=options.show_grads,
            common=common,
            symbol=symbol,
            inner=boxes.lifted.get(scope, []),
        )
        state = unit_state(order, f.outputs[0]) if len(f.outputs) == 1 else ""
        states[scope] = state
        fills = {"norm": norm_colour(norms[scope], largest), "state": STATE_FILL}
        if len(f.outputs) == 1 and options.show_grads and grads[-1] is not None:
            fills["grad"] = grad_colour(output_grad(grads[f.outputs[0]]), scale)
        attrs = {"shape": "plain", "label": box_label(rows, fills, dashed=state == "dead")}
        scene.nodes.append(
            SceneNode(
                box_names[scope],
                attrs,
                parent_scope(scope),
                "summary",
                title=f"the box of {scope}",
                rows=tuple(text for _, text in rows),
            )
        )
    return states


def _say_common_lines_on_layers(scene: Scene, boxes: Boxes, facts: dict) -> None:
    """A layer whose neurons all share their description says it once, under its name."""
    by_layer: dict[str, list[BoxFacts]] = {}
    for scope, f in facts.items():
        if scope not in boxes.lifted:
            by_layer.setdefault(parent_scope(scope), []).append(f)
    for layer, group in by_layer.items():
        lines = common_lines(group)
        if layer in scene.clusters and lines:
            text = "<BR/>".join(escape_html(line) for line in lines)
            scene.clusters[layer]["label"] = (
                f"<<B>{escape_html(shorten(layer))}</B>: {len(group)} neurons, each<BR/>"
                f'<FONT POINT-SIZE="10">{text}</FONT>>'
            )


def _root_symbol(root: Value) -> str:
    # ‖∂L/∂w‖ names the root by its label when that is a symbol (L, y, ŷ), else "out".
    return root.label if 0 < len(root.label) <= 3 else "out"


def _box_legend(states: dict, order, grads, facts: dict) -> list[tuple[str, str]]:
    rows = []
    if any(f.parameters for f in facts.values()) and grads and grads[-1] is not None:
        symbol = escape_html(_root_symbol(order[-1]))
        rows.append(
            (
                tint(NORM_RGB, 1.0),
                f"‖∂{symbol}/∂w‖: the size of the gradient reaching a neuron's weights and "
                "bias; darker: larger",
            )
        )
    if "dead" in states.values():
        rows.append(("white", "dashed box: a dead unit, its output 0: no gradient passes"))
    if "saturated" in states.values():
        rows.append((STATE_FILL, "saturated: its slope ≈ 0, so almost no gradient passes"))
    return rows


def _caption(scene, order, grads, boxes, outside, repeated, options) -> list[str]:
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
    if boxes.members:
        caption.append(
            "each box is one neuron: its weights, bias and ops collapsed; "
            "pass collapse_neurons=False to draw them"
        )
    if boxes.lifted:
        caption.append(
            f"{', '.join(sorted(boxes.lifted, key=natural_key))}: one box each, not one per "
            "neuron: a neuron's box would feed, and be fed by, a node of the layer outside "
            "its neurons (a cycle no layout can draw)"
        )
    if boxes.expanded:
        caption.append(
            f"{', '.join(boxes.expanded)} drawn in full: as one box, it would feed, and be fed "
            "by, a node outside it (a cycle no layout can draw)"
        )
    return caption


def _declaration_key(order: list[Value], i: int) -> tuple:
    # Graphviz orders nodes within a rank by when they are declared: leaves outside any
    # module (the inputs x0, x1, ...) first and in natural order, then the rest as computed.
    node = order[i]
    if not node.op and not node.scope:
        return (0, natural_key(node.label), i)
    return (1, [], i)


def _add_edges(scene, order, grads, drawn_as, boxes: Boxes, options) -> None:
    index = {node: i for i, node in enumerate(order)}
    compass = PORT_COMPASS[options.rankdir]
    for i, node in enumerate(order):
        inside = i in boxes.box_of
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
