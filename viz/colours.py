"""Colour by gradient: blue for a positive gradient, red for a negative one, paler when smaller.

The colour goes where the gradient is written (a value's grad row, a collapsed neuron's
grad row), so it is read as the gradient's and nothing else's. Its strength grows with the
square root of |grad| / the largest |grad|: a gradient a tenth of the largest still shows
clearly (a third of the full tint), where a linear scale left it almost white.

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
NORM_RGB = (90, 90, 90)  # grey: the size of the gradient reaching a collapsed neuron's weights
STATE_FILL = "#fde2c4"  # a saturated unit's mark; a dead one's box is also dashed


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
    strength = math.sqrt(min(abs(g) / scale, 1.0)) if scale > 0 else 0.0
    return tint(POSITIVE_RGB if g > 0 else NEGATIVE_RGB, strength)


def norm_colour(norm: float | None, largest: float) -> str:
    """The grey of a ‖∂L/∂w‖ row: darker for a larger norm (``largest``: the darkest).

    >>> norm_colour(0.0, 2.0), norm_colour(2.0, 2.0)
    ('#ffffff', '#838383')
    """
    if norm is None or not math.isfinite(norm) or largest <= 0:
        return "white"
    return tint(NORM_RGB, math.sqrt(min(norm / largest, 1.0)))


def tint(rgb: tuple[int, int, int], strength: float) -> str:
    """White mixed with ``rgb``: 0 is white, 1 is the strongest tint."""
    mix = MAX_TINT * strength
    r, g, b = (round(255 + (c - 255) * mix) for c in rgb)
    return f"#{r:02x}{g:02x}{b:02x}"


def legend_label(scale: float, grads: list, extra: list[tuple[str, str]] = ()) -> str:
    """A small table that explains the colours (an HTML-like label); ``extra`` adds rows
    of (colour, escaped text), e.g. for collapsed neurons."""
    rows = [
        (tint(POSITIVE_RGB, 1.0), "grad &gt; 0: raising the value raises the output"),
        (tint(NEGATIVE_RGB, 1.0), "grad &lt; 0: raising the value lowers the output"),
        ("white", f"paler: smaller |grad| (full colour: |grad| = {format_number(scale)})"),
    ]
    if any(g is None for g in grads):
        rows.append((NOT_COMPUTED_COLOUR, "not computed (backward() never reached it)"))
    if any(g is not None and not math.isfinite(float(first(g))) for g in grads):
        rows.append((NON_FINITE_COLOUR, "grad is nan or inf"))
    rows += list(extra)
    cells = "".join(
        f'<TR><TD BGCOLOR="{colour}" WIDTH="18"></TD><TD ALIGN="LEFT">{text}</TD></TR>'
        for colour, text in rows
    )
    return (
        '<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3">'
        f'<TR><TD COLSPAN="2"><B>gradient colour</B></TD></TR>{cells}</TABLE>>'
    )
