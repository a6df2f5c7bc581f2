"""Scrubbing through training: ``TrainingReplay(model, x, y, loss=mse)``, one snapshot a step.

After each optimizer step the training loop calls ``replay.record(loss=batch_loss)``: the
replay runs the model on one sample ``x`` with target ``y``, keeps every value and gradient
of that small graph, and the batch loss. ``replay.save_html("training.html")`` writes a page
with a slider over the recorded steps: the sample's graph at that step, and the loss curve
with the step marked. A learner drags it and watches the weights and their gradients move.

>>> from autograd.nn import MLP
>>> from autograd.losses import mse
>>> model = MLP(2, [3, 1], activation="tanh", seed=0)
>>> replay = TrainingReplay(model, [0.5, -1.0], 1.0, loss=mse)
>>> for step in range(3):
...     replay.record(loss=0.5 - 0.1 * step)      # a training loop would pass its batch loss
>>> replay.steps, round(replay.losses[-1], 2)
([1, 2, 3], 0.3)

Recording never touches the model: its parameters and their ``.grad`` are the same with
and without it (the sample's gradients come from ``autograd.grad``, which leaves every
``.grad`` as it was). When there are many steps they are sampled: at most ``max_steps``
are kept, evenly spaced, and always the latest, so the page stays small.
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import autograd
from autograd import Value, topological_order
from autograd.losses import mse
from autograd.nn import Module
from viz.build import build_scene
from viz.labels import edge_text, format_number, grad_text, op_label, value_label
from viz.options import DrawOptions
from viz.player import inline_svg, page_around, player_html, svg_prefix
from viz.scene import Scene, value_name

DEFAULT_MAX_STEPS = 200  # snapshots kept: 200 frames of a 2-3-1 network are ~0.5 MB of page
MAX_CURVE_POINTS = 500  # the loss curve is drawn through at most this many points
CURVE_WIDTH, CURVE_HEIGHT = 640, 150  # px, the loss curve's drawing
RUN_TO_PLAY = (
    "This is the sample's graph at the last recorded step. Run this cell to scrub through "
    "training with a slider (untrusted notebooks, GitHub and nbviewer do not run scripts)."
)
HELP = (
    "Drag the slider, or click the player and press ← →, Home/End, to move through training. "
    "+ − zoom, 0 whole graph; drag to pan."
)
LEGEND = (
    "Above: the loss at every step, the red dot at this one. Below: the graph of one sample "
    "at this step, every value with its gradient ∂L/∂value for this sample, and on each "
    "edge its local derivative ∂out/∂in."
)


@dataclass
class Snapshot:
    """One recorded step: the sample graph's numbers, in ``topological_order``."""

    step: int  # 1 for the first record
    batch_loss: float | None
    data: list[float]
    grads: list[float]
    locals: list[list[float]]  # per node, one per operand


