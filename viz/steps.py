"""The backward pass, one frame per node: watch the chain rule hand gradients down the graph.

``backward_steps(root)`` replays what ``backward()`` does (seed the root's gradient with 1,
then visit every node from the root down and add ``local × upstream`` to each input's
gradient) on copies of the numbers, so the graph's own ``.grad`` fields are never touched.
Each frame highlights the node being visited (orange), the gradients it just changed (green)
and, on its edges, the contributions ``upstream × local``. Every frame has the same layout:
Graphviz lays the graph out once and each frame is drawn with the positions pinned.

>>> from autograd import Value
>>> x = Value(2.0, label="x")
>>> y = (x * x).tanh()
>>> steps = backward_steps(y)
>>> len(steps)                     # one frame per node: tanh, *, x
3
>>> steps[1].caption.split(":")[0]
'Step 2 of 3'
>>> x.grad is None                 # the graph itself is untouched
True

``save_steps_html(root, "steps.html")`` writes one self-contained HTML file (inline SVGs,
previous/next buttons and a slider, no network); in Jupyter, a ``BackwardSteps`` displays
the same player inline.
"""

from __future__ import annotations

import html
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import graphviz
import numpy as np

from autograd import Value, topological_order
from autograd.engine import contribution
from autograd.files import require_directory
from viz.dot import (
    Scene,
    build_scene,
    check_max_nodes,
    check_rankdir,
    check_root,
    describe,
    edge_text,
    escape_html,
    format_data,
    grad_text,
    op_attrs,
    value_label,
)
from viz.render import GraphvizNotFoundError, pipe, write_atomically

DEFAULT_MAX_STEPS = 80  # one rendered frame per node: beyond this the file gets large and slow

ACTIVE_FILL = "#ffd8a8"  # the node visited in this step
ACTIVE_OP_FILL = "#fdae6b"
ACTIVE_EDGE = "#d94801"
CHANGED_FILL = "#b8e6b8"  # a gradient this step just added to
MAX_LISTED_INPUTS = 6  # a caption lists this many inputs of an n-ary node, then "and k more"


@dataclass
class Frame:
    """One step of the backward pass: the visited node and every gradient after the step.

    ``grads[i]`` is the gradient of the i-th node of ``topological_order(root)`` after this
    step; ``changed`` lists the positions whose gradient the step added to. ``digraph`` is
    the drawing with pinned positions (engine ``neato -n2``); ``svg()`` renders it.
    """

    step: int
    node: Value
    caption: str
    grads: tuple
    changed: tuple[int, ...]
    digraph: graphviz.Digraph
    _svg: str | None = field(default=None, init=False, repr=False)

    def svg(self) -> str:
        """The frame as SVG text (needs the Graphviz ``neato`` program)."""
        if self._svg is None:
            self._svg = pipe(self.digraph, "svg", neato_no_op=2).decode("utf-8")  # -n2: pinned
        return self._svg

    def _repr_svg_(self) -> str:
        return self.svg()


