r"""A drawing as TikZ, for LaTeX slides and handouts: ``viz.to_tikz(root)``.

Graphviz lays the graph out (its ``-Tjson`` output gives every node's place and size, every
edge's spline and every cluster's box); this writes that layout as a TikZ picture: each
value a box with its label, data and grad, each op a small box, each edge its spline with
the number it carries back (the local derivative, or the contribution) written where it
enters its op, the neuron and layer clusters as rounded boxes, and the caption on top.
Every text is escaped for LaTeX, and the symbols the pictures use (∂, ×, ŷ, ‖, …) become
math; the result compiles with pdflatex and nothing but TikZ (Debian's texlive-pictures).

>>> from autograd import Value
>>> y = Value(2.0, label="x_1") * 3
>>> y.backward()
>>> tex = to_tikz(y)
>>> tex.startswith(r"\documentclass") and r"x\_1" in tex and r"\end{tikzpicture}" in tex
True
>>> latex_escape("∂L/∂w = 50% of {x} & ŷ")
'$\\partial$L/$\\partial$w = 50\\% of \\{x\\} \\& $\\hat{y}$'
"""

from __future__ import annotations

import html
import json

from autograd import Value
from viz.dot import draw_scene
from viz.images import pipe
from viz.scene import Scene

# The symbols the drawings use, as LaTeX that pdflatex typesets with its default fonts.
SYMBOLS = {
    "∂": r"$\partial$",
    "×": r"$\times$",
    "−": r"$-$",
    "—": "---",
    "–": "--",
    "…": r"\ldots{}",
    "·": r"$\cdot$",
    "ŷ": r"$\hat{y}$",
    "‖": r"$\|$",
    "Σ": r"$\Sigma$",
    "θ": r"$\theta$",
    "η": r"$\eta$",
    "λ": r"$\lambda$",
    "σ": r"$\sigma$",
    "²": r"$^2$",
    "³": r"$^3$",
    "≈": r"$\approx$",
    "≤": r"$\leq$",
    "≥": r"$\geq$",
    "→": r"$\to$",
    "⚠": r"(!)",
    "\u00a0": "~",
}
SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\^{}",
    "_": r"\_",
    "%": r"\%",
    "~": r"\textasciitilde{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}
POINTS_PER_INCH = 72
LINE_BREAK = r"\\"


def latex_escape(text: str) -> str:
    r"""``text`` as LaTeX that prints it literally: specials escaped, the drawings' symbols
    as math, any other character outside ASCII spelled as its code point ``[U+263A]`` (so
    pdflatex never stops on a character its fonts lack).

    >>> latex_escape(r"a\b ^ ~"), latex_escape("☺")
    ('a\\textbackslash{}b \\^{} \\textasciitilde{}', '[U+263A]')
    """
    out = []
    for ch in str(text):
        if ch in SPECIALS:
            out.append(SPECIALS[ch])
        elif ch in SYMBOLS:
            out.append(SYMBOLS[ch])
        elif ch == "\n":
            out.append(" ")
        elif not 32 <= ord(ch) <= 126:  # a control, or a character pdflatex may not have
            out.append(f"[U+{ord(ch):04X}]")
        else:
            out.append(ch)
    return "".join(out)


def to_tikz(root: Value, *, standalone: bool = True, **options) -> str:
    r"""The drawing of ``root`` (options as ``viz.draw``) as TikZ source.

    ``standalone=True`` gives a whole LaTeX document whose page is the picture (compile it
    with ``pdflatex``); ``False`` only the ``tikzpicture``, to paste into slides (it needs
    ``\usepackage{tikz}`` and ``\usetikzlibrary{arrows.meta}``). Needs a Graphviz program
    for the layout (the system's ``dot``, or graphviz-pure).
    """
    scene = draw_scene(root, **options)
    layout = json.loads(pipe(scene.to_digraph(), "json"))
    picture = tikz_picture(scene, layout)
    if not standalone:
        return picture
    width, height = _bounding_box(layout)[2:]
    return "\n".join(
        [
            r"\documentclass{article}",
            r"\usepackage{tikz}",
            r"\usetikzlibrary{arrows.meta}",
            # the page is the picture, with a margin (and a little room for TeX's own struts)
            rf"\usepackage[paperwidth={width + 12:.0f}pt,paperheight={height + 16:.0f}pt,"
            r"margin=6pt]{geometry}",
            r"\pagestyle{empty}",
            r"\setlength{\topskip}{0pt}",
            r"\begin{document}",
            r"\noindent",
            picture,
            r"\end{document}",
            "",
        ]
    )


