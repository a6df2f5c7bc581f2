"""The backward pass, step by step: watch the chain rule hand gradients down the graph.

``replay(root)`` replays what ``backward()`` does (seed the root's gradient with 1,
then visit every node from the root down and add ``upstream × local`` to each input's
gradient) on copies of the numbers, so the graph's own ``.grad`` fields are never touched.
There is one frame per op node visited; a leaf (an input or a weight) has nothing to pass
on, so it gets no frame of its own: the frame that last adds to its gradient says that the
gradient is now final.

>>> from autograd import Value
>>> x = Value(2.0, label="x")
>>> y = (x * x).tanh()
>>> steps = replay(y)
>>> len(steps)                     # tanh, then *; x is a leaf
2
>>> steps[1].caption.split(":")[0]
'Step 2 of 2'
>>> x.grad is None                 # the graph itself is untouched
True

The frames share one drawing: Graphviz lays the graph out once, and each frame lists only
what it changes (the texts of a few gradients, which node is lit). ``viz.player`` shows them
as an HTML player (``viz.backward_steps``: a page, or inline in Jupyter), ``viz.frames`` as
image files and a GIF.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autograd import Value
from autograd.engine import contribution, visiting_order
from autograd.files import require_directory
from viz.build import build_scene
from viz.dot import check_root, drawn_order
from viz.images import pipe
from viz.labels import describe, edge_text, format_data, grad_text, op_label, value_label
from viz.options import DrawOptions
from viz.scene import Scene, value_name

DEFAULT_MAX_STEPS = 300  # values in the graph: beyond this a step-through is no longer readable

ACTIVE_FILL = "#ffd8a8"  # the node visited in this step
ACTIVE_OP_FILL = "#fdae6b"
ACTIVE_EDGE = "#d94801"
CHANGED_FILL = "#b8e6b8"  # a gradient this step just added to
MAX_LISTED_INPUTS = 6  # a caption lists this many inputs of an n-ary node, then "and k more"


@dataclass
class Frame:
    """One step of the backward pass: the visited node and every gradient after the step.

    ``grads[i]`` is the gradient of the i-th node of ``topological_order(root)`` after this
    step; ``changed`` lists the positions whose gradient the step added to (one per edge);
    ``active`` is the visited node's position.
    """

    step: int
    node: Value
    active: int
    caption: str
    grads: tuple
    changed: tuple[int, ...]


class Replay(list):
    """The frames of a backward pass (a list of ``Frame``), as data; ``viz.BackwardSteps``
    (``viz.player``) is the same shown as a player in Jupyter or as a page.

    ``order`` is the graph's topological order; ``scene`` the one drawing all frames share.

    >>> from autograd import Value
    >>> steps = replay(Value(3.0, label="x") * Value(2.0, label="w"))
    >>> [frame.node.op for frame in steps]
    ['*']
    """

    def __init__(self, frames, order: list[Value], scene: Scene, options: DrawOptions) -> None:
        super().__init__(frames)
        self.order = order
        self.scene = scene
        self.options = options
        self._svg: str | None = None

    def svg(self) -> str:
        """The shared drawing as SVG text, showing the final gradients (needs Graphviz ``dot``)."""
        if self._svg is None:
            self._svg = pipe(self.scene.to_digraph(), "svg").decode("utf-8")
        return self._svg


def replay(
    root: Value,
    *,
    rankdir: str = "LR",
    max_nodes: int = DEFAULT_MAX_STEPS,
    fused_layers: str = "expanded",
) -> Replay:
    """The frames of ``root``'s backward pass, in the order ``backward()`` visits the nodes.

    A fused layer (a Layer run on a batch) is stepped through neuron by neuron, node by
    node, unless ``fused_layers="collapsed"``: then it is one step, its whole
    vector-Jacobian product. Raises ValueError for a graph of more than ``max_nodes``
    values. Rendering the drawing (``BackwardSteps.svg``, ``to_html``) needs the Graphviz
    ``dot`` program.
    """
    check_root(root)
    options = DrawOptions(
        rankdir=rankdir, max_nodes=max_nodes, collapse_neurons=False, fused_layers=fused_layers
    )
    order = drawn_order(root, fused_layers)
    if len(order) > max_nodes:
        raise ValueError(
            f"the step-through draws every node: this graph has {len(order)} nodes, "
            f"more than max_nodes={max_nodes}; step through a smaller expression, "
            "or pass a larger max_nodes"
        )
    visits = _replay(order)
    frames = [step for step in visits if order[step.active].parents] or visits[:1]
    final_at = _last_change(frames)
    result = [
        Frame(
            k,
            order[step.active],
            step.active,
            _caption(order, step, k, len(frames), final_at),
            step.grads,
            step.changed,
        )
        for k, step in enumerate(frames)
    ]
    scene = _shared_scene(order, visits, options)
    return Replay(result, order, scene, options)


def html_path(path: str | os.PathLike) -> Path:
    """``path`` as a Path, if it ends in .html and its directory exists (else a clear error)."""
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise ValueError(
            f"the step-through is an HTML page: use a path ending in .html, not {str(path)!r}"
        )
    return require_directory(path)  # before the drawing is rendered, not after


# --------------------------------------------------------------------- the replay


@dataclass
class Step:
    """What backward() does when it visits one node (positions in the topological order)."""

    active: int  # the visited node
    upstream: object  # its gradient when visited
    grads: tuple  # every gradient after the step
    changed: tuple[int, ...]  # inputs' positions, one per edge (a * a lists a twice)
    contributions: tuple  # upstream × local, one per edge


def _replay(order: list[Value]) -> list[Step]:
    """backward() on copies: the engine's loop, in its order, recording every step."""
    index = {node: i for i, node in enumerate(order)}
    grads: list = [0.0] * len(order)
    grads[-1] = 1.0  # the seed: ∂root/∂root
    steps = []
    for node in visiting_order(order[-1]):
        i = index[node]
        upstream = grads[i]
        changed, contributions = [], []
        for parent, local in zip(node.parents, node.local_grads, strict=True):
            with np.errstate(all="ignore"):  # IEEE results, as the engine gives them
                share = contribution(local, upstream, parent.data)  # as backward() computes it
            p = index[parent]
            grads[p] = grads[p] + share  # a new object: never writes into engine arrays
            changed.append(p)
            contributions.append(share)
        steps.append(Step(i, upstream, tuple(grads), tuple(changed), tuple(contributions)))
    return steps


