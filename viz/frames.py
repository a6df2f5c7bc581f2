"""The backward pass onto slides: one image file per step, or an animated GIF.

``render_steps(root, "frames/")`` writes ``step_01.svg``, ``step_02.svg``, … (or png, pdf),
one per step of ``viz.backward_steps``: the visited node lit, the gradients it just added to
in green, every op's cells showing the local derivative until the op is visited and
upstream × local after, and the step's caption under the title. Every frame has the same
layout: each text is padded to its widest over all steps and the caption to one size, so
Graphviz places every box where it is in the other frames, and the slides do not jump.
``animate(root, "backward.gif")`` plays the same frames as a GIF.

>>> from autograd import Value
>>> x = Value(2.0, label="x")
>>> y = (x * x).tanh()
>>> steps = replay(y)
>>> scenes = frame_scenes(steps)
>>> len(scenes) == len(steps)
True
>>> "Step 1 of 2" in scenes[0].graph_attrs["label"]
True
"""

from __future__ import annotations

import copy
import io
import os
import re
import textwrap
from pathlib import Path

from autograd import Value
from autograd.files import require_directory
from viz.images import pipe, write_atomically
from viz.labels import escape_html, grad_text, op_label, value_label
from viz.scene import Scene
from viz.steps import (
    ACTIVE_EDGE,
    ACTIVE_FILL,
    ACTIVE_OP_FILL,
    CHANGED_FILL,
    Replay,
    cell_texts,
    replay,
)

FRAME_FORMATS = ("svg", "png", "pdf")
CAPTION_COLUMNS = 100  # a step's caption is wrapped to this many characters a line
SECONDS_PER_STEP = 1.5  # the GIF's pace; its last frame stays up longer
SECONDS_AT_THE_END = 4.0
DEFAULT_DPI = 96  # png and GIF resolution (Graphviz's default); 150 or more for slides


def frame_scenes(steps: Replay) -> list[Scene]:
    """One scene per step: the step-through's shared scene, restyled for that step.

    The step's state: every gradient after it (``Frame.grads``), the visited node in
    orange, the gradients it changed in green, its edges lit, and the ops visited so far
    showing their contributions.
    """
    order, rankdir = steps.order, steps.options.rankdir
    widths = _grad_widths(steps)
    visited_at: dict[int, int] = {frame.active: k for k, frame in enumerate(steps)}
    captions = _captions(steps)
    scenes = []
    for k, frame in enumerate(steps):
        scene = copy.deepcopy(steps.scene)
        changed = set(frame.changed)
        for node in scene.nodes:
            i = node.index
            if node.kind == "value":
                node.attrs["label"] = value_label(
                    order[i],
                    frame.grads[i],
                    fill=ACTIVE_FILL if i == frame.active else "white",
                    grad_fill=CHANGED_FILL if i in changed else "white",
                    grad_width=widths[i],
                )
            elif node.kind == "op":
                node.attrs.update(_op_attrs(steps, i, k, visited_at, rankdir))
        for edge in scene.edges:
            edge.attrs.pop("id", None)
            if edge.use is not None and edge.use[0] == frame.active:
                edge.attrs.update(color=ACTIVE_EDGE, penwidth="2.5")
        scene.graph_attrs.update(label=captions[k], labelloc="t", labeljust="l")
        scenes.append(scene)
    return scenes


def _grad_widths(steps: Replay) -> list[int]:
    # the widest grad text a value box shows in any frame, so every frame has one layout
    return [max(len(grad_text(frame.grads[i])) for frame in steps) for i in range(len(steps.order))]


def _op_attrs(steps: Replay, i: int, k: int, visited_at: dict, rankdir: str) -> dict:
    node: Value = steps.order[i]
    visit = visited_at.get(i)
    upstream = steps[visit].grads[i] if visit is not None else None
    texts = [cell_texts(node, n, upstream) for n in range(len(node.parents))]
    width = max((len(t) for pair in texts for t in pair), default=0)
    shown = [after if visit is not None and visit <= k else before for before, after in texts]
    fill = ACTIVE_OP_FILL if visit == k else "#f2f2f2"
    return op_label(node.op, shown, rankdir=rankdir, fill=fill, cell_width=width)


