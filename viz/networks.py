"""Neural networks on the picture: clusters per module, collapsed neurons, bundled layers.

Nodes made inside a module scope ("L0.N1") sit in nested clusters; collapsed, each
innermost scope (a neuron) is one box that says what it holds, and the edges between two
layers become one edge with the number of weights and their norm.

>>> scope_and_enclosing("L0.N1")
['L0', 'L0.N1']
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from autograd import Value
from viz.labels import (
    escape_html,
    format_data,
    format_number,
    grad_text,
    mono,
    shorten,
)
from viz.scene import Scene, SceneEdge, natural_key, parent_scope


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


def summary_attrs(
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


def bundle_layer_edges(scene: Scene, order, collapsed, summary_names) -> None:
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