class TrainingReplay:
    """Snapshots of one sample's graph through training (see the module docstring).

    ``steps`` lists the recorded steps kept (1 for the first ``record()``), ``losses`` the
    batch loss of every step recorded (or the sample's loss when none was given).
    """

    def __init__(
        self,
        model: Module,
        x: Sequence[float],
        y: object,
        loss: Callable[[object, object], Value] = mse,
        max_steps: int = DEFAULT_MAX_STEPS,
    ) -> None:
        if not isinstance(model, Module):
            raise TypeError(
                f"TrainingReplay needs an autograd.nn Module, not {type(model).__name__}"
            )
        if isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 2:
            raise ValueError(f"max_steps must be an int of at least 2, got {max_steps!r}")
        self.model, self.loss, self.max_steps = model, loss, max_steps
        self.x = _one_sample(x, getattr(model, "nin", None))
        self.y = y
        self.losses: list[float] = []
        self._kept: list[Snapshot] = []
        self._latest: Snapshot | None = None
        self._stride = 1  # keep every stride-th step; doubled whenever the snapshots overflow
        self._shape: tuple | None = None
        self._order: list[Value] = []
        self._graph(check=False)  # a bad x, y or loss is an error now, not after training

    @property
    def steps(self) -> list[int]:
        """The recorded steps that are kept (the latest always among them)."""
        return [s.step for s in self._snapshots()]

    def record(self, loss: Value | float | None = None) -> None:
        """Keep this step: the sample's graph at the model's current parameters, and
        ``loss`` (the training batch's loss: a Value or a number) for the curve.

        It runs the model on the sample, so the model's forward hooks see that run: call
        ``GradientFlow.record()`` before this, as a loop does after ``backward()``.
        """
        step = len(self.losses) + 1
        batch_loss = None if loss is None else _number(loss)
        snapshot = self._snapshot(step, batch_loss)
        self.losses.append(snapshot.data[-1] if batch_loss is None else batch_loss)
        self._latest = snapshot
        if (step - 1) % self._stride == 0:
            self._kept.append(snapshot)
            if len(self._kept) > self.max_steps - 1:  # room for the latest, kept apart
                self._kept = self._kept[::2]
                self._stride *= 2

    # ------------------------------------------------------------------ the page

    def to_html(self, title: str = "Training, step by step") -> str:
        """A complete, self-contained HTML page (no network) with the slider."""
        return page_around(self.player(standalone=True), title)

    def save_html(self, path: str | os.PathLike) -> Path:
        """Write ``to_html()`` to ``path`` (atomically) and return the path."""
        from viz.images import write_atomically
        from viz.steps import html_path

        path = html_path(path)
        write_atomically(path, self.to_html().encode("utf-8"))
        return path

    def _repr_html_(self) -> str:
        from viz.images import GraphvizNotFoundError

        try:
            return self.player()
        except GraphvizNotFoundError as error:
            return f"<pre>{error}</pre>"

    def player(self, *, standalone: bool = False) -> str:
        """The player's HTML (the step-through's machinery, with a loss curve)."""
        snapshots = self._snapshots()
        if not snapshots:
            raise ValueError("nothing to replay: call record() after each optimizer step")
        from viz.images import pipe

        svg = pipe(self.scene(snapshots).to_digraph(), "svg").decode("utf-8")
        prefix = svg_prefix(svg)
        data = {
            **self.frame_data(snapshots, prefix),
            "svg": inline_svg(svg, prefix),
            "legend": LEGEND,
            "wholeFirst": True,  # the whole network at first, however small: zoom in from there
            **loss_curve(self.losses, [s.step for s in snapshots], prefix, self._curve_label()),
        }
        return player_html(svg, data, standalone=standalone, note=RUN_TO_PLAY)

    def _curve_label(self) -> str:
        given = any(s.batch_loss is not None for s in self._snapshots())
        return "the training batch's loss" if given else "this sample's loss"

    def scene(self, snapshots: list[Snapshot]) -> Scene:
        """The one drawing every frame restyles: the latest graph, its texts padded to the
        widest any frame writes, every box and cell with an id."""
        order, latest = self._order, snapshots[-1]
        options = DrawOptions(collapse_neurons=False, max_nodes=max(len(order), 1))
        scene = build_scene(order, latest.grads, options)
        scene.graph_attrs.pop("label", None)  # the page explains the numbers
        scene.graph_attrs.pop("labelloc", None)
        texts = [self._texts(s) for s in snapshots]
        width = {key: max(len(t[key]) for t in texts) for key in texts[0]}
        for node in scene.nodes:
            i = node.index
            if i is None:
                continue
            name, value = value_name(i), order[i]
            if node.kind == "value":
                node.attrs["label"] = value_label(
                    value,
                    latest.grads[i],
                    ids=name,
                    data_width=width[f"a_{name}_data"],
                    grad_width=width[f"a_{name}_grad"],
                )
            elif node.kind == "op":
                cells = [texts[-1][f"a_{name}_c{k}"] for k in range(len(value.parents))]
                cell_width = max(width[f"a_{name}_c{k}"] for k in range(len(value.parents)))
                node.attrs.update(op_label(value.op, cells, ids=name, cell_width=cell_width))
        return scene

    def frame_data(self, snapshots: list[Snapshot], prefix: str) -> dict:
        """The frames for the player: each sets only the texts that differ from the frame
        before (the player applies them in order), so the page grows with what changes."""
        total = len(self.losses)
        frames, before = [], self._texts(snapshots[0])
        for n, snapshot in enumerate(snapshots):
            texts = self._texts(snapshot)
            changed = {k: v for k, v in texts.items() if n == 0 or before[k] != v}
            before = texts
            loss = snapshot.batch_loss
            said = "" if loss is None else f"batch loss {format_number(loss)}; "
            frames.append(
                {
                    "caption": (
                        f"Step {snapshot.step} of {total}: {said}this sample's loss "
                        f"{format_number(snapshot.data[-1])}"
                    ),
                    "box": "",
                    "op": "",
                    "changed": [],
                    "edges": [],
                    "set": changed,
                }
            )
        return {
            "prefix": prefix,
            "help": HELP,
            "colours": {"active": "", "activeOp": "", "changed": "", "edge": ""},
            "initial": {},
            "frames": frames,
        }

    # ------------------------------------------------------------------ snapshots

    def _snapshots(self) -> list[Snapshot]:
        kept = list(self._kept)
        if self._latest is not None and (not kept or kept[-1] is not self._latest):
            kept.append(self._latest)
        return kept

    def _graph(self, check: bool = True) -> list[Value]:
        """The sample's graph at the current parameters, in topological order (loss last)."""
        inputs = [Value(v, label=f"x{i}") for i, v in enumerate(self.x)]
        prediction = self.model(inputs)
        outputs = prediction if isinstance(prediction, list) else [prediction]
        for k, out in enumerate(outputs):
            out.label = "ŷ" if len(outputs) == 1 else f"ŷ{k}"
        root = self.loss(prediction, self.y)
        if not isinstance(root, Value) or root.batch_size is not None:
            raise TypeError("loss(prediction, y) must return one number as a Value, e.g. mse")
        root.label = "L"
        order = topological_order(root)
        shape = tuple((n.op, n.label, len(n.parents)) for n in order)
        if check and shape != self._shape:
            raise RuntimeError(
                "the sample's graph changed shape between two records (a different model "
                "or loss?): a replay follows one graph through training"
            )
        self._shape, self._order = shape, order
        return order

    def _snapshot(self, step: int, batch_loss: float | None) -> Snapshot:
        order = self._graph()
        grads = autograd.grad(order[-1], order)  # every ∂L/∂node; .grad left as it was
        return Snapshot(
            step,
            batch_loss,
            [float(n.data) for n in order],
            [float(g) for g in grads],
            [[float(local) for local in n.local_grads] for n in order],
        )

    def _texts(self, s: Snapshot) -> dict[str, str]:
        """Every text a frame shows: each value's data and grad, each edge's local."""
        texts = {}
        for i in range(len(self._order)):
            name = value_name(i)
            texts[f"a_{name}_data"] = f"data {format_number(s.data[i])}"
            texts[f"a_{name}_grad"] = grad_text(s.grads[i])
            for k, local in enumerate(s.locals[i]):
                texts[f"a_{name}_c{k}"] = edge_text("local", local, None, None)
        return texts

    def __repr__(self) -> str:
        return f"<TrainingReplay: {len(self.losses)} steps recorded, {len(self.steps)} kept>"


