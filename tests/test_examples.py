"""examples/: the student's softplus is caught by the check and by a hypothesis test, and
the picture in docs/ is the one the example draws."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs the Graphviz dot program")


def run(*args: str, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, env={**os.environ, **env}
    )


@needs_dot
def test_the_check_names_the_students_softplus_and_draws_it(tmp_path):
    result = run(str(EXAMPLES / "student_softplus.py"), str(tmp_path / "failure.svg"))
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert re.match(r"∂f/∂[xwb] is \S+ by backward, but \S+ by finite differences, at x = 0.8, "
                    r"w = -1.3, b = 0.5$", lines[0])  # fmt: skip
    assert lines[1].startswith(
        "  The culprit: softplus_student's local derivative with respect to its input is 0.631812"
    )
    assert lines[2] == f"  Picture of the graph (the culprit's edge in red): {tmp_path}/failure.svg"
    assert svg_texts(tmp_path / "failure.svg") == svg_texts(ROOT / "docs" / "student_softplus.svg")


def svg_texts(path: Path) -> list[str]:
    return sorted(re.findall(r">([^<>]+)</text>", path.read_text(encoding="utf-8")))


@needs_dot
def test_the_hypothesis_test_fails_with_the_op_alone_and_its_picture(tmp_path):
    result = run(
        "-m", "pytest", "-p", "no:cacheprovider", str(EXAMPLES / "test_student_softplus.py"),
        TMPDIR=str(tmp_path),  # where the picture goes
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr  # it fails, on purpose
    out = result.stdout
    assert "GradientMismatch" in out and "The culprit: softplus_student's local derivative" in out
    assert re.search(r"case=\(Expression\('v0 = softplus_student\(x\d\)'\)", out)  # shrunk
    (picture,) = (tmp_path / "autograd-testing").iterdir()
    assert picture.name.startswith("softplus_student-") and str(picture) in out
