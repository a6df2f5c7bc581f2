"""How to draw a graph: one ``DrawOptions`` object instead of the same keywords everywhere.

>>> DrawOptions(edge_labels="contribution").rankdir
'LR'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

EdgeLabels = Literal["local", "contribution"] | None

DEFAULT_MAX_NODES = 500  # beyond this the picture is unreadable anyway: collapse or cut it
AUTO_COLLAPSE_NODES = 120  # collapse_neurons="auto" draws neurons as boxes above this size
RANKDIRS = ("LR", "TB", "RL", "BT")
EDGE_LABELS = ("local", "contribution", None)


@dataclass(frozen=True)
class DrawOptions:
    """How to draw a graph; every drawing function takes these (``viz.draw(root, **options)``).

    - ``rankdir``: "LR" (left to right) or "TB" (top to bottom), or "RL", "BT".
    - ``show_grads``: write each node's ``grad`` (``—`` where backward() never reached it).
    - ``edge_labels``: "local" (∂out/∂in), "contribution" (upstream × local) or None; the
      number is written in the op's cell where that edge ends.
    - ``color_by_grad``: fill each value by its gradient's sign and size, with a legend.
    - ``clusters``: group nodes made inside a module scope ("L0.N1") into a named box.
    - ``collapse_neurons``: True draws each innermost scope (a neuron) as one box; "auto"
      does so when the full graph has more than 120 values.
    - ``max_nodes``: refuse larger graphs (counted after collapsing) with a ValueError.
    - ``fused_layers``: a layer that ran on a batch is one fused node (autograd/fused.py):
      "expanded" draws it as its neurons, node by node, as without fusing; "collapsed" as
      the one node it is, its edges marked "block of J".

    >>> DrawOptions(rankdir="XY")
    Traceback (most recent call last):
    ValueError: rankdir must be one of LR, TB, RL, BT, got 'XY'
    """

    rankdir: str = "LR"
    show_grads: bool = True
    edge_labels: EdgeLabels = "local"
    color_by_grad: bool = False
    clusters: bool = True
    collapse_neurons: bool | str = "auto"
    max_nodes: int = DEFAULT_MAX_NODES
    fused_layers: str = "expanded"

    def __post_init__(self) -> None:
        if self.fused_layers not in ("expanded", "collapsed"):
            raise ValueError(
                f"fused_layers must be 'expanded' or 'collapsed', got {self.fused_layers!r}"
            )
        if self.rankdir not in RANKDIRS:
            raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}, got {self.rankdir!r}")
        if self.edge_labels not in EDGE_LABELS:
            raise ValueError(
                f"edge_labels must be 'local', 'contribution' or None, got {self.edge_labels!r}"
            )
        if self.collapse_neurons not in (True, False, "auto"):
            raise ValueError(
                f"collapse_neurons must be True, False or 'auto', got {self.collapse_neurons!r}"
            )
        for name in ("show_grads", "color_by_grad", "clusters"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be True or False, got {getattr(self, name)!r}")
        m = self.max_nodes
        if isinstance(m, bool) or not isinstance(m, int) or m < 1:
            raise ValueError(f"max_nodes must be a positive int, got {m!r}")
