"""Redraw every picture in docs/: `make docs-pictures` (or this script; --out DIR elsewhere).

- docs/neuron.svg: the README tour's neuron, upstream × local on every edge;
- docs/mlp_2_3_1.svg: an MLP 2-3-1 on one sample and its loss L = (ŷ − y)², in full, one
  cluster per neuron, coloured by gradient;
- docs/mlp_2_16_16_1.svg: the 2-16-16-1 that `make demo` trains on two moons, drawn on the
  held-out points with each neuron one box (its output, gradient, ‖∂L/∂w‖; dead units);
- docs/student_softplus.svg: examples/student_softplus.py's failing check, the wrong
  derivative's edge in red (the picture autograd.testing draws).

They are rendered with graphviz-pure, never the system's dot: it writes the same bytes on
every platform, so tests/test_docs_pictures.py regenerates them and fails when a committed
one differs (a picture the code no longer draws).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
from pathlib import Path

import graphviz

import viz
from autograd import Value
from autograd.nn import MLP
from viz.demo import held_out_loss, train_moons
from viz.images import pipe, write_atomically
from viz.programs import Program, pip_build_path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
TRAINING_EPOCHS = 40  # as make demo


def tour_neuron() -> Value:
    """The README's tour, as written there (tests/test_readme.py checks they agree)."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    return o


def small_network_loss() -> Value:
    model = MLP(2, [3, 1], activation="tanh", seed=0)
    prediction = model([2.0, -1.0])
    prediction.label = "ŷ"
    target = Value(1.0, label="y")  # a Value, so the picture names the target
    loss = (prediction - target) ** 2
    loss.label = "L"
    loss.backward()
    return loss


def student_softplus_check() -> str:
    """The DOT text of the picture the example's failing check draws."""
    from autograd.testing import GradientMismatch, assert_gradients_match

    spec = importlib.util.spec_from_file_location("example", ROOT / "examples/student_softplus.py")
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    with tempfile.TemporaryDirectory() as folder:
        try:
            assert_gradients_match(example.neuron, 0.8, -1.3, 0.5, picture=f"{folder}/check.dot")
        except GradientMismatch as failure:
            return failure.picture.read_text(encoding="utf-8")
    raise RuntimeError("examples/student_softplus.py's check passed: its mistake is gone")


def pictures() -> dict[str, graphviz.Digraph | str]:
    """Each picture's file name and drawing (a Digraph, or DOT text)."""
    _, _, trained = train_moons(TRAINING_EPOCHS, quiet=True)
    return {
        "neuron.svg": viz.draw(tour_neuron(), edge_labels="contribution"),
        "mlp_2_3_1.svg": viz.draw(small_network_loss(), color_by_grad=True),
        "mlp_2_16_16_1.svg": viz.draw(held_out_loss(trained)),  # collapsed: auto at this size
        "student_softplus.svg": student_softplus_check(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Redraw the pictures in docs/.")
    parser.add_argument("--out", type=Path, default=DOCS, help="directory (default: docs/)")
    args = parser.parse_args(argv)
    pure = pip_build_path()
    if pure is None:
        print("error: graphviz-pure is not installed: pip install graphviz-pure", file=sys.stderr)
        return 1
    program = Program(pure, pip_build=True)
    for name, digraph in pictures().items():
        path = args.out / name
        write_atomically(path, pipe(digraph, "svg", program=program))
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
