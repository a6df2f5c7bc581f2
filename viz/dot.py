"""A computation graph as a ``graphviz.Digraph``: values, gradients and the chain rule on edges.

Each value is a box with its label, ``data`` and ``grad``; each operation is an ellipse; each
*use* of a value is one edge into the operation, labelled with the local derivative ∂out/∂in
(or the contribution upstream × local). Summing the contributions on the edges leaving a box
gives the gradient written in it: the chain rule, readable off the picture.

>>> from autograd import Value
>>> a = Value(2.0, label="a")
>>> y = a * a
>>> y.backward()
>>> source = draw(y).source
>>> source.count("->")          # a -> op twice (one edge per use), op -> y once
3
>>> "grad 4" in source          # dy/da = 2a
True

Building the DOT text needs no Graphviz program; only rendering it (``viz.render``,
Jupyter's inline display) does. The text is deterministic: nodes are named by their place in
``topological_order`` (never ``id()``), so the same graph gives the same bytes in every run.
"""

from __future__ import annotations

import html
import math
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

import graphviz
import numpy as np

from autograd import Value, topological_order
from autograd.engine import contribution

EdgeLabels = Literal["local", "contribution"] | None

DEFAULT_MAX_NODES = 500  # beyond this, dot takes long and the picture is unreadable anyway
RANKDIRS = ("LR", "TB", "RL", "BT")
EDGE_LABELS = ("local", "contribution", None)

NOT_COMPUTED = "gradients not computed: call backward()"
EDGE_CAPTIONS = {
    "local": "edge: local derivative ∂out/∂in",
    "contribution": "edge: upstream grad × local derivative = contribution to the input's grad",
}

# Colours: blue for a positive gradient (raising the value raises the output), red for a
# negative one; paler means smaller |grad|. Grey: never reached by backward().
POSITIVE_RGB = (33, 102, 172)
NEGATIVE_RGB = (178, 24, 43)
NOT_COMPUTED_COLOUR = "#e0e0e0"
NON_FINITE_COLOUR = "#ffe34d"
MAX_TINT = 0.75  # the strongest tint stays pale enough for black text to be read on it


# --------------------------------------------------------------------- text


def format_number(x: float) -> str:
    """A number in at most 4 significant digits (``-0`` shown as ``0``).

    >>> format_number(0.70710678), format_number(-3.0), format_number(12345678.0)
    ('0.7071', '-3', '1.235e+07')
    """
    x = float(x)
    return "0" if x == 0.0 else f"{x:.4g}"


def format_data(x: float | np.ndarray) -> str:
    """A float as ``format_number``; a batch by its first sample: ``0.31 [0]``.

    >>> import numpy as np
    >>> format_data(0.5), format_data(np.array([0.31, 2.0]))
    ('0.5', '0.31 [0]')
    """
    if isinstance(x, np.ndarray):
        return f"{format_number(x[0])} [0]"
    return format_number(x)


def escape_html(text: str) -> str:
    r"""Text for a Graphviz HTML-like label, shown literally whatever it contains.

    ``& < > " '`` become entities (so no tag or attribute can be injected); a backslash is
    doubled, because Graphviz expands ``\N`` (node name), ``\G`` (graph name)... even in
    HTML-like labels; a newline becomes a line break; other control characters (and lone
    surrogates, which are not valid UTF-8) are spelled out as ``\x07``-style escapes.

    >>> escape_html('a<b> | {c} "d" \\N')
    'a&lt;b&gt; | {c} &quot;d&quot; \\\\N'
    >>> escape_html("two\nlines")
    'two<BR/>lines'
    """
    lines = str(text).split("\n")
    return "<BR/>".join(
        html.escape(_spell_out_controls(line)).replace("\\", "\\\\") for line in lines
    )


def _spell_out_controls(text: str) -> str:
    return "".join(
        ch.encode("unicode_escape").decode("ascii")
        if unicodedata.category(ch) in ("Cc", "Cs")
        else ch
        for ch in text
    )


