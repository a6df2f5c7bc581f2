"""python -m viz: formulas parsed (never evaluated) into graphs, gradients printed, bad input
refused with exit code 2 and a message naming the offending part; and the demo."""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value
from viz.__main__ import main
from viz.formula import FormulaError, build_graph

REPO = Path(__file__).resolve().parents[1]
needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None or shutil.which("neato") is None, reason="Graphviz not installed"
)
NEURON = [
    "tanh(x1*w1 + x2*w2 + b)",
    "--at",
    "x1=2",
    "x2=0",
    "w1=-3",
    "w2=1",
    "b=6.8813735870195432",
]


def run_cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "viz", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=60,
    )


def svg_text(path: Path) -> list[str]:
    """The text an SVG shows (Graphviz writes '-' as '&#45;': read it as XML, not as bytes)."""
    return [t.text or "" for t in ET.parse(path).iter("{http://www.w3.org/2000/svg}text")]


# --------------------------------------------------------------------- through a real process


@needs_dot
def test_the_neuron_command_prints_gradients_and_draws_the_graph(tmp_path):
    result = run_cli(*NEURON, "-o", str(tmp_path / "neuron.svg"))
    assert result.returncode == 0, result.stderr
    # the same neuron, built directly with the engine
    x1, x2, w1, w2, b = (Value(v) for v in (2.0, 0.0, -3.0, 1.0, 6.8813735870195432))
    out = (x1 * w1 + x2 * w2 + b).tanh()
    out.backward()
    lines = result.stdout.splitlines()
    assert lines[0] == f"tanh(x1*w1 + x2*w2 + b) = {out.data:.6g}"
    for name, leaf in zip(("x1", "x2", "w1", "w2", "b"), (x1, x2, w1, w2, b), strict=True):
        assert f"  d/d{name} = {leaf.grad:.6g}" in lines
    shown = svg_text(tmp_path / "neuron.svg")
    assert "x1" in shown and f"grad {x1.grad:g}" in shown


def test_a_rejected_formula_exits_2_with_a_message_and_no_traceback():
    result = run_cli("__import__('os').system('echo hacked')", "--at", "x=1")
    assert result.returncode == 2
    assert result.stderr.startswith("error: attribute access is not allowed")
    assert "__import__('os').system" in result.stderr
    assert "Traceback" not in result.stderr and "hacked" not in result.stdout


def test_a_missing_formula_exits_2_with_the_usage():
    result = run_cli()
    assert result.returncode == 2 and "usage: python -m viz" in result.stderr


# --------------------------------------------------------------------- in process (fast)