def tikz_picture(scene: Scene, layout: dict) -> str:
    """The ``tikzpicture`` of ``scene`` placed as Graphviz's json ``layout`` says."""
    x0, y0, width, height = _bounding_box(layout)
    objects = layout.get("objects", [])
    by_gvid = {int(o["_gvid"]): o for o in objects}
    lines = [
        r"\begin{tikzpicture}[x=1pt, y=1pt, "
        r"every node/.style={font=\fontsize{10}{12.5}\selectfont\ttfamily}, "
        r"box/.style={draw, rectangle, inner sep=1pt, align=center}, "
        r"edge/.style={-{Stealth[length=5pt]}, line width=0.5pt}]",
        rf"\useasboundingbox ({x0:.1f},{y0:.1f}) rectangle ({x0 + width:.1f},{y0 + height:.1f});",
    ]
    names = scene.cluster_names()
    label_of = {name: scope for scope, name in names.items()}
    for o in objects:  # clusters first, outer before inner: each under what it holds
        if "bb" in o and o.get("name") in label_of:
            llx, lly, urx, ury = map(float, o["bb"].split(","))
            lines.append(
                rf"\draw[rounded corners=4pt, fill=black!4, draw=black!40] ({llx:.1f},{lly:.1f})"
                rf" rectangle ({urx:.1f},{ury:.1f});"
            )
            lines.append(
                rf"\node[anchor=north, font=\scriptsize\sffamily] at ({(llx + urx) / 2:.1f},"
                rf"{ury - 1:.1f}) {{{latex_escape(label_of[o['name']])}}};"
            )
    nodes = {node.name: node for node in scene.nodes}
    for o in objects:
        node = nodes.get(o.get("name", ""))
        if node is None or "pos" not in o:
            continue
        x, y = map(float, o["pos"].split(","))
        w, h = float(o["width"]) * POINTS_PER_INCH, float(o["height"]) * POINTS_PER_INCH
        lines += _node(node, x, y, w, h, layout.get("rankdir", "LR"))
    placed: dict[tuple[str, str, str], list[dict]] = {}
    for e in layout.get("edges", []):  # Graphviz lists edges in its own order: match by ends
        tail, head = (
            by_gvid[int(e["tail"])].get("name", ""),
            by_gvid[int(e["head"])].get("name", ""),
        )
        placed.setdefault((tail, head, e.get("headport", "")), []).append(e)
    for edge in scene.edges:
        head, _, port = edge.head.partition(":")
        candidates = placed.get((edge.tail, head, port), [])
        if candidates:
            lines += _edge(edge, candidates.pop(0))
    if scene.caption and "lp" in layout:
        x, y = map(float, layout["lp"].split(","))
        text = LINE_BREAK.join(latex_escape(line) for line in scene.caption)
        lines.append(rf"\node[align=center, font=\small\sffamily] at ({x:.1f},{y:.1f}) {{{text}}};")
    lines.append(r"\end{tikzpicture}")
    return "\n".join(lines)


def _bounding_box(layout: dict) -> tuple[float, float, float, float]:
    llx, lly, urx, ury = map(float, layout["bb"].split(","))
    return llx, lly, urx - llx, ury - lly


def _node(node, x: float, y: float, w: float, h: float, rankdir: str) -> list[str]:
    """A box of Graphviz's size at Graphviz's place, with its rows (a named value's or a
    collapsed neuron's name in bold). An op is drawn as Graphviz draws it: one cell per
    operand, holding the number its edge carries back, and the op beside them."""
    if node.kind == "op" and len(node.rows) > 1:
        return _op(node, x, y, w, h, rankdir)
    rows = list(node.rows) or [node.title or node.name]
    texts = [latex_escape(row) for row in rows]
    if node.kind == "summary" or (node.kind == "value" and len(rows) > 2):
        texts[0] = rf"\textsf{{\textbf{{{texts[0]}}}}}"
    style = "box"
    if node.kind == "op":
        style = "box, ellipse, fill=black!6"
    elif node.kind == "copy":
        style += ", dashed"
    body = LINE_BREAK.join(texts)
    return [
        rf"\node[{style}, minimum width={w:.1f}pt, minimum height={h:.1f}pt] ({node.name}) "
        rf"at ({x:.1f},{y:.1f}) {{{body}}};"
    ]


