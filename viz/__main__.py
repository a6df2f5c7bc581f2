r"""Command line: draw the graph of a formula after backward(), or run the demo.

    python -m viz "tanh(x1*w1 + x2*w2 + b)" --at x1=2 x2=0 w1=-3 w2=1 \\
        b=6.8813735870195432 -o out/neuron.svg
    python -m viz demo --out out

The first prints the formula's value and its gradient with respect to every input, and
draws the graph (svg, png, pdf or dot by the suffix; .gif: the backward pass animated; .tex:
a TikZ picture; ``--steps FILE.html`` adds the backward step-through, ``--frames DIR`` its
steps as numbered images). The formula is parsed, never evaluated (see ``viz.formula``).
``--at`` may be repeated. A formula may start with a minus sign. Exit codes: 0 done, 2 bad
command line or formula, 1 the drawing could not be written, 3 done but the result or a
gradient is nan or infinite (the message says where).
"""

from __future__ import annotations

import argparse
import difflib
import math
import sys
from collections.abc import Sequence
from pathlib import Path

import viz
from autograd import Value
from autograd.files import require_directory
from viz.build import EDGE_CAPTIONS
from viz.formula import FUNCTIONS, FormulaError, build_graph, check_name, normalize_name
from viz.frames import FRAME_FORMATS
from viz.images import FORMATS, GraphvizNotFoundError, write_atomically
from viz.options import RANKDIRS

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_NOT_FINITE = 0, 1, 2, 3
# Options that take the next word as their value (so a value such as -1 is not an option)
TAKES_A_VALUE = ("-o", "--output", "--steps", "--frames", "--frame-format", "--edge-labels",
                 "--rankdir")  # fmt: skip
OPTIONS = ("-h", "--help", "--at", *TAKES_A_VALUE, "--color")
# -o: an image (viz.render), the backward pass as a GIF (viz.animate), or TikZ (viz.to_tikz)
OUTPUTS = (*FORMATS, ".gif", ".tex")
SUFFIXES = ", ".join(OUTPUTS)


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
    except GraphvizNotFoundError as error:
        # The library's message suggests Python; in a shell, -o FILE.dot is the way out.
        lines = [line for line in str(error).splitlines() if "viz.draw" not in line]
        print(f"error: {lines[0]}", file=sys.stderr)
        for line in lines[1:]:
            print(f"  {line}", file=sys.stderr)
        print(
            "  (or write the graph as DOT text, which needs no Graphviz: -o graph.dot)",
            file=sys.stderr,
        )
        return EXIT_FAILED
    except (OSError, RuntimeError) as error:
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
            "--at may be repeated (--at x=1 --at y=2). A formula may start with '-'."
        ),
    )
    parser.add_argument("formula", help='e.g. "tanh(x*w + b)"')
    parser.add_argument(
        "--at",
        nargs="+",
        action="extend",  # --at x=1 --at y=2 keeps both (the default "store" kept the last)
        default=[],
        metavar="NAME=VALUE",
        help="the value of every name in the formula, e.g. --at x=2 w=-3 b=6.88",
    )
    parser.add_argument(
        "-o", "--output", help=f"write the graph to this file: {SUFFIXES} (.dot needs no Graphviz)"
    )
    parser.add_argument("--steps", help="also write the backward step-through to this .html file")
    parser.add_argument(
        "--frames",
        metavar="DIR",
        help="also write the backward pass as numbered images, one per step, into DIR",
    )
    parser.add_argument(
        "--frame-format",
        choices=FRAME_FORMATS,
        default="png",
        help="the image format of --frames (default: png; pdf needs Graphviz dot)",
    )
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
    parser = _formula_parser()
    args, unknown = parser.parse_known_args(_protect_leading_minus(argv))  # argparse: exit 2
    if unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}{_did_you_mean(unknown)}")
    values = _parse_values(args.at)
    if args.output and Path(args.output).suffix.lower() not in OUTPUTS:
        raise UsageError(f"-o {args.output}: use a path ending in {SUFFIXES}")
    if args.steps and Path(args.steps).suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"--steps {args.steps}: use a path ending in .html")

    output, leaves = build_graph(args.formula, values)
    output.backward()
    print(f"{args.formula.strip()} = {_number(output)}")
    if leaves:
        print("gradients:")
    else:
        print("gradients: none (the formula has no names to differentiate by)")
    for name, leaf in leaves.items():
        if leaf.grad is None:
            print(f"  d/d{name} = 0 ({name} does not appear in the formula)")
        else:
            print(f"  d/d{name} = {leaf.grad:.6g}")

    if args.output:
        print(f"wrote {_write_output(output, args)}")
    if args.steps:
        print(f"wrote {viz.save_steps_html(output, args.steps, rankdir=args.rankdir)}")
    if args.frames:
        frames = viz.render_steps(output, args.frames, args.frame_format, rankdir=args.rankdir)
        print(
            f"wrote {len(frames)} frames into {args.frames}: {frames[0].name} … {frames[-1].name}"
        )
    if not (args.output or args.steps or args.frames):
        print("(pass -o FILE.svg to draw the graph)")
    return _check_finite(output, leaves)


