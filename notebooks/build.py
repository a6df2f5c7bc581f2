"""Build the notebooks from their readable sources in ``notebooks/src/``, executed.

Each source is a Python file in Jupytext's "percent" format (``# %%`` starts a code cell,
``# %% [markdown]`` a markdown cell written as comments), which Jupytext, Jupyter (with
Jupytext installed: "Open With → Notebook") and VS Code read as a notebook. The sources
are what people review and edit; the ``.ipynb`` files are generated from them by
Jupytext, executed top to bottom in a fresh kernel, and committed with their outputs so
they read without Jupyter.

    python notebooks/build.py                  # build and execute every notebook
    python notebooks/build.py 02_linear_model  # just one (name or source path)
    python notebooks/build.py --check          # are the .ipynb files up to date?

>>> text = "# %% [markdown]\\n# # Hi\\n\\n# %%\\nx = 1\\n"
>>> [(cell.cell_type, cell.source) for cell in notebook_from_text(text, "01").cells]
[('markdown', '# Hi'), ('code', 'x = 1')]
"""

from __future__ import annotations

import argparse
import html
import sys
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient
from nbformat import NotebookNode

from autograd.files import atomic_file

NOTEBOOKS = Path(__file__).resolve().parent
SOURCES = NOTEBOOKS / "src"
KERNEL = "python3"
CELL_TIMEOUT = 300  # seconds; generous, the budget per notebook is checked by the tests

# Cell metadata Jupytext adds to round-trip blank lines; noise in a built notebook.
_JUPYTEXT_CELL_KEYS = ("lines_to_next_cell", "lines_to_end_of_cell_marker")


def notebook_from_text(text: str, number: str) -> NotebookNode:
    """A new, unexecuted notebook from percent-format ``text``, read by Jupytext.

    ``number`` prefixes the cell ids, which are stable (``01-00``, ``01-01``, ...) so that
    rebuilding changes no more of the .ipynb than the source changed.
    """
    notebook = jupytext.reads(text, fmt="py:percent")
    notebook.metadata = nbformat.from_dict(
        {  # the same kernel for every notebook; no Jupytext pairing in the built file
            "kernelspec": {"name": KERNEL, "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        }
    )
    for i, cell in enumerate(notebook.cells):
        cell["id"] = f"{number}-{i:02d}"
        for key in _JUPYTEXT_CELL_KEYS:
            cell.metadata.pop(key, None)
    return notebook


def notebook_from_source(source: Path) -> NotebookNode:
    """A new, unexecuted notebook holding the cells of ``source``."""
    return notebook_from_text(source.read_text(encoding="utf-8"), source.stem[:2])


def execute(notebook: NotebookNode, cwd: Path = NOTEBOOKS) -> float:
    """Run every cell in a fresh kernel (outputs stored in place); return the seconds taken.

    Raises nbclient's ``CellExecutionError`` at the first cell that fails.
    """
    client = NotebookClient(
        notebook,
        kernel_name=KERNEL,
        timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(cwd)}},
        record_timing=False,  # no timestamps in the committed files
        store_widget_state=True,  # the final state of each progress bar, for freeze below
    )
    with client.setup_kernel():
        start = time.perf_counter()
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
        seconds = time.perf_counter() - start
        client.set_widgets_metadata()
    freeze_progress_bars(notebook)
    return seconds


def freeze_progress_bars(notebook: NotebookNode) -> None:
    """Replace each tqdm widget output by a text line showing the bar's final state.

    In Jupyter, ``tqdm.auto`` draws a live widget. A stored widget only keeps the text it
    had when first shown ("0%"), and GitHub cannot draw widgets at all, so the committed
    notebook gets the finished bar as text instead, e.g. ``epoch: 100%|██████████| 20/20``.
    """
    states = notebook.metadata.pop("widgets", {})
    state = states.get("application/vnd.jupyter.widget-state+json", {}).get("state", {})

    def model(reference: str) -> dict:
        return state.get(reference.removeprefix("IPY_MODEL_"), {}).get("state", {})

    for cell in notebook.cells:
        kept = []
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get("application/vnd.jupyter.widget-view+json")
            if view and view["model_id"] not in state:
                continue  # closed (e.g. tqdm's leave=False): Jupyter shows nothing either
            children = model(view["model_id"]).get("children", []) if view else []
            if len(children) == 3:  # tqdm's widget: HBox(HTML left, FloatProgress, HTML right)
                left, bar, right = (model(child) for child in children)
                done = bar.get("value", 0) / bar["max"] if bar.get("max") else 0
                filled = round(10 * done)
                text = f"{left.get('value', '')}|{'█' * filled}{' ' * (10 - filled)}|"
                text += right.get("value", "")
                output["data"] = {"text/plain": html.unescape(text).replace("\u2007", " ")}
            kept.append(output)
        if "outputs" in cell:
            cell["outputs"] = kept


def write_atomically(notebook: NotebookNode, path: Path) -> None:
    """Write ``notebook`` to ``path`` atomically (see ``autograd.files.atomic_file``)."""
    with atomic_file(path, "w") as file:
        nbformat.write(notebook, file)


def cell_sources(notebook: NotebookNode) -> list[tuple[str, str]]:
    """The (kind, source) of each cell: what must match between source and notebook."""
    return [(cell.cell_type, cell.source) for cell in notebook.cells]


def stale(source: Path) -> str | None:
    """Why the .ipynb built from ``source`` is out of date, or None when it is current."""
    target = NOTEBOOKS / f"{source.stem}.ipynb"
    if not target.exists():
        return f"{target.name} is missing"
    built = nbformat.read(target, as_version=4)
    if cell_sources(built) != cell_sources(notebook_from_source(source)):
        return f"{target.name} differs from src/{source.name}"
    if any(c.cell_type == "code" and c.execution_count is None for c in built.cells):
        return f"{target.name} is not executed"
    return None


def _select(names: list[str]) -> list[Path]:
    every = sorted(SOURCES.glob("[0-9][0-9]_*.py"))
    if not names:
        return every
    chosen = []
    for name in names:
        stem = Path(name).stem
        matches = [s for s in every if s.stem == stem or s.stem.startswith(f"{stem}_")]
        if not matches:
            raise SystemExit(f"error: no notebook source named {name!r} in {SOURCES}")
        chosen.extend(matches)
    return chosen


def main(argv: list[str] | None = None) -> int:
    """Command line: build (and execute) notebooks, or check that they are up to date."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="notebooks to build, e.g. 01 or 01_chain_rule")
    parser.add_argument("--check", action="store_true", help="only report stale notebooks")
    parser.add_argument("--no-execute", action="store_true", help="write without outputs")
    args = parser.parse_args(argv)

    sources = _select(args.names)
    if args.check:
        problems = [p for p in map(stale, sources) if p]
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0

    for source in sources:
        notebook = notebook_from_source(source)
        seconds = 0.0 if args.no_execute else execute(notebook)
        write_atomically(notebook, NOTEBOOKS / f"{source.stem}.ipynb")
        print(f"{source.stem}.ipynb  {seconds:5.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
