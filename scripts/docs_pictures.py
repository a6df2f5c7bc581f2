"""Redraw the README's pictures in docs/: `.venv/bin/python scripts/docs_pictures.py`.

The neuron is drawn by the README's own tour, run as a reader runs it (it writes
out/neuron.svg; tests/test_readme.py checks the committed copy against it); the two network
pictures are drawn here: a small MLP in full, and a 2-16-16-1 MLP with its neurons collapsed.
"""

import contextlib
import re
import tempfile
from pathlib import Path

import viz
from autograd.nn import MLP
from viz.images import write_atomically

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def neuron() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    tour = re.search(r"```python\n(.*?)```", readme, flags=re.DOTALL).group(1)
    with tempfile.TemporaryDirectory() as scratch, contextlib.chdir(scratch):
        Path("out").mkdir()
        exec(compile(tour, "README tour", "exec"), {})
        write_atomically(DOCS / "neuron.svg", Path("out/neuron.svg").read_bytes())
    print(DOCS / "neuron.svg")


def main() -> None:
    neuron()
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