class BackwardSteps(list):
    """The frames of a backward pass (a list of ``Frame``), shown as a player in Jupyter.

    >>> from autograd import Value
    >>> steps = backward_steps(Value(3.0, label="x") * 2)
    >>> [frame.node.op or frame.node.label or "constant" for frame in steps]
    ['*', 'x', 'constant']
    """

    def to_html(self, title: str = "The backward pass, step by step") -> str:
        """A complete, self-contained HTML page with the player."""
        return (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)}</title>\n</head>\n<body>\n"
            f"<h2>{html.escape(title)}</h2>\n{self._player()}\n</body>\n</html>\n"
        )

    def save_html(self, path: str | os.PathLike) -> Path:
        """Write ``to_html()`` to ``path`` (atomically) and return the path."""
        path = _html_path(path)
        write_atomically(path, self.to_html().encode("utf-8"))
        return path

    def _repr_html_(self) -> str:
        try:
            return self._player()
        except GraphvizNotFoundError as error:  # say so in the notebook, not as a traceback
            return f"<pre>{html.escape(str(error))}</pre>"

    def render(self) -> None:
        """Render every frame not rendered yet, in one Graphviz run (not one process each)."""
        todo = [frame for frame in self if frame._svg is None]
        if not todo:
            return
        sources = "\n".join(frame.digraph.source for frame in todo)
        output = pipe(sources, "svg", engine="neato", neato_no_op=2).decode("utf-8")
        svgs = ["<?xml" + part for part in output.split("<?xml")[1:]]  # one document per graph
        if len(svgs) != len(todo):
            raise RuntimeError(f"Graphviz drew {len(svgs)} frames out of {len(todo)}")
        for frame, svg in zip(todo, svgs, strict=True):
            frame._svg = svg

    def _player(self) -> str:
        """The player: controls, one hidden div per frame (caption + inline SVG), a script."""
        self.render()
        last = len(self) - 1
        frames = "\n".join(
            f'<div class="ag-frame" style="display:{"block" if k == 0 else "none"}">'
            f'<p class="ag-caption">{html.escape(frame.caption)}</p>\n'
            f"{_inline_svg(frame.svg(), f'f{k}-')}</div>"
            for k, frame in enumerate(self)
        )
        return (
            f"<style>{_CSS}</style>\n"
            '<div class="ag-steps">\n<div class="ag-controls">'
            '<button type="button" onclick="agStep(this, -1)">&#9664; previous</button> '
            f'<input type="range" min="0" max="{last}" value="0" step="1" '
            'oninput="agShow(this, Number(this.value))" aria-label="step"> '
            '<button type="button" onclick="agStep(this, 1)">next &#9654;</button> '
            f'<span class="ag-counter">step 1 of {len(self)}</span></div>\n'
            f'<p class="ag-legend">{_LEGEND}</p>\n{frames}\n</div>\n'
            f"<script>{_SCRIPT}</script>"
        )


_LEGEND = (
    '<span style="background:' + ACTIVE_FILL + '">&nbsp;orange&nbsp;</span>: the node visited '
    'in this step; <span style="background:' + CHANGED_FILL + '">&nbsp;green&nbsp;</span>: '
    "the gradients it just added to; edges: local derivative ∂out/∂in, and on the visited "
    "node's edges, upstream grad × local = contribution."
)
_CSS = (
    ".ag-steps{font-family:sans-serif}.ag-controls{margin:0.5em 0}"
    ".ag-controls input{width:20em;vertical-align:middle}.ag-caption{font-weight:bold}"
    ".ag-frame svg{max-width:100%;height:auto}"
)
# Each player finds its own frames from the clicked element, so several players (several
# outputs in one notebook) never interfere; nothing is fetched from the network.
_SCRIPT = """
function agShow(el, k) {
  var box = el.closest('.ag-steps');
  var frames = box.querySelectorAll('.ag-frame');
  k = Math.max(0, Math.min(frames.length - 1, k));
  for (var i = 0; i < frames.length; i++) frames[i].style.display = i === k ? 'block' : 'none';
  box.querySelector('input[type=range]').value = k;
  box.querySelector('.ag-counter').textContent = 'step ' + (k + 1) + ' of ' + frames.length;
}
function agStep(el, delta) {
  var box = el.closest('.ag-steps');
  agShow(el, Number(box.querySelector('input[type=range]').value) + delta);
}
"""


