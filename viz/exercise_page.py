"""An exercise as HTML: the picture with its ``?``, one input box per blank, checked in the page.

Like the step-through player (``viz.player``), the page holds the drawing once, as SVG in a
JSON payload that a script (``exercise.js``, next to this file) puts in the page with the
boxes and the Check button; nothing is fetched. Where scripts do not run (an untrusted
notebook, GitHub, nbviewer) a notebook output shows the same drawing as a still image with
one line saying how to check the answers (in code: ``ex.check``).

>>> from autograd import Value
>>> import viz
>>> ex = viz.exercise(Value(2.0, label="x") * Value(3.0, label="w"), ask="data")
>>> payload(ex, "p-")["blanks"][0]["name"]
'x·w'
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
from string import Template
from typing import Any, Protocol

from viz.images import GraphvizNotFoundError, pipe
from viz.player import inline_svg, resource, still_image


class AnExercise(Protocol):
    """What a page needs of a ``viz.exercise.Exercise`` (which imports this module)."""

    ask: str
    blanks: list[str]

    def scene(self, ids: bool = False) -> Any: ...

    def draw(self) -> Any: ...

    def solution(self) -> dict[str, float]: ...

    def cell_id(self, name: str) -> str: ...

    def hint(self, name: str) -> str: ...


REL_TOL = 0.01  # an answer within 1 % is right: hand arithmetic rounds
ABS_TOL = 1e-6  # near 0 (a gradient of exactly 0): rounding, not a wrong answer
RUN_TO_CHECK = (
    "Fill in each ? on the picture. Run this cell to type your answers into boxes and check "
    "them here (untrusted notebooks, GitHub and nbviewer do not run the page's script), or "
    "check them in code: ex.check({name: number})."
)

INTRO = (
    "Type a number for each blank (the ? on the picture) and press Check, or Enter. "
    f"An answer within {REL_TOL:.0%} of the true value is right; a wrong one gets a hint: "
    "how to compute it from what the picture shows."
)
HELP = {
    "grad": "Each ? is a gradient ∂root/∂value: start at the root (grad 1) and work back, "
    "edge by edge: upstream grad × the local derivative written where the edge enters its op.",
    "local": "Each ? is a local derivative ∂out/∂in of an op with respect to one input, from "
    "the values in the boxes.",
    "data": "Each ? is a forward value: compute each op from the values of its inputs.",
}


def page(ex: AnExercise, title: str) -> str:
    """A complete, self-contained HTML page (no network) with the exercise."""
    return Template(resource("player.html")).substitute(
        title=html.escape(title), player=fragment(ex, standalone=True)
    )


def notebook_fragment(ex: AnExercise) -> str:
    """What Jupyter shows: the exercise, or a message when Graphviz is missing."""
    try:
        return fragment(ex)
    except GraphvizNotFoundError as error:
        return f"<pre>{html.escape(str(error))}</pre>"


def fragment(ex: AnExercise, *, standalone: bool = False) -> str:
    """The exercise's HTML: a note, the picture, the payload, the script."""
    svg = pipe(ex.scene(ids=True).to_digraph(), "svg").decode("utf-8")
    prefix = "ex" + hashlib.sha1(svg.encode("utf-8")).hexdigest()[:8] + "-"
    data = {**payload(ex, prefix), "svg": inline_svg(svg, prefix)}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    page_attr = " data-page" if standalone else ""
    still = "" if standalone else still_image(pipe(ex.draw(), "svg").decode("utf-8"))
    blanks = ", ".join(ex.blanks)
    return (
        f"<style>{resource('exercise.css')}</style>\n"
        f'<div class="ag-exercise"{page_attr}>\n'
        f'<p class="ag-note"><b>{html.escape(RUN_TO_CHECK)}</b> '
        f"Blanks: {html.escape(blanks)}.</p>\n{still}"
        '<div class="ag-view"></div>\n<div class="ag-form"></div>\n'
        f'<script type="application/json" class="ag-data">{text}</script>\n'
        f"<script>{resource('exercise.js')}</script>\n</div>"
    )


def payload(ex: AnExercise, prefix: str) -> dict:
    """What the script needs: the blanks (name, the SVG id of their ?, hint), the answers
    (base64 JSON: not readable at a glance) and the tolerances."""
    answers = [_json_number(ex.solution()[name]) for name in ex.blanks]
    return {
        "prefix": prefix,
        "intro": INTRO,
        "help": HELP[ex.ask],
        "kind": ex.ask,
        "blanks": [
            {"name": name, "cell": ex.cell_id(name), "hint": ex.hint(name)} for name in ex.blanks
        ],
        "answers": base64.b64encode(json.dumps(answers).encode("ascii")).decode("ascii"),
        "relTol": REL_TOL,
        "absTol": ABS_TOL,
    }


def _json_number(x: float) -> float | str:
    return x if math.isfinite(x) else str(x)  # JSON has no nan or inf: "nan", "inf", "-inf"
