"""Every picture in docs/ is what the code draws now (issue 21): regenerated and compared
byte for byte. They are drawn with graphviz-pure, which writes the same bytes on every
platform; after a change to the drawings, `make docs-pictures` redraws them."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from viz.programs import pip_build_path

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"


def docs_pictures():
    spec = importlib.util.spec_from_file_location(
        "docs_pictures", REPO / "scripts/docs_pictures.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(pip_build_path() is None, reason="graphviz-pure is not installed")
def test_the_committed_pictures_are_what_the_code_draws(tmp_path):
    assert docs_pictures().main(["--out", str(tmp_path)]) == 0
    drawn = sorted(p.name for p in tmp_path.iterdir())
    assert drawn == sorted(p.name for p in DOCS.glob("*.svg"))  # every picture in docs/
    for name in drawn:
        assert (tmp_path / name).read_bytes() == (DOCS / name).read_bytes(), (
            f"docs/{name} is not what the code draws now: run `make docs-pictures`"
        )


def test_the_pictures_use_the_notebooks_notation():
    small = (DOCS / "mlp_2_3_1.svg").read_text(encoding="utf-8")
    assert ">ŷ</text>" in small and ">y</text>" in small and ">L</text>" in small
    big = (DOCS / "mlp_2_16_16_1.svg").read_text(encoding="utf-8")
    assert big.count("‖∂L/∂w‖") == 16 + 16 + 1 + 1  # each neuron, and the legend
    assert "dead: out 0 on all 75 samples" in big
    assert ">y</text>" in big and ">L</text>" in big and "target" not in big
