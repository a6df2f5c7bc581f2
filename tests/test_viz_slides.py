"""Onto slides (issue 21, part 3): the backward pass as numbered frames and as a GIF, the
drawing as TikZ that pdflatex compiles, and the command line's -o .gif / .tex / --frames."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

import viz
import viz.frames as frames_module
from autograd import Value
from autograd.nn import MLP
from viz.demo import classic_neuron
from viz.dot import draw_scene
from viz.frames import frame_scenes
from viz.images import pipe
from viz.labels import format_number
from viz.steps import ACTIVE_FILL, CHANGED_FILL

REPO = Path(__file__).resolve().parents[1]
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")
needs_pdflatex = pytest.mark.skipif(
    shutil.which("pdflatex") is None,
    reason="pdflatex is not installed (Debian: apt-get install texlive-latex-base "
    "texlive-pictures)",
)
SVG = "{http://www.w3.org/2000/svg}"


def neuron() -> Value:
    return classic_neuron()  # backward not called: the frames replay it


def small_network_loss() -> Value:
    prediction = MLP(2, [3, 1], activation="tanh", seed=0)([2.0, -1.0])
    prediction.label = "ŷ"
    loss = (prediction - Value(1.0, label="y")) ** 2
    loss.label = "L"
    return loss


def svg_texts(path: Path) -> str:
    return "\n".join("".join(t.itertext()) for t in ET.parse(path).getroot().iter(f"{SVG}text"))


def node_places(scene) -> dict[str, tuple[str, str, str, str]]:
    layout = json.loads(pipe(scene.to_digraph(), "json"))
    return {
        o["name"]: (o["pos"], o["width"], o["height"], layout["bb"])
        for o in layout["objects"]
        if "pos" in o
    }


# --------------------------------------------------------------------- frames


@needs_dot
def test_render_steps_writes_one_numbered_frame_per_step_showing_that_step(tmp_path):
    steps = viz.backward_steps(neuron())
    paths = viz.render_steps(neuron(), tmp_path / "frames")
    assert [p.name for p in paths] == [f"step_{k}.svg" for k in range(1, len(steps) + 1)]
    for frame, path in zip(steps, paths, strict=True):
        texts = svg_texts(path)
        assert frame.caption.split(":")[0] in texts  # "Step k of 5"
        svg = path.read_text()
        assert ACTIVE_FILL in svg and CHANGED_FILL in svg  # the visited node, what it changed
    # the last frame shows every gradient as backward() leaves it
    o = neuron()
    o.backward()
    last = svg_texts(paths[-1])
    for leaf in ("x1", "w1", "x2", "w2"):
        (node,) = [n for n in viz.backward_steps(o).order if n.label == leaf]
        assert f"grad {format_number(node.grad)}" in last


@needs_dot
def test_every_frame_has_the_same_layout_so_slides_do_not_jump():
    scenes = frame_scenes(viz.backward_steps(small_network_loss()))
    places = [node_places(scene) for scene in scenes]
    assert len(scenes) > 10 and all(p == places[0] for p in places)


@needs_dot
def test_png_frames_are_one_size_and_pdf_frames_are_pdf(tmp_path):
    pngs = viz.render_steps(neuron(), tmp_path / "png", "png", dpi=72)
    sizes = {Image.open(p).size for p in pngs}
    assert len(sizes) == 1
    pdfs = viz.render_steps(neuron(), tmp_path / "pdf", format="pdf")
    assert all(p.read_bytes().startswith(b"%PDF") for p in pdfs)


@needs_dot
def test_frames_of_an_earlier_run_are_removed_and_other_files_kept(tmp_path):
    folder = tmp_path / "frames"
    folder.mkdir()
    for name in ("step_7.svg", "step_9.svg", "notes.txt", "step_1.png"):
        (folder / name).write_text("old")
    paths = viz.render_steps(Value(2.0, label="x") * Value(3.0, label="w"), folder)
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt", "step_1.png", "step_1.svg"]
    assert paths == [folder / "step_1.svg"]


def test_render_steps_refuses_bad_arguments_before_any_work(tmp_path):
    with pytest.raises(ValueError, match="format must be one of svg, png, pdf"):
        viz.render_steps(neuron(), tmp_path, format="jpg")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        viz.render_steps(neuron(), tmp_path / "missing" / "frames")
    with pytest.raises(TypeError, match="unexpected keyword"):
        viz.render_steps(neuron(), tmp_path, colour=True)


@needs_dot
def test_a_failed_frame_leaves_no_half_written_file(tmp_path, monkeypatch):
    calls = []

    def pipe_that_fails_on_the_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("Graphviz dot failed: simulated")
        return pipe(*args, **kwargs)

    monkeypatch.setattr(frames_module, "pipe", pipe_that_fails_on_the_third)
    with pytest.raises(RuntimeError, match="simulated"):
        viz.render_steps(neuron(), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["step_1.svg", "step_2.svg"]


# --------------------------------------------------------------------- the GIF


@needs_dot
def test_animate_writes_a_looping_gif_with_a_frame_per_step(tmp_path):
    path = viz.animate(neuron(), tmp_path / "backward.gif", seconds_per_step=0.5, dpi=48)
    gif = Image.open(path)
    steps = viz.backward_steps(neuron())
    assert gif.format == "GIF" and gif.n_frames == len(steps) and gif.info["loop"] == 0
    durations, pictures = [], []
    for k in range(gif.n_frames):
        gif.seek(k)
        durations.append(gif.info["duration"])
        pictures.append(gif.convert("RGB").tobytes())
    assert durations[:-1] == [500] * (len(steps) - 1) and durations[-1] > 500
    assert len(set(pictures)) == len(steps)  # every step looks different


def test_animate_refuses_a_path_that_is_not_a_gif(tmp_path):
    with pytest.raises(ValueError, match=r"ending in \.gif"):
        viz.animate(neuron(), tmp_path / "backward.png")
    with pytest.raises(ValueError, match="seconds_per_step must be positive"):
        viz.animate(neuron(), tmp_path / "backward.gif", seconds_per_step=0)
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------- TikZ


def drawn_neuron() -> Value:
    o = classic_neuron()
    o.backward()
    return o


@needs_dot
def test_tikz_places_every_box_where_graphviz_put_it_with_values_and_gradients():
    o = drawn_neuron()
    tex = viz.to_tikz(o, edge_labels="contribution")
    layout = json.loads(pipe(viz.draw(o, edge_labels="contribution"), "json"))
    for obj in layout["objects"]:
        if "pos" in obj:
            x, y = (float(v) for v in obj["pos"].split(","))
            assert f"({obj['name']}) at ({x:.1f},{y:.1f})" in tex, obj["name"]
    assert r"grad -1.5" in tex and r"data 0.7071" in tex  # o's value, x1's gradient
    assert r"0.5 $\times$ -3 = -1.5" in tex  # the contribution where x1's edge enters *
    visible = [e for e in draw_scene(o, edge_labels="contribution").edges if "style" not in e.attrs]
    assert tex.count(r"\draw[edge") == len(visible) == 14  # every edge along its spline


@needs_dot
def test_tikz_escapes_latex_specials_and_spells_out_unknown_characters():
    x = Value(1.0, label=r"x_1 & {50%} $#^~\ <>|")
    y = x * x
    y.label = "ŷ ☺"
    y.backward()
    tex = viz.to_tikz(y)
    assert r"x\_1 \& \{50\%\} \$\#\^{}\textasciitilde{}\textbackslash{} " in tex
    assert r"$\hat{y}$ [U+263A]" in tex
    body = viz.to_tikz(y, standalone=False)
    assert body.startswith(r"\begin{tikzpicture}") and "documentclass" not in body


def compile_tex(tex: str, folder: Path) -> subprocess.CompletedProcess:
    (folder / "graph.tex").write_text(tex, encoding="utf-8")
    return subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "graph.tex"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )


@needs_dot
@needs_pdflatex
@pytest.mark.parametrize(
    "options",
    [{"edge_labels": "contribution"}, {"rankdir": "TB", "color_by_grad": True}],
    ids=["contribution", "top-to-bottom"],
)
def test_tikz_compiles_with_pdflatex_to_one_page(tmp_path, options):
    result = compile_tex(viz.to_tikz(drawn_neuron(), **options), tmp_path)
    log = (tmp_path / "graph.log").read_text(errors="replace")
    assert result.returncode == 0, log[-2000:]
    assert "Output written on graph.pdf (1 page" in log
    assert "Missing character" not in log
    assert (tmp_path / "graph.pdf").read_bytes().startswith(b"%PDF")


@needs_dot
@needs_pdflatex
def test_a_collapsed_network_and_hostile_labels_compile_too(tmp_path):
    out = MLP(2, [16, 16, 1], activation="relu", seed=0)([0.5, -1.0])
    out.backward()
    assert compile_tex(viz.to_tikz(out), tmp_path).returncode == 0
    x = Value(1.0, label=r"x_1 & {50%} $#^~\ <>| ☺")
    y = (x * x).tanh()
    y.backward()
    assert compile_tex(viz.to_tikz(y), tmp_path).returncode == 0


# --------------------------------------------------------------------- the command line


@needs_dot
def test_the_command_line_writes_a_gif_tikz_and_frames(tmp_path):
    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "viz", "tanh(x*w + b)", "--at", "x=2", "w=-3", "b=6.88", *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            timeout=120,
        )

    result = run("-o", "backward.gif", "--frames", "frames", "--frame-format", "svg")
    assert result.returncode == 0, result.stderr
    assert "wrote backward.gif" in result.stdout
    assert "wrote 3 frames into frames: step_1.svg … step_3.svg" in result.stdout
    assert Image.open(tmp_path / "backward.gif").n_frames == 3
    result = run("-o", "graph.tex")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "graph.tex").read_text().startswith(r"\documentclass")
    result = run("-o", "graph.jpg")
    assert result.returncode == 2 and ".gif, .tex" in result.stderr
