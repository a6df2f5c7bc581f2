"""The step-through as HTML: one static SVG that reads on its own, plus a script that plays it.

The page holds the drawing once (an SVG of the graph after the whole backward pass) and each
frame as a few lines of JSON: which node is visited, which gradients change and their new
texts. The script (``player.js``, next to this file) sets frame k on the one drawing, so the
file grows with the graph, not with graph × frames. Where scripts do not run (an untrusted
notebook, GitHub, nbviewer) a notebook output shows the same drawing as a still image, with
one line saying how to play it: the still is an ``<img>`` with a data URI, because
JupyterLab's sanitizer drops inline ``<svg>`` and would leave its text as a jumble.

>>> from autograd import Value
>>> steps = __import__("viz").backward_steps(Value(2.0, label="x") * Value(3.0, label="w"))
>>> data = frame_data(steps, "p-")
>>> data["frames"][0]["set"]["a_v0_grad"]    # the first step gives w its gradient
'grad 2'
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
from importlib import resources
from pathlib import Path
from string import Template

from autograd import Value
from viz.explain import derivation, uses
from viz.images import GraphvizNotFoundError, write_atomically
from viz.labels import edge_text, grad_text
from viz.scene import value_name
from viz.steps import (
    ACTIVE_EDGE,
    ACTIVE_FILL,
    ACTIVE_OP_FILL,
    CHANGED_FILL,
    DEFAULT_MAX_STEPS,
    Replay,
    html_path,
    op_cell_id,
    op_id,
    replay,
)


class BackwardSteps(Replay):
    """The frames of a backward pass (a list of ``viz.steps.Frame``), shown as a player in
    Jupyter, or as a self-contained page (``save_html``).

    >>> from autograd import Value
    >>> steps = backward_steps(Value(3.0, label="x") * Value(2.0, label="w"))
    >>> [frame.node.op for frame in steps], steps.summary().startswith("<the backward pass in 1")
    (['*'], True)
    """

    def to_html(self, title: str = "The backward pass, step by step") -> str:
        """A complete, self-contained HTML page with the player."""
        return page(self, title)

    def save_html(self, path: str | os.PathLike) -> Path:
        """Write ``to_html()`` to ``path`` (atomically) and return the path."""
        path = html_path(path)
        write_atomically(path, self.to_html().encode("utf-8"))
        return path

    def _repr_html_(self) -> str:
        return notebook_fragment(self)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        return {"text/html": self._repr_html_(), "text/plain": self.summary()}

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        # IPython asks its pretty-printer for text/plain (a list's repr otherwise).
        printer.text(self.summary())

    def summary(self) -> str:
        """One line for plain-text displays, saying how to see the player."""
        return (
            f"<the backward pass in {len(self)} steps: run this cell in Jupyter to play it, "
            "or save it with .save_html('steps.html')>"
        )


def backward_steps(
    root: Value,
    *,
    rankdir: str = "LR",
    max_nodes: int = DEFAULT_MAX_STEPS,
    fused_layers: str = "expanded",
) -> BackwardSteps:
    """The frames of ``root``'s backward pass, in the order ``backward()`` visits the nodes,
    as a player (``viz.steps.replay`` makes them; this shows them).

    A fused layer (a Layer run on a batch) is stepped through neuron by neuron, node by
    node, unless ``fused_layers="collapsed"``: then it is one step, its whole
    vector-Jacobian product. Raises ValueError for a graph of more than ``max_nodes``
    values. Rendering the drawing (``svg``, ``to_html``) needs Graphviz (``viz.programs``).

    >>> from autograd import Value
    >>> len(backward_steps((Value(2.0) * Value(3.0)).tanh()))
    2
    """
    steps = replay(root, rankdir=rankdir, max_nodes=max_nodes, fused_layers=fused_layers)
    return BackwardSteps(steps, steps.order, steps.scene, steps.options)


def save_steps_html(root: Value, path: str | os.PathLike, **options) -> Path:
    """Write the step-through of ``root``'s backward pass to one self-contained HTML file.

    ``options`` are those of ``backward_steps``. Returns the path written.
    """
    path = html_path(path)
    return backward_steps(root, **options).save_html(path)


MAX_LISTED_USES = 8  # a derivation on the page lists this many terms, then sums up the rest
EXPLAIN_HELP = "Click a value (or its op) to see how backward() makes its gradient."
RUN_TO_PLAY = (
    "This is the graph after the whole backward pass. Run this cell to play it step by step "
    "(the player is a script, and untrusted notebooks, GitHub and nbviewer do not run scripts)."
)
HELP = (
    "Keys (click the player first): ← → step, Home/End first/last, + − zoom, 0 whole graph. "
    "Drag to pan; ctrl+wheel zooms."
)
LEGEND = (
    f'<span style="background:{ACTIVE_FILL}">&nbsp;orange&nbsp;</span>: the node visited in '
    f'this step; <span style="background:{CHANGED_FILL}">&nbsp;green&nbsp;</span>: the '
    "gradients it just added to. In an op, each input's cell shows its local derivative "
    "∂out/∂in until the op is visited, then upstream grad × local = the contribution."
)


def resource(name: str) -> str:
    """The text of a file shipped with viz (``player.js``, ``player.css``, ...)."""
    return resources.files("viz").joinpath(name).read_text(encoding="utf-8")


def page(steps: BackwardSteps, title: str) -> str:
    """A complete, self-contained HTML page (no network) with the player."""
    return page_around(player(steps, standalone=True), title)


def page_around(fragment: str, title: str) -> str:
    """``fragment`` (a player) as a complete HTML page with ``title`` (escaped).

    >>> page_around("<p>hi</p>", "a < b").count("a &lt; b")   # the title and the heading
    2
    """
    return Template(resource("player.html")).substitute(title=html.escape(title), player=fragment)


def notebook_fragment(steps: BackwardSteps) -> str:
    """What Jupyter shows: the player, or a message when Graphviz is missing."""
    try:
        return player(steps)
    except GraphvizNotFoundError as error:  # say so in the notebook, not as a traceback
        return f"<pre>{html.escape(str(error))}</pre>"


def player(steps: BackwardSteps, *, standalone: bool = False) -> str:
    """The player's HTML: a note, the static SVG, the frames as JSON, the script."""
    svg = steps.svg()
    prefix = svg_prefix(svg)
    data = {
        **frame_data(steps, prefix),
        "svg": inline_svg(svg, prefix),
        "legend": LEGEND,
        "explain": derivations(steps),
        "explainHelp": EXPLAIN_HELP,
    }
    return player_html(svg, data, standalone=standalone)


