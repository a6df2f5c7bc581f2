"""notebooks/build.py: Jupytext reads the sources; --check tells a stale notebook apart."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import jupytext
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


@pytest.fixture
def build(tmp_path, monkeypatch):
    """notebooks/build.py working on a copy of notebook 01's source in ``tmp_path``."""
    spec = importlib.util.spec_from_file_location("notebook_build", NOTEBOOKS / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    (tmp_path / "src").mkdir()
    shutil.copy(NOTEBOOKS / "src" / "01_chain_rule.py", tmp_path / "src")
    monkeypatch.setattr(module, "NOTEBOOKS", tmp_path)
    monkeypatch.setattr(module, "SOURCES", tmp_path / "src")
    return module


def test_cells_are_what_jupytext_reads_with_stable_ids_and_one_kernel(build):
    source = build.SOURCES / "01_chain_rule.py"
    notebook = build.notebook_from_source(source)
    by_jupytext = jupytext.read(source, fmt="py:percent")
    assert build.cell_sources(notebook) == build.cell_sources(by_jupytext)
    assert [cell.id for cell in notebook.cells[:2]] == ["01-00", "01-01"]
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    assert "jupytext" not in notebook.metadata  # the built file is not paired
    assert not any("lines_to_next_cell" in cell.metadata for cell in notebook.cells)


def test_check_reports_missing_unexecuted_and_edited_notebooks(build, capsys):
    assert build.main(["--check"]) == 1
    assert "01_chain_rule.ipynb is missing" in capsys.readouterr().err

    assert build.main(["--no-execute"]) == 0
    assert build.main(["--check"]) == 1
    assert "01_chain_rule.ipynb is not executed" in capsys.readouterr().err

    source = build.SOURCES / "01_chain_rule.py"
    source.write_text(source.read_text() + "\n# %%\nprint('a new cell')\n")
    assert build.main(["--check"]) == 1
    assert "01_chain_rule.ipynb differs from src/01_chain_rule.py" in capsys.readouterr().err


def test_every_source_opens_as_a_notebook_with_the_project_kernel():
    for source in sorted((NOTEBOOKS / "src").glob("[0-9][0-9]_*.py")):
        notebook = jupytext.read(source)  # as Jupyter with Jupytext opens it
        assert notebook.metadata["kernelspec"]["name"] == "python3", source.name
        assert notebook.cells[0].cell_type == "markdown", source.name  # the title first
