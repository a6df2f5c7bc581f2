"""Colour by gradient: blue for a positive gradient, red for a negative one, paler when smaller.

>>> grad_colour(1.0, scale=1.0), grad_colour(None, scale=1.0)
('#588cc1', '#e0e0e0')
"""

from __future__ import annotations

import math

from viz.labels import first, format_number

POSITIVE_RGB = (33, 102, 172)  # raising the value raises the output
NEGATIVE_RGB = (178, 24, 43)  # raising the value lowers the output
NOT_COMPUTED_COLOUR = "#e0e0e0"  # never reached by backward()
NON_FINITE_COLOUR = "#ffe34d"
MAX_TINT = 0.75  # the strongest tint stays pale enough for black text to be read on it


def grad_scale(grads: list) -> float:
    """The largest finite |grad| shown: the full-strength colour."""
    sizes = [abs(float(first(g))) for g in grads if g is not None]
    return max((s for s in sizes if math.isfinite(s)), default=0.0)


def grad_colour(grad, scale: float) -> str:
    """The fill of a value box whose gradient is ``grad`` (``scale``: the full colour)."""
    if grad is None:
        return NOT_COMPUTED_COLOUR
    g = float(first(grad))
    if not math.isfinite(g):
        return NON_FINITE_COLOUR
    strength = abs(g) / scale if scale > 0 else 0.0
    return tint(POSITIVE_RGB if g > 0 else NEGATIVE_RGB, strength)


def tint(rgb: tuple[int, int, int], strength: float) -> str:
    """White mixed with ``rgb``: 0 is white, 1 is the strongest tint."""
    mix = MAX_TINT * strength
    r, g, b = (round(255 + (c - 255) * mix) for c in rgb)
    return f"#{r:02x}{g:02x}{b:02x}"


def legend_label(scale: float, grads: list) -> str:
    """A small table that explains the colours (an HTML-like label)."""
    rows = [
        (tint(POSITIVE_RGB, 1.0), "grad &gt; 0: raising the value raises the output"),
        (tint(NEGATIVE_RGB, 1.0), "grad &lt; 0: raising the value lowers the output"),
        ("white", f"paler: smaller |grad| (full colour: |grad| = {format_number(scale)})"),
    ]
    if any(g is None for g in grads):
        rows.append((NOT_COMPUTED_COLOUR, "not computed (backward() never reached it)"))
    if any(g is not None and not math.isfinite(float(first(g))) for g in grads):
        rows.append((NON_FINITE_COLOUR, "grad is nan or inf"))
    cells = "".join(
        f'<TR><TD BGCOLOR="{colour}" WIDTH="18"></TD><TD ALIGN="LEFT">{text}</TD></TR>'
        for colour, text in rows
    )
    return (
        '<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3">'
        f'<TR><TD COLSPAN="2"><B>gradient colour</B></TD></TR>{cells}</TABLE>>'
    )
