"""The notebooks run top to bottom in a fresh kernel, and the committed ones are up to date.

Each notebook asserts its own claims (a gradient equals its numerical estimate, the loss
goes down, ...), so executing it is a test of the engine, the nn library, the visualizer
and the notebook together: any error or failed assert in any cell fails here.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))

# A hung cell fails the test instead of hanging the suite. How long each notebook takes is
# measured and reported (notebooks/README.md), not asserted: this is a test, not a benchmark.
CELL_TIMEOUT_SECONDS = 120

# Notebooks that need an optional package: where it is missing they skip, saying why (the
# notebook itself says so in its first code cell). CI installs them (.ci/run).
NEEDS = {
    "13_to_pytorch": ("torch", "needs PyTorch: make torch, or pip install 'autograd-viz[torch]'")
}


def _build_module():
    """notebooks/build.py, imported by path (notebooks/ is not a package)."""
    spec = importlib.util.spec_from_file_location("notebook_build", NOTEBOOKS / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_lecture_topic_has_its_notebook():
    numbers = [path.stem[:2] for path in PATHS]
    assert numbers[:9] == [f"{n:02d}" for n in range(1, 10)]  # the lectures' topics, 1 to 9
    assert len(set(numbers)) == len(numbers)  # and after them, one number per notebook


def test_committed_notebooks_are_built_and_executed_from_their_sources():
    build = _build_module()
    sources = sorted(build.SOURCES.glob("[0-9][0-9]_*.py"))
    assert [s.stem for s in sources] == [p.stem for p in PATHS]
    problems = [problem for problem in map(build.stale, sources) if problem]
    assert not problems, "; ".join(problems) + " (run: python notebooks/build.py)"


@pytest.mark.notebook
@pytest.mark.parametrize("path", PATHS, ids=[path.stem for path in PATHS])
def test_notebook_runs_in_a_fresh_kernel(path: Path):
    if path.stem in NEEDS and importlib.util.find_spec(NEEDS[path.stem][0]) is None:
        pytest.skip(NEEDS[path.stem][1])
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=CELL_TIMEOUT_SECONDS,
        resources={"metadata": {"path": str(NOTEBOOKS)}},  # cwd of the kernel
    )
    client.execute()  # raises CellExecutionError with the failing cell and its traceback
