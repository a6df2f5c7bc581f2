"""What to draw, as plain data: the nodes, edges and clusters of a graph, before any DOT.

``build_scene(order, grads, options)`` decides every box, op table, edge and cluster;
``Scene.to_digraph()`` turns that into a ``graphviz.Digraph``. ``viz.draw`` uses both; the
step-through (``viz.steps``) restyles the same scene frame by frame.

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

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

import graphviz
import numpy as np

from autograd import Value
from autograd.engine import contribution
from viz.colours import grad_colour, grad_scale, legend_label
from viz.labels import (
    PORT_COMPASS,
    describe,
    edge_text,
    escape_html,
    format_data,
    format_number,
    grad_text,
    mono,
    op_label,
    shorten,
    value_label,
)

EdgeLabels = Literal["local", "contribution"] | None

DEFAULT_MAX_NODES = 500  # beyond this the picture is unreadable anyway: collapse or cut it
AUTO_COLLAPSE_NODES = 120  # collapse_neurons="auto" draws neurons as boxes above this size
RANKDIRS = ("LR", "TB", "RL", "BT")
EDGE_LABELS = ("local", "contribution", None)

NOT_COMPUTED = "gradients not computed: call backward()"
EDGE_CAPTIONS = {
    "local": "number where an edge enters an op: the local derivative ∂out/∂in",
    "contribution": (
        "number where an edge enters an op: upstream grad × local derivative "
        "= the contribution to that input's grad"
    ),
}
OUTSIDE_FILL = "#fff0c2"  # a value whose grad partly comes from outside the drawing
# Graphviz's network simplex runs until it is optimal: on a graph where one value feeds
# many far-apart ops that takes minutes. A cap of 2 passes per node keeps layouts bounded
# (seconds), and small graphs finish well within it, so their pictures do not change.
LAYOUT_ATTRS = {"nslimit": "2", "nslimit1": "2"}


@dataclass(frozen=True)
class DrawOptions:
    """How to draw a graph; every drawing function takes these (``viz.draw(root, **options)``).

    - ``rankdir``: "LR" (left to right) or "TB" (top to bottom), or "RL", "BT".
    - ``show_grads``: write each node's ``grad`` (``—`` where backward() never reached it).
    - ``edge_labels``: "local" (∂out/∂in), "contribution" (upstream × local) or None; the
      number is written in the op's cell where that edge ends.
    - ``color_by_grad``: fill each value by its gradient's sign and size, with a legend.
    - ``clusters``: group nodes made inside a module scope ("L0.N1") into a named box.
    - ``collapse_neurons``: True draws each innermost scope (a neuron) as one box; "auto"
      does so when the full graph has more than 120 values.
    - ``max_nodes``: refuse larger graphs (counted after collapsing) with a ValueError.

    >>> DrawOptions(rankdir="XY")
    Traceback (most recent call last):
    ValueError: rankdir must be one of LR, TB, RL, BT, got 'XY'
    """

    rankdir: str = "LR"
    show_grads: bool = True
    edge_labels: EdgeLabels = "local"
    color_by_grad: bool = False
    clusters: bool = True
    collapse_neurons: bool | str = "auto"
    max_nodes: int = DEFAULT_MAX_NODES

    def __post_init__(self) -> None:
        if self.rankdir not in RANKDIRS:
            raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}, got {self.rankdir!r}")
        if self.edge_labels not in EDGE_LABELS:
            raise ValueError(
                f"edge_labels must be 'local', 'contribution' or None, got {self.edge_labels!r}"
            )
        if self.collapse_neurons not in (True, False, "auto"):
            raise ValueError(
                f"collapse_neurons must be True, False or 'auto', got {self.collapse_neurons!r}"
            )
        for name in ("show_grads", "color_by_grad", "clusters"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be True or False, got {getattr(self, name)!r}")
        m = self.max_nodes
        if isinstance(m, bool) or not isinstance(m, int) or m < 1:
            raise ValueError(f"max_nodes must be a positive int, got {m!r}")


@dataclass
class SceneNode:
    """One DOT node: its name, attributes, the scope (cluster) it sits in, and what it shows.

    ``kind`` is "value", "op", "summary" (a collapsed neuron) or "legend"; ``index`` is the
    position in the topological order of the value it shows (None for the others).
    """

    name: str
    attrs: dict[str, str]
    scope: str = ""
    kind: str = "value"
    index: int | None = None


@dataclass
class SceneEdge:
    """One DOT edge. ``use`` is (child position, operand number) for an edge into an op."""

    tail: str
    head: str
    attrs: dict[str, str] = field(default_factory=dict)
    use: tuple[int, int] | None = None


@dataclass
class Scene:
    """A graph to draw, as plain data: nodes, edges, clusters (scope -> attributes)."""

    nodes: list[SceneNode] = field(default_factory=list)
    edges: list[SceneEdge] = field(default_factory=list)
    clusters: dict[str, dict[str, str]] = field(default_factory=dict)
    graph_attrs: dict[str, str] = field(default_factory=dict)

    def cluster_names(self) -> dict[str, str]:
        """Scope -> DOT subgraph name (Graphviz draws a subgraph named ``cluster*`` as a box)."""
        return {scope: f"cluster_{k}" for k, scope in enumerate(self.clusters)}

    def to_digraph(self) -> graphviz.Digraph:
        """The DOT graph: clusters nested by dotted scope ("L0" holds "L0.N1")."""
        graph = graphviz.Digraph(name="autograd")
        graph.attr(**self.graph_attrs)
        by_scope: dict[str, list[SceneNode]] = {}
        for node in self.nodes:
            if node.kind != "legend":
                scope = node.scope if node.scope in self.clusters else ""
                by_scope.setdefault(scope, []).append(node)
        children: dict[str, list[str]] = {}
        for scope in self.clusters:  # insertion order: an enclosing scope comes first
            children.setdefault(parent_scope(scope), []).append(scope)
        self._add_nodes(graph, "", by_scope, children, self.cluster_names())
        legend = [node for node in self.nodes if node.kind == "legend"]
        if legend:
            with graph.subgraph(name="cluster_legend") as box:
                box.attr(label="", style="rounded", color="#bbbbbb")
                for node in legend:
                    box.node(node.name, **node.attrs)
        for edge in self.edges:
            graph.edge(edge.tail, edge.head, **edge.attrs)
        return graph

    def _add_nodes(self, graph, scope: str, by_scope: dict, children: dict, names: dict) -> None:
        for node in by_scope.get(scope, []):
            graph.node(node.name, **node.attrs)
        for child in children.get(scope, []):
            with graph.subgraph(name=names[child]) as sub:
                sub.attr(**self.clusters[child])
                self._add_nodes(sub, child, by_scope, children, names)


def value_name(i: int) -> str:
    """DOT name of the value at position ``i`` of the topological order."""
    return f"v{i}"


def op_name(i: int) -> str:
    """DOT name of the operation that made the value at position ``i``."""
    return f"v{i}_op"


def parent_scope(scope: str) -> str:
    """``"L0.N1"`` -> ``"L0"``; a top-level scope -> ``""``."""
    return scope.rpartition(".")[0]


def natural_key(text: str) -> list:
    """Sort key that puts N2 before N10: ``natural_key("L0.N10") > natural_key("L0.N2")``."""
    return [
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text)
    ]


# --------------------------------------------------------------------- build


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
            attrs = _summary_attrs(scope, collapsed[scope], outputs[scope], order, grads, options)
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
            _bundle_layer_edges(scene, order, collapsed, summary_names)
        else:
            _inputs_before_weights(scene, order, drawn_as)
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


# --------------------------------------------------------------------- bounded layout
# dot draws an edge that spans k ranks as a chain of k invisible nodes. A value used by ops
# far apart (x in x*x*...*x, a weight reused at every step of a loop) makes that quadratic:
# 300 factors give ~180,000 hidden nodes and dot crashes or runs for minutes. Past a budget,
# such far uses get a dashed copy of the value next to the op instead of a long edge.

VIRTUAL_NODE_BUDGET = 1_000  # hidden nodes: beyond this dot slows down and the picture tangles
NEAR_SPAN = 4  # a use at most this many ranks after the value's first use keeps its edge


def repeat_far_uses(scene: Scene, order: list[Value]) -> int:
    """Give far uses of a value a dashed copy of its box when the layout would be too costly.

    Returns how many copies were added (0 when the graph is cheap enough to lay out as is).
    """
    rank = _ranks(scene)
    by_tail: dict[str, list[int]] = {}
    for n, edge in enumerate(scene.edges):
        by_tail.setdefault(edge.tail, []).append(n)
    far: list[tuple[str, int]] = []
    cost = 0
    for tail, edge_numbers in by_tail.items():
        heads = sorted(rank[_node_of(scene.edges[n].head)] for n in edge_numbers)
        start = min(heads[0] - 1, rank[tail])
        cost += sum(h - start - 1 for h in heads)
        near = heads[0] + NEAR_SPAN
        far += [(tail, n) for n in edge_numbers if rank[_node_of(scene.edges[n].head)] > near]
    if cost <= VIRTUAL_NODE_BUDGET:
        return 0
    nodes = {node.name: node for node in scene.nodes}
    for tail, n in far:
        original = nodes[tail]
        copy_name = f"{tail}_copy{n}"
        value = order[original.index] if original.index is not None else None
        attrs = _copy_attrs(value) if value is not None else dict(original.attrs)
        scene.nodes.append(SceneNode(copy_name, attrs, original.scope, "copy", original.index))
        scene.edges[n].tail = copy_name
        scene.edges[n].attrs = {**scene.edges[n].attrs, "style": "dashed"}
    return len(far)


def _copy_attrs(value: Value) -> dict[str, str]:
    # Dashed, with the name and data only: the grad is written once, in the solid box.
    name = escape_html(describe(value))
    data = escape_html(f"data {format_data(value.data)}")
    return {
        "shape": "box",
        "style": "dashed,rounded",
        "fontname": "Helvetica",
        "fontsize": "10",
        "label": f"<copy of <B>{name}</B><BR/>{data}>",
    }


def _node_of(endpoint: str) -> str:
    return endpoint.split(":", 1)[0]  # "v5_op:i0:w" -> "v5_op"


def _ranks(scene: Scene) -> dict[str, int]:
    """Each node's rank, as late as its uses allow (a value computed from leaves alone, like
    u*c in a loop, belongs next to where it is used, not at the start)."""
    outgoing: dict[str, list[str]] = {node.name: [] for node in scene.nodes}
    for edge in scene.edges:
        outgoing.setdefault(edge.tail, []).append(_node_of(edge.head))
    height: dict[str, int] = {}
    for name in outgoing:
        stack = [name]
        while stack:  # iterative: a chain a thousand ops long must not hit the recursion limit
            top = stack[-1]
            todo = [h for h in outgoing.get(top, []) if h not in height]
            if todo:
                stack.extend(todo)
                continue
            stack.pop()
            height[top] = 1 + max((height[h] for h in outgoing.get(top, [])), default=-1)
    tallest = max(height.values(), default=0)
    return {name: tallest - h for name, h in height.items()}


# --------------------------------------------------------------------- honest sub-graphs


def outside_shares(order: list[Value], grads: list) -> dict[int, object]:
    """Values whose grad is not the sum of the contributions drawn: position -> the rest.

    Drawing ``h`` when backward() ran from a loss further on gives ``h`` and its inputs
    gradients that partly flowed through nodes not drawn. The root of the drawing is
    counted as "outside" unless its grad is the seed 1.

    >>> from autograd import Value, topological_order
    >>> x = Value(2.0, label="x"); h = x * Value(3.0, label="w"); h.label = "h"
    >>> loss = h * 2.0 + x; loss.backward()
    >>> order = topological_order(h)
    >>> shares = outside_shares(order, [n.grad for n in order])
    >>> {order[i].label: float(s) for i, s in shares.items()}
    {'x': 1.0, 'h': 2.0}
    """
    if not order or any(g is None for g in grads):
        return {}  # before backward() nothing is claimed, so nothing can be wrong
    inside: list = [0.0] * len(order)
    index = {node: i for i, node in enumerate(order)}
    with np.errstate(all="ignore"):
        for i, node in enumerate(order):
            for parent, local in zip(node.parents, node.local_grads):
                p = index[parent]
                inside[p] = inside[p] + contribution(local, grads[i], parent.data)
    inside[-1] = 1.0  # the seed backward() starts from
    shares = {}
    for i, (grad, drawn) in enumerate(zip(grads, inside)):
        g, d = np.asarray(grad, dtype=float), np.asarray(drawn, dtype=float)
        if not (np.all(np.isfinite(g)) and np.all(np.isfinite(d))):
            continue  # nan/inf: no honest difference to show
        if not np.allclose(g, d, rtol=1e-9, atol=1e-12):
            # the drawing's root: backward() started further on, so all of it came in
            shares[i] = grad if i == len(order) - 1 else grad - drawn
    return shares


def outside_note(share, whole: bool = False) -> str:
    """The note on a value whose grad (partly) flowed through nodes that are not drawn.

    >>> outside_note(-0.000986)
    'grad includes -0.000986 from outside this drawing'
    >>> outside_note(0.5, whole=True)
    'grad 0.5 comes from outside this drawing'
    """
    if whole:
        return f"grad {format_data(share)} comes from outside this drawing"
    return f"grad includes {format_data(share)} from outside this drawing"


# --------------------------------------------------------------------- clusters


def cluster_attrs(scopes: list[str]) -> dict[str, dict[str, str]]:
    """One cluster per scope and per enclosing scope ("L0.N1" also makes "L0"), outer first."""
    clusters: dict[str, dict[str, str]] = {}
    for scope in sorted(set(scopes), key=natural_key):
        for name in scope_and_enclosing(scope):
            if name not in clusters:
                depth = name.count(".") + 1
                clusters[name] = {
                    "label": f"<{escape_html(shorten(name))}>",
                    "style": "rounded,filled",
                    "fillcolor": "#f7f7f7" if depth % 2 else "#ececec",
                    "color": "#999999",
                    "fontname": "Helvetica",
                    "fontsize": "11",
                }
    return clusters


def scope_and_enclosing(scope: str) -> list[str]:
    """``"L0.N1"`` -> ``["L0", "L0.N1"]``; the empty scope (no module) -> ``[]``.

    Empty parts (a scope like ".x" or "a..b") are skipped rather than made into clusters.
    """
    parts = [part for part in scope.split(".") if part]
    return [".".join(parts[:depth]) for depth in range(1, len(parts) + 1)]


def innermost_scopes(order: list[Value]) -> dict[str, list[int]]:
    """Scopes with no other scope nested inside (a neuron) -> positions of their nodes."""
    scopes = {node.scope for node in order}
    enclosing = {outer for s in scopes for outer in scope_and_enclosing(s)[:-1]}
    members: dict[str, list[int]] = {}
    for i, node in enumerate(order):
        if node.scope and node.scope not in enclosing:
            members.setdefault(node.scope, []).append(i)
    return members


def scope_outputs(order: list[Value], collapsed: dict[str, list[int]]) -> dict[str, int]:
    """For each collapsed scope, its output: the latest member used outside it (or the root)."""
    index = {node: i for i, node in enumerate(order)}
    outputs: dict[str, int] = {}
    for node in order:
        for parent in node.parents:
            i = index[parent]
            scope = order[i].scope
            if scope in collapsed and node.scope != scope:
                outputs[scope] = max(outputs.get(scope, i), i)
    for scope, members in collapsed.items():
        outputs.setdefault(scope, members[-1])  # used by nothing outside: it holds the root
    return outputs


def _summary_attrs(
    scope: str, members: list[int], output: int, order: list[Value], grads: list, options
) -> dict[str, str]:
    """A collapsed neuron, in words: its inputs, parameters, what it outputs, value and grad."""
    inside = set(members)
    index = {node: i for i, node in enumerate(order)}
    inputs = {index[p] for i in members for p in order[i].parents if index[p] not in inside}
    params = sum(1 for i in members if not order[i].op)
    ops = Counter(order[i].op for i in members if order[i].op)
    out_op = order[output].op or "a value"
    rows = [
        f"<B>{escape_html(shorten(scope))}</B>",
        escape_html(
            f"{len(inputs)} input{'s' * (len(inputs) != 1)} in, "
            f"{params} parameter{'s' * (params != 1)} (weights, bias) inside"
        ),
        escape_html(f"{sum(ops.values())} ops; output = {shorten(out_op, 20)}(…)"),
        mono(f"out {format_data(order[output].data)}"),
    ]
    if options.show_grads:
        rows.append(mono(grad_text(grads[output])))
    cells = "".join(f"<TR><TD>{row}</TD></TR>" for row in rows)
    label = (
        '<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" BGCOLOR="#fff7dc">'
        f"{cells}</TABLE>>"
    )
    return {"shape": "plain", "label": label}


def _inputs_before_weights(scene: Scene, order: list[Value], drawn_as: list[str]) -> None:
    """Put network inputs in a column of their own, left of the weights they meet.

    An input (a leaf outside any module) and a weight (a leaf inside a neuron) that feed the
    same op would share the first rank, where the layer's cluster pushes the input below it
    and all its edges cross the cluster. An invisible edge input -> weight ranks the input
    first: inputs stand on the left, x0 above x1, each fanning out on its own side.
    """
    index = {node: i for i, node in enumerate(order)}
    seen = set()
    for node in order:
        if not node.scope:
            continue
        inputs = [p for p in node.parents if not p.op and not p.parents and not p.scope]
        weights = [p for p in node.parents if not p.op and not p.parents and p.scope]
        for x in inputs:
            for w in weights:
                pair = (drawn_as[index[x]], drawn_as[index[w]])
                if pair not in seen:
                    seen.add(pair)
                    scene.edges.append(SceneEdge(*pair, {"style": "invis"}))


def _bundle_layer_edges(scene: Scene, order, collapsed, summary_names) -> None:
    """Replace the k × m edges between two layers of collapsed neurons by one labelled edge.

    The edge runs between the layers' clusters (``ltail``/``lhead``) and says how many
    connections it stands for and the size of their local derivatives: for products
    (weights × inputs) that is the weight matrix's Frobenius norm ‖W‖.
    """
    layer_of = {name: parent_scope(scope) for scope, name in summary_names.items()}
    names = scene.cluster_names()
    groups: dict[tuple[str, str], list[SceneEdge]] = {}
    kept = []
    for edge in scene.edges:
        # an input x0 feeding every neuron of L0 is bundled too (its tail is x0 itself)
        tail_key, head_layer = layer_of.get(edge.tail, edge.tail), layer_of.get(edge.head)
        if head_layer and tail_key != head_layer:
            groups.setdefault((tail_key, head_layer), []).append(edge)
        else:
            kept.append(edge)
    for (tail_layer, head_layer), edges in groups.items():
        if len(edges) == 1:
            kept.extend(edges)
            continue
        locals_ = [order[e.use[0]].local_grads[e.use[1]] for e in edges]
        products = all(order[e.use[0]].op == "*" for e in edges)
        norm = math.sqrt(sum(float(np.sum(np.square(local))) for local in locals_))
        what = "weights" if products else "edges"
        norm_name = "‖W‖" if products else "‖∂/∂in‖"
        tails = sorted({e.tail for e in edges}, key=natural_key)
        heads = sorted({e.head for e in edges}, key=natural_key)
        text = f"{len(edges)} {what}, {norm_name} = {format_number(norm)}"
        attrs = {
            "label": f"<{escape_html(text)}>",
            "penwidth": "3",
            "color": "#555555",
            "fontsize": "10",
        }
        if tail_layer in names:
            attrs["ltail"] = names[tail_layer]
        if head_layer in names:
            attrs["lhead"] = names[head_layer]
        kept.append(SceneEdge(tails[len(tails) // 2], heads[len(heads) // 2], attrs))
    scene.edges = kept
    if groups:
        scene.graph_attrs["compound"] = "true"  # edges may end at a cluster's border


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