def _op(node, x: float, y: float, w: float, h: float, rankdir: str) -> list[str]:
    op, cells = latex_escape(node.rows[0]), [latex_escape(c) for c in node.rows[1:]]
    left, bottom, right, top = x - w / 2, y - h / 2, x + w / 2, y + h / 2
    lines = [rf"\coordinate ({node.name}) at ({x:.1f},{y:.1f});"]  # for a user's own marks
    cell_font = r"\fontsize{7}{8}\selectfont\ttfamily"
    if rankdir in ("LR", "RL"):  # cells stacked, the op beside them on the output's side
        op_width = min(w / 2, 10 + 8 * len(node.rows[0]))
        split = right - op_width if rankdir == "LR" else left + op_width
        cells_x = (left + split) / 2 if rankdir == "LR" else (split + right) / 2
        op_left, op_right = (split, right) if rankdir == "LR" else (left, split)
        lines.append(
            rf"\fill[black!6] ({op_left:.1f},{bottom:.1f}) rectangle ({op_right:.1f},{top:.1f});"
        )
        lines.append(rf"\draw ({split:.1f},{bottom:.1f}) -- ({split:.1f},{top:.1f});")
        lines.append(rf"\node at ({(op_left + op_right) / 2:.1f},{y:.1f}) {{\textbf{{{op}}}}};")
        row = h / len(cells)
        for k, cell in enumerate(cells):
            cy = top - (k + 0.5) * row
            if k:
                a, b = (left, split) if rankdir == "LR" else (split, right)
                lines.append(
                    rf"\draw ({a:.1f},{top - k * row:.1f}) -- ({b:.1f},{top - k * row:.1f});"
                )
            lines.append(rf"\node[font={cell_font}] at ({cells_x:.1f},{cy:.1f}) {{{cell}}};")
    else:  # cells side by side, the op below (TB) or above (BT)
        split = y
        op_top, op_bottom = (split, bottom) if rankdir == "TB" else (top, split)
        cells_y = (split + top) / 2 if rankdir == "TB" else (bottom + split) / 2
        lines.append(
            rf"\fill[black!6] ({left:.1f},{op_bottom:.1f}) rectangle ({right:.1f},{op_top:.1f});"
        )
        lines.append(rf"\draw ({left:.1f},{split:.1f}) -- ({right:.1f},{split:.1f});")
        lines.append(rf"\node at ({x:.1f},{(op_top + op_bottom) / 2:.1f}) {{\textbf{{{op}}}}};")
        column = w / len(cells)
        for k, cell in enumerate(cells):
            if k:
                lines.append(
                    rf"\draw ({left + k * column:.1f},{cells_y - h / 4:.1f}) -- "
                    rf"({left + k * column:.1f},{cells_y + h / 4:.1f});"
                )
            cx = left + (k + 0.5) * column
            lines.append(rf"\node[font={cell_font}] at ({cx:.1f},{cells_y:.1f}) {{{cell}}};")
    lines.append(rf"\draw ({left:.1f},{bottom:.1f}) rectangle ({right:.1f},{top:.1f});")
    return lines


def _edge(edge, placed: dict) -> list[str]:
    """An edge along Graphviz's spline (its number is in the op's cell where it ends); a
    bundled edge's label where Graphviz put it."""
    if edge.attrs.get("style") == "invis" or "pos" not in placed:
        return []
    points, tip = [], None
    for part in placed["pos"].split():
        if part.startswith("e,"):
            tip = part[2:]
        elif not part.startswith("s,"):
            points.append(part)
    if not points:
        return []
    path = f"({points[0]})"
    for k in range(1, len(points) - 2, 3):
        path += f" .. controls ({points[k]}) and ({points[k + 1]}) .. ({points[k + 2]})"
    style = ["edge"]
    if "dashed" in edge.attrs.get("style", ""):
        style.append("dashed")
    if "penwidth" in edge.attrs:
        style.append(f"line width={float(edge.attrs['penwidth']) * 0.5:.1f}pt")
    end = f" -- ({tip})" if tip else ""
    lines = [rf"\draw[{', '.join(style)}] {path}{end};"]
    if "label" in edge.attrs and "lp" in placed:
        label = html.unescape(edge.attrs["label"].strip("<>"))
        lines.append(
            rf"\node[font=\scriptsize\sffamily, fill=white, inner sep=1pt] at ({placed['lp']}) "
            rf"{{{latex_escape(label)}}};"
        )
    return lines
