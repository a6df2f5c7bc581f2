"""viz.render (module viz.images): files through Graphviz, atomic writes, errors without dot."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import viz
from autograd import Value
from viz.images import GraphvizNotFoundError, install_command

# The module behind the function viz.render (named apart, so an import finds the module).
render_module = importlib.import_module("viz.images")

REPO = Path(__file__).resolve().parents[1]
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")


def neuron() -> Value:
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.5, label="b")
    out = (x * w + b).tanh()
    out.label = "out"
    out.backward()
    return out


@needs_dot
def test_svg_png_and_pdf_are_real_files(tmp_path):
    out = neuron()
    svg = viz.render(out, tmp_path / "graph.svg", edge_labels="contribution")
    root = ET.parse(svg).getroot()  # well-formed XML
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert f"grad {out.grad:g}" in svg.read_text()
    png = viz.render(out, tmp_path / "graph.PNG")  # the suffix is case-insensitive
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    pdf = viz.render(out, tmp_path / "graph.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.PNG", "graph.pdf", "graph.svg"]


@needs_dot
def test_a_ready_digraph_can_be_rendered(tmp_path):
    path = viz.render(viz.draw(neuron(), rankdir="TB"), str(tmp_path / "graph.svg"))
    assert path == tmp_path / "graph.svg" and "<svg" in path.read_text()


@needs_dot
@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_written_files_get_the_usual_mode_not_the_temp_file_mode(tmp_path):
    mask = os.umask(0o022)
    try:
        path = viz.render(neuron(), tmp_path / "graph.svg")
    finally:
        os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o644


def test_an_unknown_suffix_is_refused_with_the_supported_ones(tmp_path):
    with pytest.raises(ValueError, match=r"\.svg, \.png, \.pdf or \.dot"):
        viz.render(neuron(), tmp_path / "graph.jpg")
    assert list(tmp_path.iterdir()) == []


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(TypeError, match=r"Value or a graphviz\.Digraph"):
        viz.render([1.0], tmp_path / "graph.svg")
    with pytest.raises(TypeError, match="rankdir"):
        viz.render(viz.draw(neuron()), tmp_path / "graph.svg", rankdir="TB")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        viz.render(neuron(), tmp_path / "missing" / "graph.svg")


def test_a_failed_render_keeps_the_old_file_and_leaves_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "graph.svg"
    path.write_text("previous picture")

    def failing_pipe(*args, **kwargs):
        raise RuntimeError("Graphviz dot failed: simulated")

    monkeypatch.setattr(render_module, "pipe", failing_pipe)
    with pytest.raises(RuntimeError, match="simulated"):
        viz.render(neuron(), path)
    assert path.read_text() == "previous picture"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.svg"]


def test_write_atomically_cleans_up_when_the_write_fails(tmp_path):
    with pytest.raises(TypeError):
        render_module.write_atomically(tmp_path / "graph.svg", "text, not bytes")
    assert list(tmp_path.iterdir()) == []


def test_a_dot_that_cannot_be_run_becomes_our_error(monkeypatch):
    def missing(*args, **kwargs):
        raise FileNotFoundError(2, "No such file or directory", "dot")

    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")  # dot "exists"
    monkeypatch.setattr(subprocess, "run", missing)  # ... but cannot be run
    with pytest.raises(GraphvizNotFoundError, match="install"):
        render_module.pipe(viz.draw(neuron()), "svg")


MISSING_DOT_SCRIPT = """
from autograd import Value
import viz, viz.programs
viz.programs.pip_build_path = lambda which=None: None  # no graphviz-pure either
x = Value(2.0, label="x")
y = (x * x).tanh()
y.backward()
assert "grad" in viz.draw(y).source   # the DOT text needs no Graphviz program
try:
    viz.render(y, "never.svg")
except viz.GraphvizNotFoundError as error:
    print(error)
else:
    raise SystemExit("render() succeeded without dot")
"""


def test_without_dot_or_graphviz_pure_render_names_the_install_commands(tmp_path):
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    result = subprocess.run(
        [sys.executable, "-c", MISSING_DOT_SCRIPT],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PATH": str(empty_bin), "PYTHONPATH": str(REPO)},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    message = result.stdout
    assert "'dot' is not installed" in message
    # This PATH has no package manager either, so the fallback for Linux is conda.
    assert install_command(which=lambda name: None) in message
    assert "viz.draw(root).source" in message
    assert "pip install graphviz-pure" in message
    assert not (tmp_path / "never.svg").exists()


@pytest.mark.parametrize(
    ("system", "tools", "environ", "expected"),
    [
        ("Darwin", [], {}, "brew install graphviz"),
        ("Windows", [], {}, "winget install graphviz"),
        ("Linux", ["apt-get", "dnf"], {}, "sudo apt-get install graphviz"),
        ("Linux", ["dnf"], {}, "sudo dnf install graphviz"),
        ("Linux", [], {}, "conda install -c conda-forge graphviz"),
        (
            "Linux",
            ["apt-get"],
            {"CONDA_PREFIX": "/opt/conda"},
            "conda install -c conda-forge graphviz",
        ),
    ],
)
def test_install_command_per_platform(system, tools, environ, expected):
    which = lambda name: f"/usr/bin/{name}" if name in tools else None  # noqa: E731
    assert install_command(system, which=which, environ=environ) == expected
