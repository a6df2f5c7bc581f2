"""What to draw, as plain data: the nodes, edges and clusters of a graph, before any DOT.

``viz.build.build_scene`` fills a ``Scene``; ``Scene.to_digraph()`` turns it into a
``graphviz.Digraph``. The step-through (``viz.steps``) restyles the same scene.

>>> scene = Scene(nodes=[SceneNode("v0", {"label": "x"})])
>>> "v0 [label=x]" in scene.to_digraph().source
True
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

import graphviz

from viz.graphs import find_cycle
from viz.labels import escape_html
from viz.programs import GraphvizNotFoundError, run


class Drawing(graphviz.Digraph):
    """What ``viz.draw`` returns: a ``graphviz.Digraph`` that Jupyter shows inline through
    ``viz.programs``, so the system's Graphviz draws it when there is one and graphviz-pure
    (installed by pip) when there is not; without either, the cell says how to get one.

    >>> "digraph" in Drawing().source
    True
    """

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs) -> dict:
        try:
            return super()._repr_mimebundle_(include, exclude, **kwargs)
        except GraphvizNotFoundError as error:  # a message in the notebook, not a traceback
            return {"text/plain": str(error)}

    def _repr_image_svg_xml(self) -> str:
        return run(self.source, "svg", engine=self.engine).decode("utf-8")

    def _repr_image_png(self) -> bytes:
        return run(self.source, "png", engine=self.engine)

    def _repr_image_jpeg(self) -> bytes:
        return run(self.source, "jpeg", engine=self.engine)


@dataclass
class SceneNode:
    """One DOT node: its name, attributes, the scope (cluster) it sits in, and what it shows.

    ``kind`` is "value", "op", "summary" (a collapsed neuron) or "copy"; ``index`` is the
    position in the topological order of the value it shows (None for the others).
    ``title`` is how errors and captions name it; ``rows`` its text as plain lines, for
    outputs that are not Graphviz (``viz.tikz``).
    """

    name: str
    attrs: dict[str, str]
    scope: str = ""
    kind: str = "value"
    index: int | None = None
    title: str = ""
    rows: tuple[str, ...] = ()


@dataclass
class SceneEdge:
    """One DOT edge. ``use`` is (child position, operand number) for an edge into an op."""

    tail: str
    head: str
    attrs: dict[str, str] = field(default_factory=dict)
    use: tuple[int, int] | None = None


@dataclass
class Scene:
    """A graph to draw, as plain data: nodes, edges, clusters (scope -> attributes), and
    the caption (also in ``graph_attrs["label"]``, with the colour legend)."""

    nodes: list[SceneNode] = field(default_factory=list)
    edges: list[SceneEdge] = field(default_factory=list)
    clusters: dict[str, dict[str, str]] = field(default_factory=dict)
    graph_attrs: dict[str, str] = field(default_factory=dict)
    caption: list[str] = field(default_factory=list)  # its lines as plain text
    legend: str = ""  # the colour legend: an HTML-like label, "<...>"
    # scope -> names of nodes in its cluster, in the order to stack them (N0 first)
    orders: dict[str, list[str]] = field(default_factory=dict)

    def set_caption(self, caption: list[str], legend: str = "") -> None:
        """The caption's lines and, below them, the colour legend, as the graph's label. In
        the label rather than in a node of its own, the legend takes no place in the layout,
        so no edge has to go around it.

        >>> scene = Scene(); scene.set_caption(["a < b"])
        >>> scene.graph_attrs["label"]
        '<<TABLE BORDER="0" CELLSPACING="8"><TR><TD>a &lt; b</TD></TR></TABLE>>'
        """
        self.caption, self.legend = list(caption), legend
        cells = []
        if caption:
            cells.append(f"<TD>{'<BR/>'.join(map(escape_html, caption))}</TD>")
        if legend:
            cells.append(f"<TD>{legend[1:-1]}</TD>")  # the table inside legend's <...>
        if not cells:
            self.graph_attrs.pop("label", None)
            return
        self.graph_attrs["label"] = (
            f'<<TABLE BORDER="0" CELLSPACING="8"><TR>{"".join(cells)}</TR></TABLE>>'
        )
        self.graph_attrs["labelloc"] = "t"

    def add_caption(self, line: str) -> None:
        """One more line of caption, in the picture too. ``Scene().add_caption("?: a blank")``"""
        self.set_caption([*self.caption, line], self.legend)

    def cluster_names(self) -> dict[str, str]:
        """Scope -> DOT subgraph name (Graphviz draws a subgraph named ``cluster*`` as a box)."""
        return {scope: f"cluster_{k}" for k, scope in enumerate(self.clusters)}

    def to_digraph(self) -> Drawing:
        """The DOT graph: clusters nested by dotted scope ("L0" holds "L0.N1")."""
        graph = Drawing(name="autograd")
        graph.attr(**self.graph_attrs)
        by_scope: dict[str, list[SceneNode]] = {}
        for node in self.nodes:
            scope = node.scope if node.scope in self.clusters else ""
            by_scope.setdefault(scope, []).append(node)
        children: dict[str, list[str]] = {}
        for scope in self.clusters:  # insertion order: an enclosing scope comes first
            children.setdefault(parent_scope(scope), []).append(scope)
        self._add_nodes(graph, "", by_scope, children, self.cluster_names())
        for edge in self.edges:
            graph.edge(edge.tail, edge.head, **edge.attrs)
        return graph

    def check_acyclic(self) -> None:
        """Raise ValueError naming the nodes of a cycle, if the edges make one.

        A computation graph has none, but boxes that stand for several nodes can make one,
        and no layout can rank a cycle (ours would never end). Invisible edges count too:
        they constrain the ranks as much as drawn ones.

        >>> scene = Scene([SceneNode("a", {}, title="x"), SceneNode("b", {})])
        >>> scene.edges = [SceneEdge("a", "b:i0:w"), SceneEdge("b", "a")]
        >>> scene.check_acyclic()  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ValueError: the drawing would have a cycle, which no layout can rank: a (x) → b → a (x). ...
        """
        successors: dict[str, list[str]] = {node.name: [] for node in self.nodes}
        for edge in self.edges:
            successors.setdefault(node_of(edge.tail), []).append(node_of(edge.head))
        cycle = find_cycle(successors)
        if cycle is None:
            return
        titles = {node.name: node.title for node in self.nodes}
        path = " → ".join(f"{n} ({titles[n]})" if titles.get(n) else n for n in cycle)
        raise ValueError(
            f"the drawing would have a cycle, which no layout can rank: {path}. "
            "This is a bug in viz: please report it with the code that built the graph"
        )

    def _add_nodes(self, graph, scope: str, by_scope: dict, children: dict, names: dict) -> None:
        for node in by_scope.get(scope, []):
            graph.node(node.name, **node.attrs)
        order = self.orders.get(scope, [])
        if len(order) > 1:
            # Invisible edges within one rank fix the order of the nodes: Graphviz versions
            # stack them differently by declaration alone (2.43 N0 on top, 16.1 N15). An
            # edge a -> b puts a before b along the rank: left of b top to bottom, below b
            # left to right.
            chain = order if self.graph_attrs.get("rankdir") in ("TB", "BT") else order[::-1]
            with graph.subgraph() as same:
                same.attr(rank="same")
                for tail, head in itertools.pairwise(chain):
                    same.edge(tail, head, style="invis")
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


def node_of(endpoint: str) -> str:
    """The node an edge endpoint names: ``"v5_op:i0:w"`` (a port of it) -> ``"v5_op"``."""
    return endpoint.split(":", 1)[0]


def parent_scope(scope: str) -> str:
    """``"L0.N1"`` -> ``"L0"``; a top-level scope -> ``""``."""
    return scope.rpartition(".")[0]


def natural_key(text: str) -> list:
    """Sort key that puts N2 before N10: ``natural_key("L0.N10") > natural_key("L0.N2")``."""
    return [
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text)
    ]
