"""The README's tour runs as shown, prints what the README says, and its image is current."""

import contextlib
import io
import os
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def fenced_blocks(language: str, section: str = "") -> list[str]:
    """The README's code blocks in one language, from the section with this heading on."""
    text = README[README.index(f"## {section}") :] if section else README
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs the Graphviz dot program")
def test_the_tour_prints_what_the_readme_shows(tmp_path):
    tour, expected_output = fenced_blocks("python")[0], fenced_blocks("text")[0]
    (tmp_path / "docs").mkdir()
    printed = io.StringIO()
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        with contextlib.redirect_stdout(printed):
            exec(compile(tour, "README tour", "exec"), {})
    finally:
        os.chdir(cwd)
    assert printed.getvalue() == expected_output
    # the committed picture shows what the tour draws (texts compared: layout and the
    # Graphviz version may differ from machine to machine)
    drawn, committed = (tmp_path / "docs/neuron.svg"), (ROOT / "docs/neuron.svg")
    assert svg_texts(drawn) == svg_texts(committed)
    assert "grad &#45;1.5" in svg_texts(committed)  # SVG escapes the minus sign


def svg_texts(path: Path) -> list[str]:
    return sorted(re.findall(r">([^<>]+)</text>", path.read_text(encoding="utf-8")))


def test_the_training_example_runs_and_learns():
    example = fenced_blocks("python", "Training, the PyTorch way")[0]
    namespace: dict = {}
    exec(compile(example, "README training example", "exec"), namespace)
    model, X, y = namespace["model"], namespace["X"], namespace["y"]
    from autograd import no_grad

    with no_grad():
        scores = model(X).data
    assert ((scores > 0) == (y == 1)).mean() >= 0.95


def test_the_second_derivative_example_prints_what_the_readme_shows():
    example = fenced_blocks("python", "Second derivatives")[0]
    expected = fenced_blocks("text", "Second derivatives")[0]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(example, "README second derivatives", "exec"), {})
    assert printed.getvalue() == expected


def test_the_teaching_example_prints_what_the_readme_shows():
    example = fenced_blocks("python", "Teaching with it")[0]
    expected = fenced_blocks("text", "Teaching with it")[0]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(example, "README teaching example", "exec"), {})
    assert printed.getvalue() == expected


def test_the_own_op_example_fails_as_the_readme_shows(tmp_path, monkeypatch):
    check, hypothesis_test = fenced_blocks("python", "Your own ops, checked")[:2]
    (shown,) = fenced_blocks("text", "Your own ops, checked")[:1]
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))  # the picture goes here
    from autograd.testing import GradientMismatch

    namespace: dict = {}
    with pytest.raises(GradientMismatch) as failure:
        exec(compile(check, "README own op", "exec"), namespace)
    headline, culprit, picture = shown.splitlines()
    assert f"GradientMismatch: {failure.value}".splitlines()[:2] == [headline, culprit]
    assert picture.startswith("  Picture of the graph (the culprit's edge in red): /tmp/")
    assert str(failure.value.picture).startswith(f"{tmp_path}/autograd-testing/softplus_student-")

    exec(compile(hypothesis_test, "README hypothesis test", "exec"), namespace)
    with pytest.raises(GradientMismatch) as found:
        namespace["test_softplus_in_any_expression"]()
    assert "Expression('v0 = softplus_student(x2)')" in found.value.__notes__[0]
