"""Text on the picture: numbers, escaping, and the HTML-like labels of value and op nodes.

Everything here returns strings; nothing draws. A value is a box with its label, ``data`` and
``grad``; an operation is a small table with the op in the middle and one cell per operand,
where that operand's edge ends and where its local derivative (or contribution) is written,
so every number sits on the edge it belongs to.

>>> format_number(0.70710678), escape_html("a<b")
('0.7071', 'a&lt;b')
"""

from __future__ import annotations

import html
import unicodedata

import numpy as np

from autograd import Value
from autograd.engine import LinearMap, contribution

MAX_LABEL_CHARS = 60  # longer labels are cut with an ellipsis: Graphviz fails on huge ones
PORT_COMPASS = {"LR": "w", "RL": "e", "TB": "n", "BT": "s"}  # the side edges enter an op


def format_number(x: float) -> str:
    """A number in at most 4 significant digits (``-0`` shown as ``0``).

    >>> format_number(0.70710678), format_number(-3.0), format_number(12345678.0)
    ('0.7071', '-3', '1.235e+07')
    """
    x = float(x)
    return "0" if x == 0.0 else f"{x:.4g}"


def format_data(x: float | np.ndarray) -> str:
    """A float as ``format_number``; a batch by its first sample: ``0.31 [0]``.

    >>> import numpy as np
    >>> format_data(0.5), format_data(np.array([0.31, 2.0]))
    ('0.5', '0.31 [0]')
    """
    if isinstance(x, np.ndarray):
        return f"{format_number(x.flat[0])} {_first_index(x)}"
    if isinstance(x, LinearMap):  # a fused layer's edge (autograd/fused.py)
        return "block of J"  # a block of the layer's Jacobian, given only as a product
    return format_number(x)