def backward_steps(
    root: Value, *, rankdir: str = "LR", max_nodes: int = DEFAULT_MAX_STEPS
) -> BackwardSteps:
    """One frame per node, in the order ``backward()`` visits them (the root first).

    Raises ValueError for a graph of more than ``max_nodes`` nodes (one frame each).
    Rendering the frames (``Frame.svg``, ``to_html``) needs the Graphviz programs.
    """
    check_root(root)
    check_rankdir(rankdir)
    check_max_nodes(max_nodes)
    order = topological_order(root)
    if len(order) > max_nodes:
        raise ValueError(
            f"the step-through draws one frame per node: this graph has {len(order)} nodes, "
            f"more than max_nodes={max_nodes}; step through a smaller expression, "
            "or pass a larger max_nodes"
        )
    replay = _replay(order)
    # Pad each grad row to its longest text over all frames: every box keeps one size.
    widths = {i: max(len(grad_text(step.grads[i])) for step in replay) for i in range(len(order))}
    upstream_at = {step.active: step.upstream for step in replay}
    scenes = [_frame_scene(order, step, widths, rankdir, upstream_at) for step in replay]
    layout = _layout(_frame_scene(order, replay[0], widths, rankdir, upstream_at, for_layout=True))
    frames = BackwardSteps()
    for step, scene in zip(replay, scenes, strict=True):
        _pin(scene, layout)
        digraph = scene.to_digraph()
        digraph.engine = "neato"
        frames.append(
            Frame(
                step.step,
                order[step.active],
                _caption(order, step, len(replay)),
                step.grads,
                step.changed,
                digraph,
            )
        )
    return frames


def save_steps_html(root: Value, path: str | os.PathLike, **options) -> Path:
    """Write the step-through of ``root``'s backward pass to one self-contained HTML file.

    ``options`` are those of ``backward_steps``. Returns the path written.
    """
    path = _html_path(path)
    return backward_steps(root, **options).save_html(path)


def _html_path(path: str | os.PathLike) -> Path:
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise ValueError(
            f"the step-through is an HTML page: use a path ending in .html, not {str(path)!r}"
        )
    return require_directory(path)  # before the frames are rendered, not after


# --------------------------------------------------------------------- the replay


@dataclass
class _Step:
    step: int
    active: int  # position of the visited node in the topological order
    upstream: object  # its gradient when visited
    grads: tuple  # every gradient after the step
    changed: tuple[int, ...]  # inputs' positions, one per edge (a * a lists a twice)
    contributions: tuple  # upstream × local, one per edge


def _replay(order: list[Value]) -> list[_Step]:
    """backward() on copies: the same loop as the engine's, recording every step."""
    index = {node: i for i, node in enumerate(order)}
    grads: list = [0.0] * len(order)
    grads[-1] = 1.0  # the seed: ∂root/∂root
    steps = []
    for i in reversed(range(len(order))):
        node, upstream = order[i], grads[i]
        changed, contributions = [], []
        for parent, local in zip(node.parents, node.local_grads, strict=True):
            with np.errstate(all="ignore"):  # IEEE results, as the engine gives them
                share = contribution(local, upstream, parent.data)  # as backward() computes it
            p = index[parent]
            grads[p] = grads[p] + share  # a new object: never writes into engine arrays
            changed.append(p)
            contributions.append(share)
        steps.append(
            _Step(len(steps), i, upstream, tuple(grads), tuple(changed), tuple(contributions))
        )
    return steps


def _caption(order: list[Value], step: _Step, total: int) -> str:
    node = order[step.active]
    name = describe(node)
    prefix = f"Step {step.step + 1} of {total}: "
    if step.step == 0:
        prefix += f"backward() starts at the output, {name}, with grad 1 (∂out/∂out = 1). "
    if not node.parents:
        final = format_data(step.grads[step.active])
        return prefix + f"{name} has no inputs, nothing to pass on: its gradient {final} is final."
    lines = []
    for k, (p, share) in enumerate(zip(step.changed, step.contributions, strict=True)):
        if k == MAX_LISTED_INPUTS:
            lines.append(f"and {len(step.changed) - k} more inputs")
            break
        local = format_data(node.local_grads[k])
        lines.append(
            f"{describe(order[p])} gets {format_data(step.upstream)} × {local}"
            f" = {format_data(share)} (grad now {format_data(step.grads[p])})"
        )
    upstream = format_data(step.upstream)
    return prefix + f"{name} passes its grad {upstream} on: " + "; ".join(lines) + "."


# --------------------------------------------------------------------- drawing the frames


