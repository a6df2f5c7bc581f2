"""Bounded layout: what keeps Graphviz's dot fast on any graph ``draw`` accepts.

dot ranks the graph, then places nodes with network simplex, which runs until it is
optimal. An edge that spans k ranks becomes a chain of k hidden nodes, so a value used by
ops far apart (x in x*x*...*x, a weight reused at every step of a loop) makes the work
quadratic: 300 factors gave ~180,000 hidden nodes, and dot crashed or ran for minutes.
Two remedies: a cap on network simplex (``LAYOUT_ATTRS``), and dashed copies of a value
next to its far uses once the hidden-node count would pass a budget.

>>> _node_of("v5_op:i0:w")
'v5_op'
"""

from __future__ import annotations

from autograd import Value
from viz.labels import describe, escape_html, format_data
from viz.scene import Scene, SceneNode

# A cap of 2 network-simplex passes per node keeps layouts bounded (seconds); small graphs
# finish well within it, so their pictures do not change.
LAYOUT_ATTRS = {"nslimit": "2", "nslimit1": "2"}


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