@pytest.mark.parametrize(
    ("formula", "named"),
    [
        ("x.real", "attribute access"),
        ("x[0]", "subscript"),
        ("'x'", "string"),
        ("f'{x}'", "string"),
        ("lambda: x", "lambda"),
        ("{i: i for i in x}", "comprehension"),
        ("import os", "not a formula"),
        ("x if x else 1", "conditional"),
        ("x < 1", "comparison"),
        ("x and 1", "and/or"),
        ("(x, 1)", "tuple"),
        ("x // 2", "x // 2"),
        ("x % 2", "x % 2"),
        ("~x", "~x"),
        ("True * x", "bool"),
        ("1j * x", "complex"),
        ("print(x)", "unknown function 'print'"),
        ("open('f')", "unknown function 'open'"),
        ("x.exp()", "attribute access is not allowed in a formula: 'x.exp'"),
        ("__import__('os')", "unknown function '__import__'"),
        ("(lambda: 1)()", "lambda"),
        ("(x + 1)(2)", "only functions can be called"),
        ("tanh", "'tanh' is a function"),
        ("tanh(x, 2)", "tanh takes 1 argument"),
        ("max(x)", "max takes 2 arguments"),
        ("tanh(x=1)", "keyword arguments"),
        ("leaky_relu(x, x)", "must be a number"),
        ("leaky_relu(x, 'a')", "string"),
        ("elu(x, " + "9" * 400 + ")", "too large for a float"),
        ("y * x", "'y' has no value"),
        ("1" * 400 + " * x", "too large for a float"),
        ("", "empty"),
        ("(x := 2)", "assignment"),
    ],
)
def test_rejected_formulas_name_the_offending_part(formula, named, capsys):
    assert main([formula, "--at", "x=1.5"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and named in error


@pytest.mark.parametrize(
    ("at", "named"),
    [
        (["x"], "NAME=VALUE"),
        (["=1"], "NAME=VALUE"),
        (["x=abc"], "'abc' is not a number"),
        (["x=1", "x=2"], "given twice"),
        (["exp=1"], "function name"),
        (["lambda=1"], "not a valid name"),
        (["2x=1"], "not a valid name"),
    ],
)
def test_bad_at_values_are_refused(at, named, capsys):
    assert main(["x * 2", "--at", *at]) == 2
    assert named in capsys.readouterr().err


def test_an_unsupported_output_suffix_is_refused_before_any_work(tmp_path, capsys):
    assert main([*NEURON, "-o", str(tmp_path / "neuron.jpg")]) == 2
    assert ".svg, .png, .pdf, .dot" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_value_the_formula_does_not_use_is_reported(capsys):
    assert main(["x * 2", "--at", "x=1", "unused=5"]) == 0
    assert "d/dunused = 0 (unused does not appear in the formula)" in capsys.readouterr().out


def test_argparse_errors_exit_2():
    with pytest.raises(SystemExit) as exit_info:
        main(["x", "--edge-labels", "sideways"])
    assert exit_info.value.code == 2


@pytest.mark.parametrize(
    ("formula", "direct"),
    [
        ("x * y + x", lambda x, y: x * y + x),
        ("-x ** 2 / y - 3", lambda x, y: -(x**2) / y - 3),
        ("2 ** x + x ** y", lambda x, y: 2**x + x**y),
        ("exp(x) * log(y) + sqrt(y)", lambda x, y: x.exp() * y.log() + y.sqrt()),
        ("sigmoid(x) + relu(y) + softplus(x)", lambda x, y: x.sigmoid() + y.relu() + x.softplus()),
        ("leaky_relu(-x, 0.1) + elu(-y, 2)", lambda x, y: (-x).leaky_relu(0.1) + (-y).elu(2.0)),
        ("sin(x) * cos(y) + abs(x - y)", lambda x, y: x.sin() * y.cos() + abs(x - y)),
        ("max(x, y) - min(x, 2)", lambda x, y: autograd.maximum(x, y) - autograd.minimum(x, 2)),
        ("+x * -(y - 1)", lambda x, y: x * -(y - 1)),
    ],
)
def test_accepted_formulas_build_the_same_graph_as_the_engine(formula, direct):
    out, leaves = build_graph(formula, {"x": 0.7, "y": 1.9})
    x, y = Value(0.7), Value(1.9)
    expected = direct(x, y)
    out.backward()
    expected.backward()
    assert out.op == expected.op
    assert out.data == expected.data  # the very same operations: exactly equal
    assert (leaves["x"].grad, leaves["y"].grad) == (x.grad, y.grad)


def test_a_name_used_twice_is_one_leaf_with_two_edges():
    out, leaves = build_graph("x * x", {"x": 3.0})
    assert out.parents == (leaves["x"], leaves["x"])
    assert leaves["x"].label == "x"


def test_numbers_only_still_give_a_graph_with_ieee_results():
    out, _ = build_graph("2 * 3", {})
    assert out.data == 6.0 and out.op == "*3"  # the number operand is part of the op
    out, _ = build_graph("1e308 * 10 - 1 / 0", {})  # overflow and division by zero: no crash
    assert math.isinf(out.data) or math.isnan(out.data)


def test_formula_errors_are_value_errors():
    with pytest.raises(FormulaError):
        build_graph("x.y", {"x": 1.0})
    with pytest.raises(FormulaError, match="must be a number"):
        build_graph("x", {"x": "1"})
    assert issubclass(FormulaError, ValueError)


FORMULA_PIECES = [
    "x", "y", "z", "1", "2.5", "1e400", "0", "+", "-", "*", "/", "**", "//", "(", ")", ",",
    "tanh", "max", "leaky_relu", "exp", "log", "abs", ".", "[", "]", "'", "lambda", ":",
    "if", "else", "<", "=", " ", "__import__", "__class__", "not", "~", "1if",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FORMULA_PIECES), max_size=12).map("".join))
def test_any_text_gives_a_graph_or_a_formula_error(text):
    try:
        out, _ = build_graph(text, {"x": 0.5, "y": -2.0})
    except FormulaError as error:
        assert str(error)  # never an empty message
    else:
        assert isinstance(out, Value)


def test_deep_nesting_is_refused_not_crashed():
    with pytest.raises(FormulaError):
        build_graph("-" * 5000 + "x", {"x": 1.0})


@needs_dot
def test_steps_option_writes_the_html_player(tmp_path, capsys):
    assert main(["x * x + 1", "--at", "x=3", "--steps", str(tmp_path / "steps.html")]) == 0
    page = (tmp_path / "steps.html").read_text()
    assert page.count('class="ag-data"') == 1  # one drawing, the frames as data
    assert "wrote" in capsys.readouterr().out


@needs_dot
def test_demo_prints_gradients_writes_pictures_and_trains(tmp_path, capsys):
    out_dir = tmp_path / "out"
    assert main(["demo", "--out", str(out_dir), "--epochs", "2"]) == 0
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "mlp.svg",
        "mlp_trained.svg",
        "moons_mlp.json",
        "neuron.svg",
        "neuron_steps.html",
    ]
    neuron = svg_text(out_dir / "neuron.svg")
    assert "x1" in neuron and "data 0.7071" in neuron and "grad -1.5" in neuron
    mlp = svg_text(out_dir / "mlp.svg")
    for cluster in ("L0", "L0.N0", "L0.N1", "L0.N2", "L1", "L1.N0"):  # layers and neurons
        assert cluster in mlp
    steps_page = (out_dir / "neuron_steps.html").read_text()
    assert steps_page.count('"caption":') == 5  # one frame per op
    printed = capsys.readouterr().out
    assert "grad ∂o/∂w1 = +1.0000" in printed and "grad ∂o/∂x1 = -1.5000" in printed
    assert printed.count("wrote ") == 5
    assert "accuracy: train" in printed


def test_demo_rejects_a_bad_epoch_count(capsys):
    assert main(["demo", "--epochs", "0"]) == 2
    assert "--epochs must be at least 1" in capsys.readouterr().err