def _write_output(output: Value, args: argparse.Namespace) -> Path:
    """-o: a picture of the graph, the backward pass as a GIF, or the graph as TikZ."""
    path = Path(args.output)
    suffix = path.suffix.lower()
    if suffix == ".gif":
        return viz.animate(output, path, rankdir=args.rankdir)
    edge_labels = None if args.edge_labels == "none" else args.edge_labels
    options = {"edge_labels": edge_labels, "rankdir": args.rankdir, "color_by_grad": args.color}
    if suffix == ".tex":
        require_directory(path)
        write_atomically(path, viz.to_tikz(output, **options).encode("utf-8"))
        return path
    return viz.render(output, path, **options)


def _protect_leading_minus(argv: list[str]) -> list[str]:
    """Let a formula start with a minus sign: ``-x*y`` is not an option, so say so.

    argparse takes any word that starts with "-" for an option. A word with one leading
    minus that stands where the formula stands (before any other word that is neither an
    option nor an option's value) is the formula: it gets a leading space, which argparse
    leaves alone and the formula parser ignores, and goes first, so that ``--at`` does not
    take it for a value. Anything else that starts with "-" (``--colour``, a second
    ``-x``) is left for argparse to report; values after --at are left as they are.

    >>> _protect_leading_minus(["-x*y", "--at", "x=1", "y=2"])
    [' -x*y', '--at', 'x=1', 'y=2']
    >>> _protect_leading_minus(["--at", "x=-1", "-x"])
    [' -x', '--at', 'x=-1']
    >>> _protect_leading_minus(["x*y", "--at", "x=1", "y=2", "--colour", "-c"])
    ['x*y', '--at', 'x=1', 'y=2', '--colour', '-c']
    """
    words, formula, in_values, value_next = [], None, False, False
    for index, word in enumerate(argv):
        if word == "--":  # the end of options: argparse reads the rest as it is
            words += argv[index:]
            break
        option = word.split("=", 1)[0]
        if value_next:  # the value of -o, --steps, ...
            value_next = False
        elif word.startswith("-"):
            in_values = option == "--at"
            value_next = option in TAKES_A_VALUE and "=" not in word
            known = option in OPTIONS or (word[:2] == "-o" and len(word) > 2)  # -oFILE
            if formula is None and not known and not word.startswith("--"):
                formula = " " + word
                continue
        elif not in_values and formula is None:
            formula = word  # a formula without a minus sign: nothing to protect
        words.append(word)
    return [formula, *words] if formula is not None and formula.startswith(" ") else words


def _did_you_mean(unknown: list[str]) -> str:
    """argparse's "unrecognized arguments" gets the options closest to the unknown ones.

    >>> _did_you_mean(["--colour"]), _did_you_mean(["--ouptut=g.svg"]), _did_you_mean(["zz"])
    (' (did you mean --color?)', ' (did you mean --output?)', '')
    """
    long_options = [option for option in OPTIONS if option.startswith("--")]
    close = []
    for word in unknown:
        if word.startswith("-"):
            close += difflib.get_close_matches(word.split("=", 1)[0], long_options, n=1)
    return f" (did you mean {' or '.join(dict.fromkeys(close))}?)" if close else ""


def _check_finite(output: Value, leaves: dict[str, Value]) -> int:
    """Exit 3 with a hint when the result or a gradient is nan or infinite (IEEE results)."""
    bad = [f"the result is {output.data}"] if not math.isfinite(output.data) else []
    bad += [
        f"d/d{name} is {leaf.grad}"
        for name, leaf in leaves.items()
        if leaf.grad is not None and not math.isfinite(leaf.grad)
    ]
    if not bad:
        return EXIT_OK
    print(
        f"warning: {'; '.join(bad)}: the formula leaves the functions' domain or overflows "
        "there (e.g. log of a number ≤ 0, sqrt of a negative, x/0, exp of a large number)",
        file=sys.stderr,
    )
    return EXIT_NOT_FINITE


def _parse_values(items: list[str]) -> dict[str, float]:
    """``["x=2", "w=-3"]`` -> ``{"x": 2.0, "w": -3.0}``, with a clear error for each mistake."""
    values: dict[str, float] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name, text = normalize_name(name.strip()), text.strip()  # ｘ=1 is x=1, as in formulas
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
        description="The main job: a neuron's gradients, its pictures, a trained MLP.",
    )
    parser.add_argument("--out", default="out", help="directory to write into (default: out)")
    parser.add_argument("--epochs", type=int, default=40, help="training epochs (default: 40)")
    args = parser.parse_args(argv)
    if args.epochs < 1:
        raise UsageError(f"--epochs must be at least 1, got {args.epochs}")
    from viz.demo import run_demo  # the formula command does not need the nn library

    run_demo(Path(args.out), epochs=args.epochs)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
