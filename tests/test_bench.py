"""The benchmark runs end to end: a smoke run at tiny sizes, never a timed test.

Timings from a CI machine shared with other jobs say nothing, so no number is checked
here beyond the cross-checks the bench makes itself (every library computes the same
values); ``make bench`` produces the real table. PyTorch is left out (importing it takes
seconds per process); micrograd is used when installed, else its column says so.
"""

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "RESULTS.md"

ROWS = [
    "A: forward, ns per op node",
    "A: backward, ns per op node",
    "A: forward + backward, ns per op node",
    "B: backward works at the default recursion limit",
    "B: forward + backward, ns per op node",
    "C: bytes per op node, graph A",
    "D: scalar epoch (per sample), ms",
    "D: batched epoch (whole batch), ms",
    "D: mini-batch epoch (7 steps of 32), ms",
]


def bench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bench", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_quick_run_prints_every_case_and_leaves_results_md_alone(tmp_path):
    before = RESULTS.read_bytes() if RESULTS.exists() else None
    output = tmp_path / "results.md"

    done = bench("--quick", "--libraries", "ours,micrograd", "--output", str(output))

    assert done.returncode == 0, done.stderr
    for row in ROWS:
        assert f"| {row} |" in done.stdout, row
    assert "Cross-checks passed" in done.stdout  # all libraries computed the same numbers
    assert "with viz.GradientFlow recording every epoch" in done.stdout  # its overhead
    assert "failed" not in done.stdout
    assert output.read_text() in done.stdout  # the file holds the printed table
    assert "| case | ours | micrograd | micrograd / ours |" in output.read_text()
    assert (RESULTS.read_bytes() if RESULTS.exists() else None) == before


def test_bad_arguments_are_clear_errors():
    done = bench("--quick", "--cases", "A,X")
    assert done.returncode == 2
    assert "--cases takes letters from A,B,C,D" in done.stderr
    done = bench("--quick", "--libraries", "ours,tensorflow")
    assert done.returncode == 2
    assert "--libraries takes names from ours,ours-pure,micrograd,torch,numpy" in done.stderr


def test_the_numpy_floor_trains_the_same_network_as_ours():
    """The floor is only a floor if it does the same arithmetic: three epochs, same losses."""
    from bench.epoch import epoch_runner

    for path in ("batched", "minibatch"):
        ours, floor = epoch_runner("ours", path, 70), epoch_runner("numpy", path, 70)
        for _ in range(3):
            assert ours() == pytest.approx(floor(), rel=1e-12), path