def shorten(text: str, limit: int = MAX_LABEL_CHARS) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis, so any label can be laid out.

    >>> shorten("x" * 100, 10)
    'xxxxxxxxx…'
    """
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape_html(text: str) -> str:
    r"""Text for a Graphviz HTML-like label, shown literally whatever it contains.

    ``& < > " '`` become entities (so no tag or attribute can be injected); a backslash is
    doubled, because Graphviz expands ``\N`` (node name), ``\G`` (graph name)... even in
    HTML-like labels; a newline becomes a line break; control characters, lone surrogates
    and the non-characters U+FFFE/U+FFFF (which XML forbids) are spelled out as ``\x07``-style
    escapes.

    >>> escape_html('a<b> | {c} "d" \\N')
    'a&lt;b&gt; | {c} &quot;d&quot; \\\\N'
    >>> escape_html("two\nlines"), escape_html("\ufffe")
    ('two<BR/>lines', '\\\\ufffe')
    """
    lines = str(text).split("\n")
    return "<BR/>".join(
        html.escape(_spell_out_controls(line)).replace("\\", "\\\\") for line in lines
    )


def _spell_out_controls(text: str) -> str:
    return "".join(
        ch.encode("unicode_escape").decode("ascii") if _not_drawable(ch) else ch for ch in text
    )


def _not_drawable(ch: str) -> bool:
    # Cc: controls, Cs: lone surrogates; U+FFFE/U+FFFF and U+FDD0..U+FDEF are non-characters
    # that Graphviz's XML parser rejects ("not well-formed").
    code = ord(ch)
    return (
        unicodedata.category(ch) in ("Cc", "Cs")
        or (code & 0xFFFE) == 0xFFFE
        or 0xFDD0 <= code <= 0xFDEF
    )


def describe(node: Value) -> str:
    """How captions name a node: its label, else its op, else its value.

    >>> from autograd import Value
    >>> describe(Value(2.0, label="x")), describe(Value(2.0) * Value(3.0)), describe(Value(2.0))
    ('x', 'the * node', 'the leaf 2')
    """
    if node.label:
        return shorten(node.label)
    if node.op:
        return f"the {shorten(node.op)} node"
    return f"the leaf {format_data(node.data)}"


def grad_text(grad) -> str:
    """The grad row of a value box: ``grad 0.5``, ``grad[0] 0.1`` for a batch, ``grad —``.

    >>> grad_text(0.5), grad_text(None)
    ('grad 0.5', 'grad —')
    """
    if grad is None:
        return "grad —"
    return f"{_row_name('grad', grad)} {format_number(first(grad))}"


def first(x):
    """The first sample of a batch (of a fused layer's matrix: its first number), or the
    number itself."""
    return x.flat[0] if isinstance(x, np.ndarray) else x


def _first_index(x: np.ndarray) -> str:
    return "[0]" if x.ndim == 1 else "[0,0]"  # a fused layer's data: samples × neurons


def _row_name(name: str, x) -> str:
    return f"{name}{_first_index(x)}" if isinstance(x, np.ndarray) else name


def sample_text(name: str, x) -> str:
    """A row that shows a number: ``data 0.5``, or for a batch its first sample and size,
    ``data[0] 0.31 (B=64)`` (a fused layer's matrix: ``(B=64×16)``).

    >>> import numpy as np
    >>> sample_text("data", 0.5), sample_text("out", np.array([0.31, 2.0]))
    ('data 0.5', 'out[0] 0.31 (B=2)')
    """
    shape = "×".join(map(str, np.shape(x)))
    batch = f" (B={shape})" if isinstance(x, np.ndarray) else ""
    return f"{_row_name(name, x)} {format_number(first(x))}{batch}"


def mono(text: str, size: int = 12) -> str:
    """Escaped text in a fixed-width font: numbers line up, and padded rows keep their width."""
    return f'<FONT FACE="Courier" POINT-SIZE="{size}">{escape_html(text)}</FONT>'


def value_label(
    node: Value,
    grad,
    *,
    show_grads: bool = True,
    fill: str = "white",
    grad_fill: str = "white",
    grad_width: int = 0,
    data_width: int = 0,
    ids: str = "",
    note: str = "",
    title: str | None = None,
    hide: str = "",
    hidden_as: str = "?",
) -> str:
    """The HTML-like label of a value box: label (bold), data, grad, one row each.

    ``grad_width`` and ``data_width`` pad those rows to that many characters, so the box
    keeps one size across frames. ``ids`` (a DOT name) gives the box and its data and grad
    cells ids ``<ids>_box`` / ``<ids>_data`` / ``<ids>_grad`` in SVG output. ``note`` adds
    a row in italics. ``title`` replaces the label in the bold row; ``hide="data"`` or
    ``"grad"`` writes that row's number as ``hidden_as`` (an exercise: ``viz.exercise``).

    >>> from autograd import Value
    >>> "<B>x</B>" in value_label(Value(1.0, label="x"), None)
    True
    >>> "grad ?" in value_label(Value(1.0, label="x"), 0.25, hide="grad")
    True
    """
    rows = []
    title = node.label if title is None else title
    if title:
        rows.append(f"<TD><B>{escape_html(shorten(title))}</B></TD>")
    data = f"data {hidden_as}" if hide == "data" else sample_text("data", node.data)
    text = mono(data.ljust(data_width, "\u00a0"))
    rows.append(f'<TD ALIGN="LEFT"{_id(ids, "data")}>{text}</TD>')
    if show_grads:
        shown = f"grad {hidden_as}" if hide == "grad" else grad_text(grad)
        text = mono(shown.ljust(grad_width, "\u00a0"))
        rows.append(f'<TD ALIGN="LEFT" BGCOLOR="{grad_fill}"{_id(ids, "grad")}>{text}</TD>')
    if note:
        rows.append(f'<TD ALIGN="LEFT"><I>{escape_html(note)}</I></TD>')
    cells = "".join(f"<TR>{row}</TR>" for row in rows)
    return (
        f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" BGCOLOR="{fill}"'
        f"{_id(ids, 'box')}>{cells}</TABLE>>"
    )


def _id(ids: str, part: str) -> str:
    # Graphviz writes an HTML cell's ID into SVG only when the cell has an HREF; the
    # step-through strips the resulting <a> wrapper again (viz.player).
    return f' ID="{ids}_{part}" HREF="#"' if ids else ""


def op_label(
    op: str,
    cells: list[str] | None,
    *,
    rankdir: str = "LR",
    fill: str = "#f2f2f2",
    ids: str = "",
    cell_width: int = 0,
) -> dict[str, str]:
    """Attributes of an operation node: its op, and one cell per operand (port ``i<k>``).

    Without ``cells`` it is a plain ellipse. With them it is a table: operand k's edge ends
    at cell ``i<k>`` (on the side edges come from), and the cell holds that edge's text.

    >>> op_label("tanh", None)["label"]
    '<tanh>'
    >>> 'PORT="i1"' in op_label("*", ["-3", "2"])["label"]
    True
    """
    name = escape_html(shorten(op))
    if cells is None:
        return {
            "shape": "ellipse",
            "label": f"<{name}>",
            "style": "filled",
            "fillcolor": fill,
            "fontname": "Helvetica",
            "fontsize": "12",
        }
    ports = [
        f'<TD PORT="i{k}" ALIGN="LEFT"{_id(ids, f"c{k}")}>{mono(_pad(text, cell_width), 10)}</TD>'
        for k, text in enumerate(cells)
    ]
    n = len(ports)
    if rankdir in ("LR", "RL"):  # operands stacked, op beside them on the output's side
        op_cell = f'<TD ROWSPAN="{n}" BGCOLOR="{fill}"{_id(ids, "op")}><B>{name}</B></TD>'
        rows = [
            (ports[k] + op_cell if rankdir == "LR" else op_cell + ports[k]) if k == 0 else ports[k]
            for k in range(n)
        ]
    else:  # operands side by side, op below (TB) or above (BT)
        op_row = f'<TD COLSPAN="{n}" BGCOLOR="{fill}"{_id(ids, "op")}><B>{name}</B></TD>'
        rows = ["".join(ports), op_row] if rankdir == "TB" else [op_row, "".join(ports)]
    body = "".join(f"<TR>{row}</TR>" for row in rows)
    return {
        "shape": "plain",
        "label": (
            '<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="2" '
            f'BGCOLOR="white">{body}</TABLE>>'
        ),
    }


def _pad(text: str, width: int) -> str:
    return text.ljust(width, "\u00a0")  # no-break spaces: Graphviz keeps them


def edge_text(mode: str, local, upstream, parent_data) -> str:
    """The text for one edge: the local derivative, or upstream × local = contribution.

    A batch shows its first sample; a contribution flowing from a batch into a plain float
    (a weight) is the sum over the batch, as backward() adds it.

    >>> edge_text("local", -3.0, 0.5, 2.0), edge_text("contribution", -3.0, 0.5, 2.0)
    ('-3', '0.5 × -3 = -1.5')
    """
    if mode == "local":
        return format_data(local)
    if upstream is None:
        return f"— × {format_data(local)}"
    with np.errstate(all="ignore"):
        share = contribution(local, upstream, parent_data)  # the number backward() adds
    if isinstance(upstream, np.ndarray) and not isinstance(parent_data, np.ndarray):
        return f"Σ over batch = {format_number(share)}"
    return f"{format_data(upstream)} × {format_data(local)} = {format_data(share)}"
