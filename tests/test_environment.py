"""The environment `make` builds: the README's shell examples run in it as written, and
installing it prints no setuptools notice."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
README = (ROOT / "README.md").read_text(encoding="utf-8")

in_make_venv = pytest.mark.skipif(
    Path(sys.prefix).resolve() != VENV.resolve(), reason="runs in the .venv that make creates"
)


def shell_blocks() -> list[str]:
    """Every ```sh block of the README, list indentation removed."""
    blocks = re.findall(r"^( *)```sh\n(.*?)^\1```", README, flags=re.DOTALL | re.MULTILINE)
    return [textwrap.dedent(indent + body) for indent, body in blocks]


def fresh_shell_environment() -> dict[str, str]:
    """os.environ as a new terminal has it: no virtual environment active."""
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    paths = env.get("PATH", "").split(os.pathsep)
    env["PATH"] = os.pathsep.join(p for p in paths if Path(p).resolve() != (VENV / "bin").resolve())
    return env


def test_the_readme_says_how_to_enter_the_environment_before_its_first_example():
    examples = [block for block in shell_blocks() if not block.startswith("make ")]
    assert examples, "the README has shell examples besides the make commands"
    assert examples[0].startswith("source .venv/bin/activate")


@in_make_venv
@pytest.mark.skipif(shutil.which("dot") is None, reason="needs the Graphviz dot program")
def test_readme_shell_examples_run_as_written_in_the_environment_make_made(tmp_path):
    # A reader in a fresh shell, at a repository root where `make demo` has run: the first
    # example activates .venv (the README says so), later blocks run in the same shell.
    (tmp_path / ".venv").symlink_to(VENV)
    (tmp_path / "out").mkdir()  # made by `make demo`; the examples write there
    examples = [block for block in shell_blocks() if not block.startswith("make ")]
    script = "set -e\n" + "\n".join(examples)
    result = subprocess.run(
        ["bash", "-c", script],
        cwd=tmp_path,
        env=fresh_shell_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    for written in re.findall(r"-o (\S+)", script):
        assert (tmp_path / written).stat().st_size > 0, written
    # every file an example writes goes into out/, which git ignores
    assert sorted(path.name for path in tmp_path.iterdir()) == [".venv", "out"]


@in_make_venv
@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_installing_prints_no_setuptools_editable_notice():
    # -W: as if pyproject.toml had changed, so make reinstalls the package and its extras
    result = subprocess.run(
        ["make", "-s", "-W", "pyproject.toml", str(VENV.relative_to(ROOT) / ".installed-dev")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    output = result.stdout + result.stderr
    assert "Editable installation" not in output and "!!" not in output