def describe(node: Value) -> str:
    """How captions name a node: its label, else its op, else its value.

    >>> from autograd import Value
    >>> describe(Value(2.0, label="x")), describe(Value(2.0) * 3), describe(Value(2.0))
    ('x', 'the * node', 'the leaf 2')
    """
    if node.label:
        return node.label
    if node.op:
        return f"the {node.op} node"
    return f"the leaf {format_data(node.data)}"


# --------------------------------------------------------------------- the scene
# draw() first builds a Scene (what to draw, as plain data), then turns it into DOT. The
# step-through (viz.steps) reuses the Scene: it restyles nodes and pins their positions.


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
            children.setdefault(_parent_scope(scope), []).append(scope)
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


def _parent_scope(scope: str) -> str:
    return scope.rpartition(".")[0]


# --------------------------------------------------------------------- draw


def draw(
    root: Value,
    *,
    rankdir: str = "LR",
    show_grads: bool = True,
    edge_labels: EdgeLabels = "local",
    color_by_grad: bool = False,
    clusters: bool = True,
    collapse_neurons: bool = False,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> graphviz.Digraph:
    """Draw the graph that computed ``root``; Jupyter shows the result inline.

    - ``rankdir``: "LR" (left to right) or "TB" (top to bottom), or "RL", "BT".
    - ``show_grads``: write each node's ``grad`` (``—`` where backward() never reached it).
    - ``edge_labels``: "local" (∂out/∂in), "contribution" (upstream × local) or None.
    - ``color_by_grad``: fill each value by its gradient's sign and size, with a legend.
    - ``clusters``: group nodes made inside a module scope ("L0.N1") into a named box.
    - ``collapse_neurons``: draw each innermost scope (a neuron) as one summary node.
    - ``max_nodes``: refuse larger graphs (counted after collapsing) with a ValueError.

    Batches show their first sample: ``data[0] 0.31 (B=64)``.

    >>> from autograd import Value
    >>> x = Value(3.0, label="x")
    >>> y = (x * 2).tanh()
    >>> "gradients not computed" in draw(y).source    # backward() not called yet
    True
    """
    check_root(root)
    check_rankdir(rankdir)
    if edge_labels not in EDGE_LABELS:
        raise ValueError(
            f"edge_labels must be 'local', 'contribution' or None, got {edge_labels!r}"
        )
    check_max_nodes(max_nodes)
    order = topological_order(root)
    return build_scene(
        order,
        [node.grad for node in order],
        rankdir=rankdir,
        show_grads=show_grads,
        edge_labels=edge_labels,
        color_by_grad=color_by_grad,
        clusters=clusters,
        collapse_neurons=collapse_neurons,
        max_nodes=max_nodes,
    ).to_digraph()


def check_root(root: object) -> None:
    """Raise TypeError unless ``root`` is an autograd Value."""
    if not isinstance(root, Value):
        raise TypeError(f"expected an autograd Value to draw, got {type(root).__name__}")


def check_rankdir(rankdir: object) -> None:
    """Raise ValueError unless ``rankdir`` is a Graphviz direction: LR, TB, RL or BT."""
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")


def check_max_nodes(max_nodes: object) -> None:
    """Raise ValueError unless ``max_nodes`` is a positive int."""
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"max_nodes must be a positive int, got {max_nodes!r}")