def _last_change(frames: list[Step]) -> dict[int, int]:
    """Node position -> the frame number that last adds to its gradient."""
    last: dict[int, int] = {}
    for k, step in enumerate(frames):
        for p in step.changed:
            last[p] = k
    return last


def _caption(order: list[Value], step: Step, k: int, total: int, final_at: dict) -> str:
    node = order[step.active]
    name = describe(node)
    prefix = f"Step {k + 1} of {total}: "
    if k == 0:
        prefix += f"backward() starts at the output, {name}, with grad 1 (∂out/∂out = 1). "
    if not node.parents:
        return (
            prefix
            + f"{name} has no inputs: its gradient {format_data(step.grads[step.active])} is final."
        )
    lines = []
    for n, (p, share) in enumerate(zip(step.changed, step.contributions, strict=True)):
        if n == MAX_LISTED_INPUTS:
            lines.append(f"and {len(step.changed) - n} more inputs")
            break
        local = format_data(node.local_grads[n])
        line = (
            f"{describe(order[p])} gets {format_data(step.upstream)} × {local}"
            f" = {format_data(share)} (grad now {format_data(step.grads[p])}"
        )
        if not order[p].parents and final_at.get(p) == k:
            line += ", final: it is a leaf"
        lines.append(line + ")")
    upstream = format_data(step.upstream)
    return prefix + f"{name} passes its grad {upstream} on: " + "; ".join(lines) + "."


# --------------------------------------------------------------------- the shared drawing


def _shared_scene(order: list[Value], replay: list[Step], options: DrawOptions) -> Scene:
    """One drawing for all frames, showing the final state, every text padded to its widest.

    Value boxes, op cells and edges get ids (``v3_box``, ``v3_grad``, ``v3_op``, ``v3_c0``,
    ``e5``) that the player's script restyles; padding keeps every box one size whatever
    text a frame puts in it.
    """
    final = replay[-1].grads
    scene = build_scene(order, list(final), options)
    scene.graph_attrs.pop("label", None)  # the page explains edges and colours
    scene.graph_attrs.pop("labelloc", None)
    upstream_at = {step.active: step.upstream for step in replay}
    grad_width = {
        i: max(len(grad_text(step.grads[i])) for step in replay) for i in range(len(order))
    }
    for node in scene.nodes:
        i = node.index
        if node.kind == "value":
            node.attrs["label"] = value_label(
                order[i], final[i], grad_width=grad_width[i], ids=value_name(i)
            )
        elif node.kind == "op":
            value = order[i]
            texts = [cell_texts(value, k, upstream_at[i]) for k in range(len(value.parents))]
            width = max(len(t) for pair in texts for t in pair)
            node.attrs.update(
                op_label(
                    value.op,
                    [after for _, after in texts],
                    rankdir=options.rankdir,
                    ids=value_name(i),
                    cell_width=width,
                )
            )
    for n, edge in enumerate(scene.edges):
        edge.attrs["id"] = f"e{n}"
    return scene


def cell_texts(node: Value, k: int, upstream) -> tuple[str, str]:
    """Operand k's cell before its node is visited (the local derivative) and after it."""
    local, data = node.local_grads[k], node.parents[k].data
    return edge_text("local", local, upstream, data), edge_text(
        "contribution", local, upstream, data
    )


def op_cell_id(i: int, k: int) -> str:
    """The id of operand k's cell in the op of node i (``v3_c0``)."""
    return f"{value_name(i)}_c{k}"


def op_id(i: int) -> str:
    """The id of the op cell of node i (``v3_op``); its DOT node is ``op_name(i)``."""
    return f"{value_name(i)}_op"
