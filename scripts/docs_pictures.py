"""Redraw the README's pictures in docs/: `.venv/bin/python scripts/docs_pictures.py`.

The neuron is drawn by the README's own tour (tests/test_readme.py checks it); this draws
the two network pictures: a small MLP in full, and a 2-16-16-1 MLP with its neurons collapsed.
"""

from pathlib import Path

import viz
from autograd.nn import MLP

DOCS = Path(__file__).resolve().parents[1] / "docs"


def main() -> None:
    small = MLP(2, [3, 1], activation="tanh", seed=0)
    y = small([2.0, -1.0])
    y.label = "y"
    loss = (y - 1.0) ** 2
    loss.label = "loss"
    loss.backward()
    print(viz.render(loss, DOCS / "mlp_2_3_1.svg", color_by_grad=True))

    big = MLP(2, [16, 16, 1], activation="relu", seed=0)
    out = big([0.5, -1.0])
    out.label = "y"
    out.backward()
    print(viz.render(out, DOCS / "mlp_2_16_16_1.svg"))  # collapsed: the default at this size


if __name__ == "__main__":
    main()