def _frame_scene(
    order: list[Value],
    step: _Step,
    widths: dict[int, int],
    rankdir: str,
    upstream_at: dict[int, object],
    *,
    for_layout: bool = False,
) -> Scene:
    """The scene of one step: its gradients, the visited node and its edges highlighted.

    ``upstream_at[i]`` is node i's gradient when backward() visits it. The scene
    ``for_layout`` writes every edge's contribution (its widest label), so that Graphviz
    leaves room for the label each edge shows when its node is visited.
    """
    scene = build_scene(
        order, list(step.grads), rankdir=rankdir, edge_labels="local", max_nodes=len(order)
    )
    scene.graph_attrs.pop("label", None)  # the page explains edges and colours
    scene.graph_attrs.pop("labelloc", None)
    active = None if for_layout else step.active
    changed = () if for_layout else set(step.changed)
    for node in scene.nodes:
        i = node.index
        if node.kind == "value":
            node.attrs["label"] = value_label(
                order[i],
                step.grads[i],
                fill=ACTIVE_FILL if i == active else "white",
                grad_fill=CHANGED_FILL if i in changed else None,
                grad_width=widths[i],
            )
        elif node.kind == "op" and i == active:
            node.attrs.update(op_attrs(order[i].op, fill=ACTIVE_OP_FILL))
    for n, edge in enumerate(scene.edges):
        edge.attrs["id"] = f"e{n}"  # lets _layout match Graphviz's edges to ours
        if edge.use is None or not (for_layout or edge.use[0] == active):
            continue
        i, k = edge.use
        node = order[i]
        text = edge_text("contribution", node.local_grads[k], upstream_at[i], node.parents[k].data)
        edge.attrs["label"] = f"<{escape_html(text)}>"
        if i == active:
            edge.attrs.update(color=ACTIVE_EDGE, fontcolor=ACTIVE_EDGE, penwidth="2.5")
    return scene


@dataclass
class _Layout:
    """Positions from one Graphviz run, to pin in every frame."""

    graph_bb: str
    nodes: dict[str, str]  # name -> "x,y"
    edges: list[dict[str, str]]  # in declaration order: {"pos": ..., "lp": ...}
    clusters: dict[str, str]  # subgraph name -> bb


def _layout(scene: Scene) -> _Layout:
    """Lay the scene out once with ``dot`` and read the positions from its JSON output."""
    digraph = scene.to_digraph()
    result = json.loads(pipe(digraph, "json"))
    objects = result.get("objects", [])
    nodes = {obj["name"]: obj["pos"] for obj in objects if "pos" in obj}
    clusters = {obj["name"]: obj["bb"] for obj in objects if "bb" in obj}
    # Graphviz lists edges in its own order; the ids given in _frame_scene say which is which.
    by_id = {edge["id"]: edge for edge in result.get("edges", [])}
    kept = [
        {
            key: by_id[edge.attrs["id"]][key]
            for key in ("pos", "lp")
            if key in by_id[edge.attrs["id"]]
        }
        for edge in scene.edges
    ]
    return _Layout(result["bb"], nodes, kept, clusters)


def _pin(scene: Scene, layout: _Layout) -> None:
    """Give every node, edge and cluster of ``scene`` its position from ``layout``."""
    scene.graph_attrs.update(bb=layout.graph_bb, notranslate="true")
    for node in scene.nodes:
        node.attrs["pos"] = layout.nodes[node.name] + "!"
    for edge, pinned in zip(scene.edges, layout.edges, strict=True):
        edge.attrs.update(pinned)
    for scope, name in scene.cluster_names().items():
        scene.clusters[scope] = {**scene.clusters[scope], "bb": layout.clusters[name]}


def _inline_svg(svg: str, id_prefix: str) -> str:
    """SVG text ready to sit inside HTML: no XML prolog or doctype, ids made unique per frame."""
    start = svg.find("<svg")
    body = svg[start:] if start >= 0 else svg
    body = re.sub(r"<!--.*?-->", "", body, flags=re.DOTALL)
    return re.sub(r'\bid="', f'id="{id_prefix}', body)
