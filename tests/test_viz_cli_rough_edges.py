"""Issue 13's command-line and label rough edges, one test each where the old code failed:
repeated --at, fullwidth names, parser MemoryError, long flat products, long error
messages, a leading minus, no variables, nan/inf results, missing dot, and labels that
Graphviz could not lay out (U+FFFE/U+FFFF, 3,000 characters)."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import viz
from autograd import Value
from viz.__main__ import main
from viz.formula import FormulaError, build_graph

REPO = Path(__file__).resolve().parents[1]
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")


def test_repeated_at_keeps_every_value(capsys):
    assert main(["x * y", "--at", "x=3", "--at", "y=-2"]) == 0
    out = capsys.readouterr().out
    assert "x * y = -6" in out and "d/dx = -2" in out and "d/dy = 3" in out


def test_fullwidth_names_in_at_match_the_formula(capsys):
    # Python reads the formula's ｘ as x (NFKC); --at ｘ=2 now names the same leaf
    assert main(["ｘ * 3", "--at", "ｘ=2"]) == 0
    assert "d/dx = 3" in capsys.readouterr().out
    assert main(["x * 3", "--at", "ｘ=2", "--at", "x=1"]) == 2  # the same name twice
    assert "given twice" in capsys.readouterr().err


class ExhaustedParser:
    """viz.formula's view of the ast module, with a parser that runs out of memory."""

    def __getattr__(self, name):
        return getattr(ast, name)

    @staticmethod
    def parse(*args, **kwargs):
        raise MemoryError  # CPython's parser raises it bare on absurd nesting


def test_a_parser_memory_error_says_why(monkeypatch):
    monkeypatch.setattr("viz.formula.ast", ExhaustedParser())  # only the formula parser
    with pytest.raises(FormulaError, match="ran out of memory"):
        build_graph("x", {"x": 1.0})


def test_a_flat_product_of_many_factors_is_not_too_deep():
    out, leaves = build_graph("*".join(["x"] * 1500), {"x": 1.0001})
    out.backward()
    assert leaves["x"].grad == pytest.approx(1500 * 1.0001**1499)


def test_errors_quote_a_short_piece_of_a_long_formula(capsys):
    formula = "(" * 300 + "x" + ")" * 300  # refused by Python's parser
    assert main([formula, "--at", "x=1"]) == 2
    err = capsys.readouterr().err
    assert len(err) < 300 and "characters)" in err


def test_a_formula_may_start_with_a_minus_sign(capsys):
    assert main(["-x*y", "--at", "x=2", "--at", "y=3"]) == 0
    assert "-x*y = -6" in capsys.readouterr().out
    assert main(["-x", "--at", "x=-2"]) == 0  # and a negative value is still a value
    assert "-x = 2" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "unknown", "suggested"),
    [
        (["x*y", "--at", "x=1", "y=2", "--colour"], "--colour", "--color"),  # after --at's values
        (["x*y", "--colour", "--at", "x=1", "y=2"], "--colour", "--color"),
        (["-x*y", "--at", "x=-1", "y=2", "--ouptut", "g.svg"], "--ouptut g.svg", "--output"),
        (["x*y", "--at", "x=1", "y=2", "-c"], "-c", None),  # a second leading minus: no formula
    ],
)
def test_an_unknown_option_is_named_with_the_closest_one(args, unknown, suggested):
    # Issue 24: the leading-minus protection once turned `--colour` into a value of --at.
    result = subprocess.run(
        [sys.executable, "-m", "viz", *args], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2 and result.stdout == ""
    last = result.stderr.splitlines()[-1]
    hint = f" (did you mean {suggested}?)" if suggested else ""
    assert last == f"python -m viz: error: unrecognized arguments: {unknown}{hint}"


def test_negative_values_and_a_leading_minus_stay_what_they_are(capsys):
    assert main(["x*y", "--at", "x=-1", "y=2", "--colo"]) == 0  # argparse's abbreviation
    assert "x*y = -2" in capsys.readouterr().out
    assert main(["--at", "x=-1", "y=2", "-x*y"]) == 0  # the formula after --at's values
    assert "-x*y = 2" in capsys.readouterr().out


def test_a_formula_without_names_says_so(capsys):
    assert main(["2 * 3"]) == 0
    out = capsys.readouterr().out
    assert "gradients: none" in out and "gradients:\n" not in out


def test_a_nan_or_infinite_result_exits_3_with_a_hint(capsys):
    assert main(["log(x)", "--at", "x=-1"]) == 3
    assert "the result is nan" in capsys.readouterr().err
    assert main(["1 / x", "--at", "x=0"]) == 3
    assert "inf" in capsys.readouterr().err
    assert main(["x * 2", "--at", "x=1"]) == 0


NO_GRAPHVIZ_CLI = """
import sys
import viz.programs
viz.programs.pip_build_path = lambda which=None: None  # no graphviz-pure either
from viz.__main__ import main
sys.exit(main(sys.argv[1:]))
"""


def test_without_dot_or_graphviz_pure_the_cli_offers_both_and_a_dot_file(tmp_path):
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    env = {**os.environ, "PATH": str(empty_bin), "PYTHONPATH": str(REPO)}
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "-c", NO_GRAPHVIZ_CLI, "x * y", "--at", "x=1", "--at", "y=2", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )
    failed = run("-o", "graph.svg")
    assert failed.returncode == 1
    assert "-o graph.dot" in failed.stderr and "viz.draw" not in failed.stderr
    assert "pip install graphviz-pure" in failed.stderr
    written = run("-o", "graph.dot")  # needs no Graphviz at all
    assert written.returncode == 0, written.stderr
    assert (tmp_path / "graph.dot").read_text().startswith("digraph")


@needs_dot
@pytest.mark.parametrize(
    "label", ["non\ufffecharacter", "end\uffff", "\ufdd0", "y" * 3000, "z\n" * 500]
)
def test_any_label_renders(label, tmp_path):
    x = Value(2.0, label=label)
    y = x * x
    y.backward()
    svg = viz.render(y, tmp_path / "graph.svg").read_text(encoding="utf-8")
    texts = [t.text or "" for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]
    shown = "".join(texts)
    if len(label) > 100:
        assert "…" in shown  # shortened, with an ellipsis, not dropped
    else:
        assert "\\ufffe" in shown or "\\uffff" in shown or "\\ufdd0" in shown  # spelled out