def loss_curve(losses: list[float], steps: list[int], prefix: str, label: str = "loss") -> dict:
    """The loss curve as SVG markup (numbers and fixed text only), and where the marker
    stands at each frame: ``{"curve": svg, "marks": [[x, y], ...]}``.

    >>> curve = loss_curve([1.0, 0.5, 0.25], [1, 3], "p-")
    >>> curve["marks"][0][0] < curve["marks"][1][0], 'id="p-marker"' in curve["curve"]
    (True, True)
    """
    w, h, left, bottom, top = CURVE_WIDTH, CURVE_HEIGHT, 60, 26, 10
    finite = [v for v in losses if math.isfinite(v)]
    low, high = (min(finite), max(finite)) if finite else (0.0, 1.0)
    if high == low:
        low, high = low - 0.5, high + 0.5
    n = len(losses)

    def x(step: int) -> float:
        return left + (w - left - 10) * ((step - 1) / max(n - 1, 1))

    def y(value: float) -> float:
        value = min(max(value, low), high) if math.isfinite(value) else high
        return top + (h - top - bottom) * (high - value) / (high - low)

    picks = np.unique(np.linspace(1, n, min(n, MAX_CURVE_POINTS)).round().astype(int))
    points = " ".join(f"{x(s):.1f},{y(losses[s - 1]):.1f}" for s in picks.tolist())
    marks = [[round(x(s), 1), round(y(losses[s - 1]), 1)] for s in steps]
    first = marks[-1] if marks else [left, top]
    axis = f"M{left},{top} V{h - bottom} H{w - 10}"
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="11">'
        f'<path d="{axis}" fill="none" stroke="#888"/>'
        f'<polyline points="{points}" fill="none" stroke="#1f77b4" stroke-width="1.5"/>'
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{format_number(high)}</text>'
        f'<text x="{left - 4}" y="{h - bottom}" text-anchor="end">{format_number(low)}</text>'
        f'<text x="{left}" y="{h - 8}">step 1</text>'
        f'<text x="{w - 10}" y="{h - 8}" text-anchor="end">step {n}</text>'
        f'<text x="{(left + w) / 2}" y="{h - 8}" text-anchor="middle">{html.escape(label)}</text>'
        f'<line id="{prefix}cursor" x1="{first[0]}" x2="{first[0]}" y1="{top}" '
        f'y2="{h - bottom}" stroke="#d62728" stroke-dasharray="3,3"/>'
        f'<circle id="{prefix}marker" cx="{first[0]}" cy="{first[1]}" r="4" fill="#d62728"/>'
        "</svg>"
    )
    return {"curve": svg, "marks": marks}


def _one_sample(x: object, nin: int | None) -> list[float]:
    if isinstance(x, np.ndarray):
        x = x.tolist()
    if not isinstance(x, Sequence) or isinstance(x, str | bytes):
        raise TypeError(f"x must be one sample: a sequence of numbers, not {type(x).__name__}")
    if nin is not None and len(x) != nin:
        raise ValueError(f"x must hold the model's {nin} inputs, got {len(x)}")
    return [_number(v) for v in x]


def _number(v: object) -> float:
    if isinstance(v, Value):
        v = v.data
    if isinstance(v, bool) or not isinstance(v, int | float | np.number):
        raise TypeError(f"expected a number, got {type(v).__name__} {v!r}")
    return float(v)
