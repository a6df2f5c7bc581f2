"""Neural networks on the picture: clusters per module, collapsed neurons, bundled layers.

Nodes made inside a module scope ("L0.N1") sit in nested clusters; collapsed, each
innermost scope (a neuron) is one box that says what it holds, and the edges between two
layers become one edge with the number of weights and their norm.

>>> scope_and_enclosing("L0.N1")
['L0', 'L0.N1']
"""

from __future__ import annotations

import math

import numpy as np

from autograd import Value
from viz.labels import (
    escape_html,
    format_number,
    shorten,
)
from viz.scene import Scene, SceneEdge, natural_key


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


def inputs_before_weights(scene: Scene, order: list[Value], drawn_as: list[str]) -> None:
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


def inputs_into_their_layer(scene: Scene, order: list[Value]) -> None:
    """Draw each network input inside the box of the one layer that reads it.

    An input (a leaf outside any module) outside the layer's box had its edges routed
    around the box's border to reach each neuron: the edges looped over the clusters.
    Inside the layer's box, at its left (``inputs_before_weights`` ranks it first), its
    edges fan out straight to the neurons. An input read by several layers, or outside
    any module, stays where it is.
    """
    index = {node: i for i, node in enumerate(order)}
    layers: dict[int, set[str]] = {}
    for node in order:
        top = scope_and_enclosing(node.scope)[:1]
        for parent in node.parents:
            layers.setdefault(index[parent], set()).update(top or [""])
    for scene_node in scene.nodes:
        i = scene_node.index
        if scene_node.kind != "value" or i is None:
            continue
        node = order[i]
        if node.parents or node.scope or len(layers.get(i, ())) != 1:
            continue
        (layer,) = layers[i]
        if layer in scene.clusters:
            scene_node.scope = layer


def bundle_layer_edges(scene: Scene, order: list[Value], layer_of: dict[str, str]) -> None:
    """Replace the k × m edges between two layers of collapsed neurons by one labelled edge.

    ``layer_of`` maps each box's DOT name to its layer (the scope its edges are bundled
    by). The edge runs between the layers' clusters (``ltail``/``lhead``) and says how many
    connections it stands for and the size of their local derivatives (``bundle_text``).
    """
    names = scene.cluster_names()
    groups: dict[tuple[str, str], list[SceneEdge]] = {}
    kept = []
    for edge in scene.edges:
        # an input x0 feeding every neuron of L0 is bundled too (its tail is x0 itself)
        tail_key, head_layer = layer_of.get(edge.tail, edge.tail), layer_of.get(edge.head)
        if head_layer and tail_key != head_layer and edge.use is not None:
            groups.setdefault((tail_key, head_layer), []).append(edge)
        else:
            kept.append(edge)
    for (tail_layer, head_layer), edges in groups.items():
        if len(edges) == 1:
            kept.extend(edges)
            continue
        tails = sorted({e.tail for e in edges}, key=natural_key)
        heads = sorted({e.head for e in edges}, key=natural_key)
        attrs = {
            "label": f"<{escape_html(bundle_text(order, edges))}>",
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


def bundle_text(order: list[Value], edges: list[SceneEdge]) -> str:
    """What a bundled edge says: how many edges it stands for, and the norm of their local
    derivatives. For products (weights × inputs) that is the weight matrix's Frobenius
    norm ‖W‖. Only local derivatives that are numbers (a float, or a batch of them) are
    squared and summed; one that is not (a block of a matrix product's Jacobian, given
    only as a product) is counted, and the text says over how many the norm was taken.

    >>> from autograd import Value
    >>> x = Value(2.0)
    >>> a, b = x * Value(3.0), x * Value(4.0)       # local derivatives ∂a/∂x = 3, ∂b/∂x = 4
    >>> edges = [SceneEdge("v0", "s0", use=(1, 0)), SceneEdge("v0", "s1", use=(2, 0))]
    >>> bundle_text([x, a, b], edges)
    '2 weights, ‖W‖ = 5'
    """
    uses = [e.use for e in edges if e.use is not None]
    locals_ = [order[i].local_grads[k] for i, k in uses]
    numbers = [local for local in locals_ if is_number(local)]
    norm = format_number(math.sqrt(sum(float(np.sum(np.square(n))) for n in numbers)))
    if not numbers:
        return f"{len(edges)} edges; their local derivatives are not numbers: no norm"
    if len(numbers) < len(locals_):
        return (
            f"{len(edges)} edges, ‖∂/∂in‖ = {norm} over the {len(numbers)} "
            "whose local derivative is a number"
        )
    if all(order[i].op == "*" for i, _ in uses):
        return f"{len(edges)} weights, ‖W‖ = {norm}"
    return f"{len(edges)} edges, ‖∂/∂in‖ = {norm}"


def is_number(x: object) -> bool:
    """A float, an int (not a bool) or a numpy array of numbers: what can be squared and summed.

    >>> import numpy as np
    >>> is_number(0.5), is_number(np.array([1.0, 2.0])), is_number("x"), is_number(True)
    (True, True, False, False)
    """
    if isinstance(x, np.ndarray):
        return x.dtype.kind in "fiu"
    return isinstance(x, float | int) and not isinstance(x, bool)
