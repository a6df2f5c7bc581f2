"""What `make demo` prints: readable gradients in formula order, a log without carriage
returns, and a closing guide to the files it wrote."""

from __future__ import annotations

import io
import re
import shutil
import sys

import pytest

from autograd import Value
from viz.demo import classic_neuron, forward_order, run_demo

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz dot")
FORMULA = "tanh(x1·w1 + x2·w2 + b)"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo's printed text and report, run once with stdout and stderr captured."""
    out_dir = tmp_path_factory.mktemp("out")
    with pytest.MonkeyPatch.context() as patch:
        stdout, stderr = io.StringIO(), io.StringIO()  # not terminals, like a log file
        patch.setattr(sys, "stdout", stdout)
        patch.setattr(sys, "stderr", stderr)
        report = run_demo(out_dir, epochs=4)
    return stdout.getvalue() + stderr.getvalue(), report


def gradient_lines(printed: str) -> list[tuple[str, str]]:
    """(label, the name written after ∂o/∂) for each printed gradient."""
    return re.findall(r"^ +(.+?)  data [-+][\d.]+ +grad ∂o/∂(.+?) = ", printed, flags=re.M)


@needs_dot
def test_a_compound_label_is_written_in_parentheses(demo):
    printed, _ = demo
    lines = gradient_lines(printed)
    assert len(lines) == 10  # every node of the neuron
    for label, written in lines:
        expected = label if re.fullmatch(r"\w+", label) else f"({label})"
        assert written == expected
    assert "∂o/∂(x1·w1 + x2·w2)" in printed


@needs_dot
def test_nodes_are_listed_inputs_first_in_formula_order_then_as_computed(demo):
    printed, _ = demo
    labels = [label for label, _ in gradient_lines(printed)]
    nodes = {node.label: node for node in forward_order(classic_neuron())}
    leaves = [label for label in labels if not nodes[label].parents]
    assert labels[: len(leaves)] == leaves  # inputs and weights come first
    assert leaves == sorted(leaves, key=FORMULA.index)  # as they are written in the formula
    position = {label: i for i, label in enumerate(labels)}
    for label in labels[len(leaves) :]:  # each computed node after its operands
        assert all(position[parent.label] < position[label] for parent in nodes[label].parents)


@needs_dot
def test_training_in_a_log_prints_plain_lines_not_carriage_returns(demo):
    printed, _ = demo
    assert "\r" not in printed
    assert re.findall(r"training: epoch (\d+)/4, loss \d\.\d{4}", printed) == ["1", "2", "3", "4"]


@needs_dot
def test_the_demo_ends_by_naming_each_file_it_wrote_and_what_it_shows(demo):
    printed, report = demo
    guide = printed[printed.index("4. Open these files") :]
    assert "any web browser" in guide.splitlines()[0]
    for path in report["files"]:
        assert re.search(rf"^   {re.escape(str(path))}  +\w", guide, flags=re.M), path
    assert "the trained 2-16-16-1" in guide  # each picture says which network it is
    mlp_svg = next(path for path in report["files"] if path.name == "mlp.svg").read_text()
    assert "L = (ŷ − y)²" in mlp_svg and ">y</text>" in mlp_svg  # the loss and its target
    # the trained network, collapsed: one box per neuron, each with its weights' gradient
    trained = next(p for p in report["files"] if p.name == "mlp_trained.svg").read_text()
    assert trained.count("‖∂L/∂w‖") == 16 + 16 + 1 + 1  # every neuron, and the legend
    assert ">L1.N15</text>" in trained and "L0.N0.w0" not in trained
    assert printed.rstrip().endswith(f"MLP.load({str(report['files'][-1])!r})")


def test_forward_order_puts_operands_first_left_to_right_and_needs_no_recursion():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    assert [n.label or n.op for n in forward_order((a * b + a).tanh())] == [
        "a",
        "b",
        "*",
        "+",
        "tanh",
    ]
    deep = a
    for _ in range(50_000):  # far beyond the recursion limit
        deep = deep + 1.0
    order = forward_order(deep)
    assert order[0] is a and order[-1] is deep