def _captions(steps: Replay) -> list[str]:
    """Each step's caption wrapped, every line padded to one width and every caption to
    one number of lines (in a fixed-width font): the same size in every frame."""
    wrapped = [textwrap.wrap(frame.caption, CAPTION_COLUMNS) or [""] for frame in steps]
    columns = max(len(line) for lines in wrapped for line in lines)
    rows = max(len(lines) for lines in wrapped)
    labels = []
    for lines in wrapped:
        padded = [line.ljust(columns, "\u00a0") for line in lines]
        padded += ["\u00a0" * columns] * (rows - len(lines))
        text = "".join(f'{escape_html(line)}<BR ALIGN="LEFT"/>' for line in padded)
        labels.append(f'<<FONT FACE="Courier" POINT-SIZE="12">{text}</FONT>>')
    return labels


def render_steps(
    root: Value,
    directory: str | os.PathLike,
    format: str = "svg",
    *,
    dpi: float = DEFAULT_DPI,
    **options,
) -> list[Path]:
    """Write the backward pass of ``root`` as numbered image files, one per step, into
    ``directory`` (made if missing; its parent must exist), and return their paths.

    ``format`` is "svg", "png" (``dpi``: its resolution) or "pdf" (needs the Graphviz
    ``dot`` program). ``options`` are those of ``viz.backward_steps`` (``rankdir``,
    ``max_nodes``, ``fused_layers``). Files are ``step_01.svg``, ``step_02.svg``, …, each
    written atomically; frames of an earlier run left over in the directory (a
    ``step_NN`` file of this format past the new last step) are removed, so the folder
    holds this backward pass only.

    >>> import tempfile
    >>> from autograd import Value
    >>> y = Value(2.0, label="x") * Value(3.0, label="w")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     [p.name for p in render_steps(y, tmp)]
    ['step_1.svg']
    """
    if format not in FRAME_FORMATS:
        raise ValueError(f"format must be one of {', '.join(FRAME_FORMATS)}, got {format!r}")
    folder = Path(directory)
    require_directory(folder)  # its parent must exist: a clear error before any work
    steps = replay(root, **options)
    scenes = frame_scenes(steps)
    folder.mkdir(exist_ok=True)
    digits = len(str(len(scenes)))
    paths = [folder / f"step_{k + 1:0{digits}d}.{format}" for k in range(len(scenes))]
    extra = [f"-Gdpi={dpi:g}"] if format == "png" else []
    for scene, path in zip(scenes, paths, strict=True):
        write_atomically(path, pipe(scene.to_digraph(), format, extra_args=extra))
    kept = {p.name for p in paths}
    for old in folder.glob(f"step_*.{format}"):
        if re.fullmatch(rf"step_\d+\.{format}", old.name) and old.name not in kept:
            old.unlink()
    return paths


def animate(
    root: Value,
    path: str | os.PathLike,
    *,
    seconds_per_step: float = SECONDS_PER_STEP,
    dpi: float = DEFAULT_DPI,
    **options,
) -> Path:
    """Write the backward pass of ``root`` as an animated GIF at ``path`` (atomically), one
    frame a step, looping; the last frame stays up longer. ``options`` are those of
    ``viz.backward_steps``. Needs Pillow (a dependency of this package).

    >>> import tempfile, os
    >>> from autograd import Value
    >>> y = (Value(2.0, label="x") * Value(3.0, label="w")).tanh()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     animate(y, os.path.join(tmp, "backward.gif")).read_bytes()[:6]
    b'GIF89a'
    """
    from PIL import Image  # only the GIF needs it

    path = Path(path)
    if path.suffix.lower() != ".gif":
        raise ValueError(f"animate writes a GIF: use a path ending in .gif, not {str(path)!r}")
    if seconds_per_step <= 0:
        raise ValueError(f"seconds_per_step must be positive, got {seconds_per_step!r}")
    require_directory(path)
    scenes = frame_scenes(replay(root, **options))
    pngs = [pipe(s.to_digraph(), "png", extra_args=[f"-Gdpi={dpi:g}"]) for s in scenes]
    images = [Image.open(io.BytesIO(png)).convert("RGB") for png in pngs]
    width, height = max(i.width for i in images), max(i.height for i in images)
    frames = []
    for image in images:  # the same canvas for every frame (they differ by a pixel at most)
        canvas = Image.new("RGB", (width, height), "white")
        canvas.paste(image, (0, 0))
        frames.append(canvas.convert("P", palette=Image.Palette.ADAPTIVE, colors=255))
    step_ms = round(seconds_per_step * 1000)
    durations = [step_ms] * (len(frames) - 1) + [max(step_ms, round(SECONDS_AT_THE_END * 1000))]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=durations, loop=0)
    write_atomically(path, out.getvalue())
    return path
