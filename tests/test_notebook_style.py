"""The notebooks read alike: one notation (notebooks/README.md's table) and plots large
enough to read on a laptop and on GitHub."""

from __future__ import annotations

import base64
import re
import struct
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
SOURCES = sorted((NOTEBOOKS / "src").glob("[0-9][0-9]_*.py"))

# Notations the notes use in places but the notebooks do not (see notebooks/README.md):
OTHER_NOTATIONS = {
    "the loss called C": r"∂C/|\\partial C\b|\bloss C\b|\bC = ",
    "the target called t": r"[yŷ] − t\b|\bt_[ij]\b|\btᵢ|\btⱼ|target,? t\b",
    "ŷ for the label or target": r"(label|target|truth|true value)\W{1,3}ŷ|ŷ (= disease|a measure)"
    r"|\) − ŷ\)",
    "y − ŷ (write ŷ − y)": r"\by − ŷ",
    "y as the model's output": r"\bthe model y\b|\boutput y\b|\bprediction y\b",
}


def comments_of(source: Path) -> str:
    """The markdown cells (and code comments) of a notebook source: its prose."""
    lines = source.read_text(encoding="utf-8").splitlines()
    return "\n".join(line[2:] for line in lines if line.startswith("# "))


@pytest.mark.parametrize("source", SOURCES, ids=[s.stem for s in SOURCES])
def test_notebooks_use_one_notation(source):
    text = comments_of(source)
    found = {
        what: re.findall(rf".{{0,30}}(?:{pattern}).{{0,30}}", text)
        for what, pattern in OTHER_NOTATIONS.items()
    }
    assert not {what: hits for what, hits in found.items() if hits}


def test_the_notation_table_names_every_symbol():
    readme = (NOTEBOOKS / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Notation") :]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    symbols = " ".join(rows)
    for symbol in ["θ", "ŷ", "y", "L", "η", "λ", "x", "w", "b", "z", "a"]:
        assert re.search(rf"(?<!\w){symbol}(?!\w)", symbols), symbol
    assert "∂L/∂w" in section


def png_size(data: str) -> tuple[int, int]:
    """(width, height) in pixels of a base64 PNG, from its IHDR header."""
    header = base64.b64decode(data[:44])
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_plots_are_large_enough_to_read(path):
    # Matplotlib's inline default was 72 dpi: a 6-inch plot 430 pixels wide with 10-pixel
    # text. At 110 dpi a 7-inch plot is ~770 pixels wide, cropped a little to its content.
    sizes = [
        png_size(output["data"]["image/png"])
        for cell in nbformat.read(path, as_version=4).cells
        for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {})
    ]
    small = [size for size in sizes if size[0] < 700]
    assert not small, f"plots narrower than 700 pixels: {small}"