def build_scene(
    order: list[Value],
    grads: list,
    *,
    rankdir: str = "LR",
    show_grads: bool = True,
    edge_labels: EdgeLabels = "local",
    color_by_grad: bool = False,
    clusters: bool = True,
    collapse_neurons: bool = False,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> Scene:
    """The Scene for the nodes ``order`` (topological, root last) with gradients ``grads``.

    ``grads[i]`` is drawn as the gradient of ``order[i]``: draw() passes the nodes' own
    ``grad``, the step-through the gradients of a replayed backward pass.
    """
    collapsed = _innermost_scopes(order) if collapse_neurons else {}
    shown = [i for i, node in enumerate(order) if node.scope not in collapsed]
    drawn = len(shown) + len(collapsed)
    if drawn > max_nodes:
        raise ValueError(_too_large(drawn, max_nodes, collapse_neurons))
    # The DOT node each value is drawn as: its own box, or its collapsed neuron's summary.
    summary_names = {scope: f"s{k}" for k, scope in enumerate(collapsed)}
    drawn_as = [summary_names.get(node.scope) or value_name(i) for i, node in enumerate(order)]

    scene = Scene(graph_attrs={"rankdir": rankdir, "fontname": "Helvetica", "fontsize": "12"})
    scale = _grad_scale([grads[i] for i in shown]) if color_by_grad else 0.0
    for i in shown:
        node = order[i]
        fill = _grad_colour(grads[i], scale) if color_by_grad else "white"
        label = value_label(node, grads[i], show_grads=show_grads, fill=fill)
        attrs = {"shape": "plain", "label": label}
        scene.nodes.append(SceneNode(value_name(i), attrs, node.scope, "value", i))
        if node.op:
            scene.nodes.append(SceneNode(op_name(i), op_attrs(node.op), node.scope, "op", i))
    outputs = _scope_outputs(order, collapsed)
    for scope, members in collapsed.items():
        attrs = _summary_attrs(scope, members, outputs[scope], order, grads, show_grads)
        scene.nodes.append(SceneNode(summary_names[scope], attrs, _parent_scope(scope), "summary"))

    index = {node: i for i, node in enumerate(order)}
    for i, node in enumerate(order):
        inside = node.scope in collapsed
        head = drawn_as[i] if inside else op_name(i)
        for k, (parent, local) in enumerate(zip(node.parents, node.local_grads, strict=True)):
            p = index[parent]
            if drawn_as[p] == head:
                continue  # an edge inside a collapsed neuron
            attrs = {}
            if edge_labels and drawn_as[p] == value_name(p) and not inside:
                text = edge_text(edge_labels, local, grads[i], parent.data)
                attrs = {"label": f"<{escape_html(text)}>", "fontsize": "10"}
            scene.edges.append(SceneEdge(drawn_as[p], head, attrs, use=(i, k)))
        if node.op and not inside:
            scene.edges.append(SceneEdge(op_name(i), value_name(i)))

    if clusters:
        scene.clusters = _cluster_attrs(
            [order[i].scope for i in shown] + [_parent_scope(s) for s in collapsed]
        )
    caption = []
    if show_grads and grads and grads[-1] is None:
        caption.append(NOT_COMPUTED)
    if edge_labels:
        caption.append(EDGE_CAPTIONS[edge_labels])
    if caption:
        scene.graph_attrs["label"] = f"<{'<BR/>'.join(map(escape_html, caption))}>"
        scene.graph_attrs["labelloc"] = "t"
    if color_by_grad:
        scene.nodes.append(_legend(scale, [grads[i] for i in shown]))
    return scene


def _too_large(drawn: int, max_nodes: int, collapse_neurons: bool) -> str:
    if collapse_neurons:
        return (
            f"the graph still has {drawn} nodes with collapse_neurons=True, more than "
            f"max_nodes={max_nodes}: draw a smaller part of it (e.g. one layer's output), "
            "or pass a larger max_nodes"
        )
    return (
        f"the graph has {drawn} nodes, more than max_nodes={max_nodes}: pass "
        "collapse_neurons=True to draw each neuron as one summary node, or a larger max_nodes"
    )


# --------------------------------------------------------------------- nodes and edges


def value_label(
    node: Value,
    grad,
    *,
    show_grads: bool = True,
    fill: str = "white",
    grad_fill: str | None = None,
    grad_width: int = 0,
) -> str:
    """The HTML-like label of a value box: label (bold), data, grad, one row each.

    ``grad_fill`` colours the grad row (the step-through marks a gradient that just
    changed); ``grad_width`` pads the grad row to that many characters, so the box keeps
    one size across frames.

    >>> from autograd import Value
    >>> "<B>x</B>" in value_label(Value(1.0, label="x"), None)
    True
    """
    rows = []
    if node.label:
        rows.append(f"<TD><B>{escape_html(node.label)}</B></TD>")
    batch = f" (B={len(node.data)})" if isinstance(node.data, np.ndarray) else ""
    data = f"{_row_name('data', node.data)} {format_number(_first(node.data))}{batch}"
    rows.append(f'<TD ALIGN="LEFT">{_mono(data)}</TD>')
    if show_grads:
        text = _mono(grad_text(grad).ljust(grad_width, "\u00a0"))
        grad_colour = f' BGCOLOR="{grad_fill}"' if grad_fill else ""
        rows.append(f'<TD ALIGN="LEFT"{grad_colour}>{text}</TD>')
    cells = "".join(f"<TR>{row}</TR>" for row in rows)
    return (
        f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" BGCOLOR="{fill}">'
        f"{cells}</TABLE>>"
    )


def grad_text(grad) -> str:
    """The grad row of a value box: ``grad 0.5``, ``grad[0] 0.1`` for a batch, ``grad —``.

    >>> grad_text(0.5), grad_text(None)
    ('grad 0.5', 'grad —')
    """
    if grad is None:
        return "grad —"
    return f"{_row_name('grad', grad)} {format_number(_first(grad))}"


def _row_name(name: str, x) -> str:
    return f"{name}[0]" if isinstance(x, np.ndarray) else name


def _first(x):
    return x[0] if isinstance(x, np.ndarray) else x


def _mono(text: str) -> str:
    # Numbers in a fixed-width font line up, and a padded row keeps its width (steps.py).
    return f'<FONT FACE="Courier" POINT-SIZE="12">{escape_html(text)}</FONT>'


def op_attrs(op: str, fill: str = "#f2f2f2") -> dict[str, str]:
    """Attributes of an operation's ellipse. ``op_attrs("tanh")["label"] == "<tanh>"``"""
    return {
        "shape": "ellipse",
        "label": f"<{escape_html(op)}>",
        "style": "filled",
        "fillcolor": fill,
        "fontname": "Helvetica",
        "fontsize": "12",
    }


def edge_text(mode: str, local, upstream, parent_data) -> str:
    """The text on one edge: the local derivative, or upstream × local = contribution.

    A batch shows its first sample; a contribution flowing from a batch into a plain float
    (a weight) is the sum over the batch, as backward() adds it.

    >>> edge_text("local", -3.0, 0.5, 2.0), edge_text("contribution", -3.0, 0.5, 2.0)
    ('-3', '0.5 × -3 = -1.5')
    """
    if mode == "local":
        return format_data(local)
    if upstream is None:
        return f"— × {format_data(local)}"
    with np.errstate(all="ignore"):
        share = contribution(local, upstream, parent_data)  # the number backward() adds
    if isinstance(upstream, np.ndarray) and not isinstance(parent_data, np.ndarray):
        return f"Σ over batch = {format_number(share)}"
    return f"{format_data(upstream)} × {format_data(local)} = {format_data(share)}"


# --------------------------------------------------------------------- colour


def _grad_scale(grads: list) -> float:
    """The largest finite |grad| shown: the full-strength colour."""
    sizes = [abs(float(_first(g))) for g in grads if g is not None]
    return max((s for s in sizes if math.isfinite(s)), default=0.0)


def _grad_colour(grad, scale: float) -> str:
    if grad is None:
        return NOT_COMPUTED_COLOUR
    g = float(_first(grad))
    if not math.isfinite(g):
        return NON_FINITE_COLOUR
    strength = abs(g) / scale if scale > 0 else 0.0
    return _tint(POSITIVE_RGB if g > 0 else NEGATIVE_RGB, strength)


def _tint(rgb: tuple[int, int, int], strength: float) -> str:
    """White mixed with ``rgb``: 0 is white, 1 is the strongest tint."""
    mix = MAX_TINT * strength
    r, g, b = (round(255 + (c - 255) * mix) for c in rgb)
    return f"#{r:02x}{g:02x}{b:02x}"


def _legend(scale: float, grads: list) -> SceneNode:
    """A small table that explains the colours."""
    rows = [
        (_tint(POSITIVE_RGB, 1.0), "grad &gt; 0: raising the value raises the output"),
        (_tint(NEGATIVE_RGB, 1.0), "grad &lt; 0: raising the value lowers the output"),
        ("white", f"paler: smaller |grad| (full colour: |grad| = {format_number(scale)})"),
    ]
    if any(g is None for g in grads):
        rows.append((NOT_COMPUTED_COLOUR, "not computed (backward() never reached it)"))
    if any(g is not None and not math.isfinite(float(_first(g))) for g in grads):
        rows.append((NON_FINITE_COLOUR, "grad is nan or inf"))
    cells = "".join(
        f'<TR><TD BGCOLOR="{colour}" WIDTH="18"></TD><TD ALIGN="LEFT">{text}</TD></TR>'
        for colour, text in rows
    )
    label = (
        '<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3">'
        f'<TR><TD COLSPAN="2"><B>gradient colour</B></TD></TR>{cells}</TABLE>>'
    )
    return SceneNode("legend", {"shape": "plain", "label": label, "fontsize": "10"}, kind="legend")


# --------------------------------------------------------------------- clusters


def _cluster_attrs(scopes: list[str]) -> dict[str, dict[str, str]]:
    """One cluster per scope and per enclosing scope ("L0.N1" also makes "L0"), outer first."""
    clusters: dict[str, dict[str, str]] = {}
    for scope in scopes:
        for name in _scope_and_enclosing(scope):
            if name not in clusters:
                depth = name.count(".") + 1
                clusters[name] = {
                    "label": f"<{escape_html(name)}>",
                    "style": "rounded,filled",
                    "fillcolor": "#f7f7f7" if depth % 2 else "#ececec",
                    "color": "#999999",
                    "fontname": "Helvetica",
                    "fontsize": "11",
                }
    return clusters


def _scope_and_enclosing(scope: str) -> list[str]:
    """``"L0.N1"`` -> ``["L0", "L0.N1"]``; the empty scope (no module) -> ``[]``."""
    if not scope:
        return []
    parts = scope.split(".")
    return [".".join(parts[:depth]) for depth in range(1, len(parts) + 1)]


def _innermost_scopes(order: list[Value]) -> dict[str, list[int]]:
    """Scopes with no other scope nested inside (a neuron) -> positions of their nodes."""
    scopes = {node.scope for node in order}
    enclosing = {outer for s in scopes for outer in _scope_and_enclosing(s)[:-1]}
    members: dict[str, list[int]] = {}
    for i, node in enumerate(order):
        if node.scope and node.scope not in enclosing:
            members.setdefault(node.scope, []).append(i)
    return members


def _scope_outputs(order: list[Value], collapsed: dict[str, list[int]]) -> dict[str, int]:
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
    scope: str, members: list[int], output: int, order: list[Value], grads: list, show_grads: bool
) -> dict[str, str]:
    """A collapsed neuron: its name, the ops inside, and its output's value and gradient."""
    ops = Counter(order[i].op for i in members if order[i].op)
    op_summary = ", ".join(op if n == 1 else f"{op} ×{n}" for op, n in ops.items())
    leaves = sum(1 for i in members if not order[i].op)
    rows = [
        f"<B>{escape_html(scope)}</B>",
        escape_html(f"{op_summary or 'no ops'}; {leaves} leaves"),
        _mono(f"out {format_data(order[output].data)}"),
    ]
    if show_grads:
        rows.append(_mono(grad_text(grads[output])))
    cells = "".join(f"<TR><TD>{row}</TD></TR>" for row in rows)
    label = (
        '<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" BGCOLOR="#fff7dc">'
        f"{cells}</TABLE>>"
    )
    return {"shape": "plain", "label": label}