def svg_prefix(svg: str) -> str:
    """A prefix that makes the SVG's ids unique on a page (several players in a notebook).

    >>> svg_prefix("<svg/>") == svg_prefix("<svg/>") != svg_prefix("<svg></svg>")
    True
    """
    return "ag" + hashlib.sha1(svg.encode("utf-8")).hexdigest()[:8] + "-"


def player_html(svg: str, data: dict, *, standalone: bool, note: str = RUN_TO_PLAY) -> str:
    """The HTML of a player whose frames are ``data`` (see ``frame_data``), drawn on ``svg``.

    Everything the script reads is JSON inside the page (with ``<`` escaped, so no text in
    it can close the script element); ``note`` is what shows where scripts do not run.

    >>> html_ = player_html("<svg/>", {"caption": "</script>"}, standalone=True, note="hi")
    >>> html_.count("</script>")       # the data's and the player's own: not the caption's
    2
    """
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    page_attr = " data-page" if standalone else ""
    # A page is opened in a browser, which runs the script: it needs no still image.
    still = "" if standalone else still_image(svg)
    return (
        f"<style>{resource('player.css')}</style>\n"
        f'<div class="ag-steps"{page_attr}>\n'
        f'<p class="ag-note"><b>{html.escape(note)}</b></p>\n{still}'
        '<div class="ag-view"></div>\n'
        f'<script type="application/json" class="ag-data">{payload}</script>\n'
        f"<script>{resource('player.js')}</script>\n</div>"
    )


def still_image(svg: str) -> str:
    """The drawing as an ``<img>`` with a data URI: what sanitizers keep of a picture."""
    encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (
        '<img class="ag-still" alt="the graph after the backward pass" '
        f'src="data:image/svg+xml;base64,{encoded}">\n'
    )


