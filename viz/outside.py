"""Honest sub-graphs: say which gradients flowed in from outside the drawing.

Drawing ``h`` when backward() ran from a loss further on shows gradients that partly came
through nodes not drawn: the picture would not add up to the gradient it shows. These
values are found here and marked with how much came from outside.

>>> outside_note(0.25)
'grad includes 0.25 from outside this drawing'
"""

from __future__ import annotations

import numpy as np

from autograd import Value
from autograd.engine import contribution
from viz.labels import format_data

OUTSIDE_FILL = "#fff0c2"  # a value whose grad partly comes from outside the drawing


def outside_shares(order: list[Value], grads: list) -> dict[int, object]:
    """Values whose grad is not the sum of the contributions drawn: position -> the rest.

    Drawing ``h`` when backward() ran from a loss further on gives ``h`` and its inputs
    gradients that partly flowed through nodes not drawn. The root of the drawing is
    counted as "outside" unless its grad is the seed 1.

    >>> from autograd import Value, topological_order
    >>> x = Value(2.0, label="x"); h = x * Value(3.0, label="w"); h.label = "h"
    >>> loss = h * 2.0 + x; loss.backward()
    >>> order = topological_order(h)
    >>> shares = outside_shares(order, [n.grad for n in order])
    >>> {order[i].label: float(s) for i, s in shares.items()}
    {'x': 1.0, 'h': 2.0}
    """
    if not order or any(g is None for g in grads):
        return {}  # before backward() nothing is claimed, so nothing can be wrong
    inside: list = [0.0] * len(order)
    index = {node: i for i, node in enumerate(order)}
    with np.errstate(all="ignore"):
        for i, node in enumerate(order):
            for parent, local in zip(node.parents, node.local_grads):
                p = index[parent]
                inside[p] = inside[p] + contribution(local, grads[i], parent.data)
    inside[-1] = 1.0  # the seed backward() starts from
    shares = {}
    for i, (grad, drawn) in enumerate(zip(grads, inside)):
        g, d = np.asarray(grad, dtype=float), np.asarray(drawn, dtype=float)
        if not (np.all(np.isfinite(g)) and np.all(np.isfinite(d))):
            continue  # nan/inf: no honest difference to show
        if not np.allclose(g, d, rtol=1e-9, atol=1e-12):
            # the drawing's root: backward() started further on, so all of it came in
            shares[i] = grad if i == len(order) - 1 else grad - drawn
    return shares


def outside_note(share, whole: bool = False) -> str:
    """The note on a value whose grad (partly) flowed through nodes that are not drawn.

    >>> outside_note(-0.000986)
    'grad includes -0.000986 from outside this drawing'
    >>> outside_note(0.5, whole=True)
    'grad 0.5 comes from outside this drawing'
    """
    if whole:
        return f"grad {format_data(share)} comes from outside this drawing"
    return f"grad includes {format_data(share)} from outside this drawing"
