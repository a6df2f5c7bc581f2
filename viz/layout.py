"""Bounded layout: what keeps Graphviz's dot fast on any graph ``draw`` accepts.

dot ranks the graph, then places nodes with network simplex, which runs until it is
optimal. An edge that spans k ranks becomes a chain of k hidden nodes, so a value used by
ops far apart (x in x*x*...*x, a weight reused at every step of a loop) makes the work
quadratic: 300 factors gave ~180,000 hidden nodes, and dot crashed or ran for minutes.
Two remedies: a cap on network simplex (``LAYOUT_ATTRS``), and dashed copies of a value
next to its far uses once the hidden-node count would pass a budget.

>>> node_of("v5_op:i0:w")
'v5_op'
"""

from __future__ import annotations

from autograd import Value
from viz.labels import describe, escape_html, format_data
from viz.scene import Scene, SceneNode, node_of

# A cap of 2 network-simplex passes per node keeps layouts bounded (seconds); small graphs
# finish well within it, so their pictures do not change.
LAYOUT_ATTRS = {"nslimit": "2", "nslimit1": "2"}


VIRTUAL_NODE_BUDGET = 1_000  # hidden nodes: beyond this dot slows down and the picture tangles
NEAR_SPAN = 4  # a use at most this many ranks after the value's first use keeps its edge


def repeat_far_uses(scene: Scene, order: list[Value]) -> int:
    """Give far uses of a value a dashed copy of its box when the layout would be too costly.

    Returns how many copies were added (0 when the graph is cheap enough to lay out as is).
    """
    rank = ranks(scene)
    by_tail: dict[str, list[int]] = {}
    for n, edge in enumerate(scene.edges):
        by_tail.setdefault(edge.tail, []).append(n)
    far: list[tuple[str, int]] = []
    cost = 0
    for tail, edge_numbers in by_tail.items():
        heads = sorted(rank[node_of(scene.edges[n].head)] for n in edge_numbers)
        start = min(heads[0] - 1, rank[tail])
        cost += sum(h - start - 1 for h in heads)
        near = heads[0] + NEAR_SPAN
        far += [(tail, n) for n in edge_numbers if rank[node_of(scene.edges[n].head)] > near]
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


def ranks(scene: Scene) -> dict[str, int]:
    """Each node's rank, as late as its uses allow (a value computed from leaves alone, like
    u*c in a loop, belongs next to where it is used, not at the start).

    A node's height is the longest path from it to a node with no edges out; heights are
    found from those nodes backwards (Kahn's algorithm), each node taken exactly once. A
    node left over lies on a cycle: a ValueError naming it, never an endless loop.
    """
    names = [node.name for node in scene.nodes]
    predecessors: dict[str, list[str]] = {name: [] for name in names}
    outgoing = dict.fromkeys(names, 0)
    for edge in scene.edges:
        tail, head = edge.tail, node_of(edge.head)
        predecessors.setdefault(head, []).append(tail)
        predecessors.setdefault(tail, [])
        outgoing[tail] = outgoing.get(tail, 0) + 1
        outgoing.setdefault(head, 0)
    height = dict.fromkeys(outgoing, 0)
    ready = [name for name, count in outgoing.items() if count == 0]
    for name in ready:  # grows as nodes become ready; each node is appended once
        for tail in predecessors[name]:
            height[tail] = max(height[tail], height[name] + 1)
            outgoing[tail] -= 1
            if outgoing[tail] == 0:
                ready.append(tail)
    if len(ready) < len(outgoing):
        scene.check_acyclic()  # names the cycle
        raise ValueError("the drawing has a cycle: no layout can rank it")  # not reached
    tallest = max(height.values(), default=0)
    return {name: tallest - h for name, h in height.items()}
