r"""Command line: draw the graph of a formula after backward(), or write the demo images.

    python -m viz "tanh(x1*w1 + x2*w2 + b)" --at x1=2 x2=0 w1=-3 w2=1 \\
        b=6.8813735870195432 -o neuron.svg
    python -m viz demo --out out

The first prints the formula's value and its gradient with respect to every input, and
draws the graph (svg, png or pdf by the suffix; ``--steps FILE.html`` adds the backward
step-through). The formula is parsed, never evaluated (see ``viz.formula``). Exit codes:
0 done, 2 bad command line or formula, 1 the drawing could not be written.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import viz
from autograd import Value
from viz.dot import EDGE_CAPTIONS, RANKDIRS
from viz.formula import FUNCTIONS, FormulaError, build_graph, check_name
from viz.render import FORMATS, GraphvizNotFoundError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A mistake on the command line: reported in one line, exit code 2."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit code.

    >>> main(["x * y", "--at", "x=3", "y=-2"])
    x * y = -6
    gradients:
      d/dx = -2
      d/dy = 3
    (pass -o FILE.svg to draw the graph)
    0
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] == "demo":
            return _demo_command(argv[1:])
        return _formula_command(argv)
    except (UsageError, ValueError) as error:  # FormulaError is a ValueError
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (GraphvizNotFoundError, OSError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILED


# --------------------------------------------------------------------- formula


def _formula_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m viz",
        description=(
            "Draw the computation graph of a formula after backward(), with values, "
            "gradients and local derivatives, and print each input's gradient. "
            "(Also: 'python -m viz demo --out DIR' writes the demo images.)"
        ),
        epilog=(
            f"Functions: {', '.join(FUNCTIONS)}. Operators: + - * / ** and unary minus. "
            "A formula that starts with '-' needs a leading space: ' -x*y'."
        ),
    )
    parser.add_argument("formula", help='e.g. "tanh(x*w + b)"')
    parser.add_argument(
        "--at",
        nargs="+",
        default=[],
        metavar="NAME=VALUE",
        help="the value of every name in the formula, e.g. --at x=2 w=-3 b=6.88",
    )
    parser.add_argument("-o", "--output", help="write the graph to this .svg, .png or .pdf file")
    parser.add_argument("--steps", help="also write the backward step-through to this .html file")
    parser.add_argument(
        "--edge-labels",
        choices=[*EDGE_CAPTIONS, "none"],
        default="local",
        help="local: the local derivative d(out)/d(in) on each edge; "
        "contribution: upstream grad times local (default: local)",
    )
    parser.add_argument("--rankdir", choices=RANKDIRS, default="LR", help="layout direction")
    parser.add_argument("--color", action="store_true", help="colour the values by gradient")
    return parser


def _formula_command(argv: list[str]) -> int:
    args = _formula_parser().parse_args(argv)  # argparse reports its own errors, exit 2
    values = _parse_values(args.at)
    if args.output and Path(args.output).suffix.lower() not in FORMATS:
        raise UsageError(f"-o {args.output}: use a path ending in .svg, .png or .pdf")
    if args.steps and Path(args.steps).suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"--steps {args.steps}: use a path ending in .html")

    output, leaves = build_graph(args.formula, values)
    output.backward()
    print(f"{args.formula.strip()} = {_number(output)}")
    print("gradients:")
    for name, leaf in leaves.items():
        if leaf.grad is None:
            print(f"  d/d{name} = 0 ({name} does not appear in the formula)")
        else:
            print(f"  d/d{name} = {leaf.grad:.6g}")

    if args.output:
        edge_labels = None if args.edge_labels == "none" else args.edge_labels
        options = {"edge_labels": edge_labels, "rankdir": args.rankdir, "color_by_grad": args.color}
        print(f"wrote {viz.render(output, args.output, **options)}")
    if args.steps:
        print(f"wrote {viz.save_steps_html(output, args.steps, rankdir=args.rankdir)}")
    if not (args.output or args.steps):
        print("(pass -o FILE.svg to draw the graph)")
    return EXIT_OK


def _parse_values(items: list[str]) -> dict[str, float]:
    """``["x=2", "w=-3"]`` -> ``{"x": 2.0, "w": -3.0}``, with a clear error for each mistake."""
    values: dict[str, float] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name, text = name.strip(), text.strip()
        if not sep or not name:
            raise UsageError(f"--at {item!r}: write NAME=VALUE, e.g. x=2")
        try:
            check_name(name)
        except FormulaError as error:
            raise UsageError(f"--at {item!r}: {error}") from None
        try:
            value = float(text)
        except ValueError:
            raise UsageError(f"--at {item!r}: {text!r} is not a number") from None
        if name in values:
            raise UsageError(f"--at: {name} is given twice")
        values[name] = value
    return values


def _number(value: Value) -> str:
    return f"{value.data:.6g}"


# --------------------------------------------------------------------- demo


def _demo_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m viz demo",
        description="Write the demo images: a neuron, its backward step-through, a small MLP.",
    )
    parser.add_argument("--out", default="out", help="directory to write into (default: out)")
    args = parser.parse_args(argv)
    for path in write_graph_demo(Path(args.out)):
        print(f"wrote {path}")
    return EXIT_OK


def write_graph_demo(out_dir: Path) -> list[Path]:
    """Write neuron.svg, neuron_steps.html and mlp.svg into ``out_dir``; return the paths.

    The neuron is the classic tanh(x1·w1 + x2·w2 + b) with b chosen so that the output is
    1/√2 and the gradients are round numbers; the MLP is ``MLP(2, [3, 1])`` on one sample,
    with the squared error as loss, drawn with one cluster per neuron.
    """
    from autograd.nn import MLP  # imported here: the formula command does not need it

    out_dir.mkdir(parents=True, exist_ok=True)
    neuron = _classic_neuron()
    neuron.backward()
    written = [
        viz.render(neuron, out_dir / "neuron.svg"),
        viz.save_steps_html(neuron, out_dir / "neuron_steps.html"),
    ]

    model = MLP(2, [3, 1], activation="tanh", seed=0)
    prediction = model([2.0, -1.0])
    prediction.label = "y"
    loss = (prediction - 1.0) ** 2
    loss.label = "loss = (y - 1)²"
    loss.backward()
    written.append(viz.render(loss, out_dir / "mlp.svg", color_by_grad=True))
    return written


def _classic_neuron() -> Value:
    """tanh(x1·w1 + x2·w2 + b), every node labelled, as in the lecture."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1·w1"
    x2w2 = x2 * w2
    x2w2.label = "x2·w2"
    x1w1_x2w2 = x1w1 + x2w2
    x1w1_x2w2.label = "x1·w1 + x2·w2"
    n = x1w1_x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


if __name__ == "__main__":
    sys.exit(main())