def frame_data(steps: BackwardSteps, prefix: str) -> dict:
    """The frames as data for the script: texts to set, and what to light, per frame."""
    order = steps.order
    n = len(order)
    initial = {f"a_{value_name(i)}_grad": grad_text(1.0 if i == n - 1 else 0.0) for i in range(n)}
    for i, node in enumerate(order):
        for k, (parent, local) in enumerate(zip(node.parents, node.local_grads)):
            initial["a_" + op_cell_id(i, k)] = edge_text("local", local, None, parent.data)
    edges_of: dict[int, list[str]] = {}
    for edge in steps.scene.edges:
        if edge.use is not None:
            edges_of.setdefault(edge.use[0], []).append(edge.attrs["id"])
    upstream_at = {}
    frames = []
    for frame in steps:
        i = frame.active
        node = order[i]
        upstream = _upstream(steps, frame)
        upstream_at[i] = upstream
        changes = {
            "a_" + op_cell_id(i, k): edge_text("contribution", local, upstream, parent.data)
            for k, (parent, local) in enumerate(zip(node.parents, node.local_grads))
        }
        for p in frame.changed:
            changes[f"a_{value_name(p)}_grad"] = grad_text(frame.grads[p])
        frames.append(
            {
                "caption": frame.caption,
                "box": f"a_{value_name(i)}_box",
                "op": "a_" + op_id(i),
                "changed": sorted({f"a_{value_name(p)}_grad" for p in frame.changed}),
                "edges": edges_of.get(i, []),
                "set": changes,
            }
        )
    return {
        "prefix": prefix,
        "help": HELP,
        "colours": {
            "active": ACTIVE_FILL,
            "activeOp": ACTIVE_OP_FILL,
            "changed": CHANGED_FILL,
            "edge": ACTIVE_EDGE,
        },
        "initial": initial,
        "frames": frames,
    }


def derivations(steps: BackwardSteps) -> dict[str, list[list]]:
    """What clicking a value shows: its derivation (``viz.explain``), one line per entry.

    Each entry is ``[text, step]``: ``step`` is the frame (from 0) whose op adds that term
    to the gradient, so the page can say which terms are still to come; -1 for the lines
    that are not a term. Keyed by the value's DOT name (``v3``). Uses beyond
    ``MAX_LISTED_USES`` are summed up in one line.

    >>> from autograd import Value
    >>> x = Value(2.0, label="x")
    >>> steps = __import__("viz").backward_steps(x * x)
    >>> [step for _, step in derivations(steps)["v0"]]   # header, 2 uses × 2 lines, total
    [-1, 0, 0, 0, 0, -1]
    """
    order, final = steps.order, list(steps[-1].grads)
    frame_of = {frame.active: k for k, frame in enumerate(steps)}
    edges = uses(order)
    found = {}
    for i in range(len(order)):
        d = derivation(order, final, i, edges=edges)
        lines: list[list] = [[d.header(), -1]]
        for n, (consumer, _) in enumerate(edges.get(d.node, [])[:MAX_LISTED_USES]):
            step = frame_of.get(consumer, -1)
            lines += [["  " + line, step] for line in d.term_lines(n)]
        if len(d.terms) > MAX_LISTED_USES:
            lines.append([f"  … and {len(d.terms) - MAX_LISTED_USES} more uses", -1])
        if d.terms:
            lines.append(["  " + d.footer(), -1])
        found[value_name(i)] = lines
    return found


def _upstream(steps: BackwardSteps, frame) -> object:
    # The visited node's gradient when visited: final by then (every consumer came before).
    return frame.grads[frame.active]


def inline_svg(svg: str, prefix: str) -> str:
    """SVG text ready to sit inside HTML: no XML prolog, comments or link wrappers; ids
    made unique on the page with ``prefix``."""
    start = svg.find("<svg")
    body = svg[start:] if start >= 0 else svg
    body = re.sub(r"<!--.*?-->", "", body, flags=re.DOTALL)
    # Graphviz writes a cell's ID only inside an <a> link (scene cells have HREF="#"):
    # keep the group and its id, drop the link so that clicking a cell goes nowhere.
    body = re.sub(r'<a xlink:href="#"[^>]*>|</a>', "", body)
    return re.sub(r'\bid="', f'id="{prefix}', body)
