"""Turn the workers' results into one table: values, ratios, targets, checks, context.

The table is Markdown, so the same text is printed and kept in ``bench/RESULTS.md``.
Ratios are "their time / our time" (how many times faster this engine is), computed from
the medians of the same run.

>>> ratio_text(12_000.0, 1_500.0)
'8.0x'
"""

from __future__ import annotations

import math
import os
import platform
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.libraries import NAMES

PEERS = ("ours-pure", "micrograd", "torch", "numpy")  # a ratio column each: theirs / ours
COMPILED_SPEEDUP_TARGET = 40.0  # A, B: the compiled engine, at most 1/40 of micrograd's time
SPEEDUP_TARGET = 8.0  # A, B as pure Python, and D scalar: at most 1/8 of micrograd's time
NUMPY_BATCHED_FACTOR = 3.0  # D batched and mini-batch: within 3x of the hand-written numpy floor
BYTES_TARGET = 150.0  # C: at most 150 bytes per op node
GRADIENT_FLOW_TARGET = 10.0  # D batched: viz.GradientFlow costs at most 10 % of an epoch
NOT_INSTALLED = "not installed"  # the error of a library's runs when it cannot be imported


@dataclass
class Run:
    """One worker's outcome: its JSON result, or the reason it has none."""

    result: dict[str, Any] | None = None
    error: str | None = None


Runs = dict[tuple[str, str], list[Run]]  # (worker case, library) -> one Run per process


@dataclass
class Cell:
    """One library's entry in a row: a number (or yes/no), or a text saying why not."""

    value: float | bool | None = None
    text: str = ""
    marks: list[str] = field(default_factory=list)  # footnote marks, e.g. the recursion limit


@dataclass
class Row:
    """One line of the table."""

    label: str
    cells: dict[str, Cell]
    target: str = ""
    verdict: str = ""
    ratio_base: dict[str, float | None] = field(default_factory=dict)  # peer value for ratios


@dataclass
class Context:
    """What the table was measured with: printed above it."""

    date: str
    command: str
    sizes: dict[str, int]
    repeat: int
    versions: dict[str, str | None]
    machine: str
    cases: str = "ABCD"  # the letters of the cases that ran
    load: str = ""  # load averages before and after: other work on the machine skews times


# --------------------------------------------------------------------- summarising


def build_rows(runs: Runs, libraries: list[str]) -> list[Row]:
    """The table's rows from every run, in case order.

    >>> rows = build_rows({("C", "ours"): [Run({"bytes_per_node": 140.0})]}, ["ours"])
    >>> rows[5].label, rows[5].cells["ours"].value, rows[5].verdict
    ('C: bytes per op node, graph A', 140.0, 'met')
    """

    def row(label: str, case: str, value: Callable[[list[dict[str, Any]]], Any]) -> Row:
        return Row(label, {lib: _cell(runs.get((case, lib)), value) for lib in libraries})

    a_forward = row("A: forward, ns per op node", "A", _median("forward_ns_per_node"))
    a_backward = row("A: backward, ns per op node", "A", _median("backward_ns_per_node"))
    a_total = row("A: forward + backward, ns per op node", "A", _median_total)
    b_works = row("B: backward works at the default recursion limit", "B", _works)
    b_total = row("B: forward + backward, ns per op node", "B", _median("ns_per_node"))
    c_forward = row("C: bytes per op node, graph A", "C", _first("bytes_per_node"))
    d_scalar = row("D: scalar epoch (per sample), ms", "D-scalar", _epoch_ms)
    d_batched = row("D: batched epoch (whole batch), ms", "D-batched", _epoch_ms)
    d_minibatch = row("D: mini-batch epoch (7 steps of 32), ms", "D-minibatch", _epoch_ms)
    for d_row in (d_batched, d_minibatch):
        if "micrograd" in d_row.cells:
            d_row.cells["micrograd"] = Cell(text="no batched path")

    rows = [a_forward, a_backward, a_total, b_works, b_total, c_forward]
    rows += [d_scalar, d_batched, d_minibatch]
    for r in rows:
        r.ratio_base = {peer: _number(r.cells.get(peer)) for peer in PEERS}
    # micrograd has no batched path: its batched ratios are taken against its scalar epoch.
    for d_row in (d_batched, d_minibatch):
        d_row.ratio_base["micrograd"] = _number(d_scalar.cells.get("micrograd"))

    for r in (a_total, b_total):  # the compiled engine, and the same as pure Python
        pure = _number(r.cells.get("ours-pure"))
        _speedup_target(r, "micrograd", COMPILED_SPEEDUP_TARGET)
        r.target = f"compiled {r.target}; pure Python ≥ {SPEEDUP_TARGET:g}x"
        verdict = _speedup_verdict(r.ratio_base.get("micrograd"), pure, SPEEDUP_TARGET)
        r.verdict += f"; pure Python: {verdict}"
    _speedup_target(d_scalar, "micrograd", SPEEDUP_TARGET)
    b_works.target = "yes"
    ours_works = b_works.cells.get("ours", Cell()).value
    b_works.verdict = "met" if ours_works is True else "missed" if ours_works is False else "n/a"
    c_forward.target = f"≤ {BYTES_TARGET:.0f}"
    ours_bytes = _number(c_forward.cells.get("ours"))
    if ours_bytes is None:
        c_forward.verdict = "n/a"
    elif ours_bytes <= BYTES_TARGET:
        c_forward.verdict = "met"
    else:
        c_forward.verdict = f"missed: {ours_bytes / BYTES_TARGET:.2f}x the limit"
    _batched_targets(d_batched)
    _batched_targets(d_minibatch)
    return rows


def _cell(runs: list[Run] | None, value: Callable[[list[dict[str, Any]]], Any]) -> Cell:
    if not runs:
        return Cell(text="—")
    failed = [r.error for r in runs if r.error is not None]
    if failed:
        return Cell(text=failed[0] if failed[0] == NOT_INSTALLED else f"failed: {failed[0]}")
    results = [r.result for r in runs if r.result is not None]
    cell = Cell(value=value(results))
    if cell.value is None:  # the run finished but could not measure this (B: RecursionError)
        cell.text = f"failed: {results[0].get('error', 'no result')}"
    if any(r.get("recursion_limit_raised") for r in results):
        cell.marks.append("†")
    if any(r.get("method") == "resident memory" for r in results):
        cell.marks.append("‡")
    return cell


def _median(key: str) -> Callable[[list[dict[str, Any]]], float | None]:
    def value(results: list[dict[str, Any]]) -> float | None:
        numbers = [r[key] for r in results if key in r]
        return statistics.median(numbers) if numbers else None

    return value


def _median_total(results: list[dict[str, Any]]) -> float:
    return statistics.median(r["forward_ns_per_node"] + r["backward_ns_per_node"] for r in results)


def _first(key: str) -> Callable[[list[dict[str, Any]]], float]:
    return lambda results: results[0][key]


def _works(results: list[dict[str, Any]]) -> bool:
    return all(r["works_at_default_limit"] for r in results)


def _epoch_ms(results: list[dict[str, Any]]) -> float:
    return statistics.median(r["epoch_ns"] for r in results) / 1e6


def _number(cell: Cell | None) -> float | None:
    if cell is None or isinstance(cell.value, bool) or cell.value is None:
        return None
    return float(cell.value)


# --------------------------------------------------------------------- targets


def ratio_text(theirs: float | None, ours: float | None) -> str:
    """How many times faster (or smaller) ours is: their value / our value.

    >>> ratio_text(1.0, 4.0), ratio_text(None, 4.0), ratio_text(2_500.0, 1.0)
    ('0.25x', '', '2500x')
    """
    if theirs is None or ours is None or ours <= 0.0:
        return ""
    ratio = theirs / ours
    return f"{ratio:.0f}x" if ratio >= 100 else f"{ratio:.2g}x" if ratio < 1 else f"{ratio:.1f}x"


def _speedup_target(row: Row, peer: str, needed: float) -> None:
    row.target = f"≥ {needed:g}x faster than {peer}"
    row.verdict = _speedup_verdict(row.ratio_base.get(peer), _number(row.cells.get("ours")), needed)


def _speedup_verdict(theirs: float | None, ours: float | None, needed: float) -> str:
    if theirs is None or ours is None:
        return "n/a"
    speedup = theirs / ours
    if speedup >= needed:
        return "met"
    return f"missed: {ratio_text(theirs, ours)}, {needed / speedup:.2g}x short"


def _batched_targets(row: Row) -> None:
    row.target = f"≤ torch's time; ≤ {NUMPY_BATCHED_FACTOR:g}x the numpy floor"
    ours = _number(row.cells.get("ours"))
    verdicts = []
    for peer, factor in (("torch", 1.0), ("numpy", NUMPY_BATCHED_FACTOR)):
        theirs = row.ratio_base.get(peer)
        if theirs is None or ours is None:
            verdicts.append(f"{peer}: n/a")
        elif ours <= factor * theirs:
            verdicts.append(f"{peer}: met")
        else:
            verdicts.append(f"{peer}: missed, {ours / theirs:.2g}x its time")
    row.verdict = "; ".join(verdicts)


def conditions(runs: Runs) -> list[str]:
    """Lines saying what D ran under (the engine's build, PyTorch's threads, the load, where
    our batched epoch's time goes) and what one of our C nodes is made of.

    >>> conditions({("D-batched", "torch"): [Run({"threads": 2, "load": 0.5})]})
    ['torch D-batched: 2 threads, load average 0.50 when it ran.']
    """
    lines = []
    for (case, lib), case_runs in sorted(runs.items()):
        result = case_runs[0].result if case_runs else None
        if result and "parts" in result:
            parts = ", ".join(f"{k} {v} B" for k, v in result["parts"].items())
            lines.append(
                f"{lib} C, one `*` node (sys.getsizeof, each part an allocation of its own;"
                f" pymalloc rounds up to 16): {parts}."
            )
        if not result or not case.startswith("D"):
            continue
        said = []
        if "compiled" in result:
            said.append("compiled engine" if result["compiled"] else "pure-Python engine")
        if "threads" in result:
            said.append(f"{result['threads']} threads")
        if result.get("load") is not None:
            said.append(f"load average {result['load']:.2f} when it ran")
        lines.append(f"{lib} {case}: {', '.join(said)}.")
        if "phases_us" in result:
            phases = ", ".join(f"{k} {v:.0f}" for k, v in result["phases_us"].items())
            lines.append(f"{lib} {case}, where its epoch goes (µs, phase by phase): {phases}.")
        if "step_phases_us" in result:
            phases = ", ".join(f"{k} {v:.0f}" for k, v in result["step_phases_us"].items())
            lines.append(f"{lib} {case}, where one step of 32 goes (µs): {phases}.")
        if "gradient_flow" in result:
            lines.append(gradient_flow_line(lib, case, result["gradient_flow"]))
    return lines


def gradient_flow_line(lib: str, case: str, flow: dict[str, float]) -> str:
    """What recording ``viz.GradientFlow`` every epoch costs, against its target.

    >>> flow = {"without_us": 800.0, "with_us": 840.0, "overhead_percent": 5.0}
    >>> gradient_flow_line("ours", "D-batched", flow).split(": ", 1)[1]
    '840 µs against 800 µs without (+5.0 %; target ≤ 10 %: met).'
    """
    overhead = flow["overhead_percent"]
    verdict = "met" if overhead <= GRADIENT_FLOW_TARGET else "missed"
    return (
        f"{lib} {case} with viz.GradientFlow recording every epoch: {flow['with_us']:.0f} µs "
        f"against {flow['without_us']:.0f} µs without ({overhead:+.1f} %; target "
        f"≤ {GRADIENT_FLOW_TARGET:g} %: {verdict})."
    )


# --------------------------------------------------------------------- checks


def cross_checks(runs: Runs, chain_steps: int) -> list[str]:
    """Problems found when comparing what the libraries computed (empty: all agree).

    Case A adds the same numbers in the same order in every library, and D starts from
    the same weights; only summation order differs (an n-ary sum, a batched mean), which
    moves a double by a few ulps, so 1e-9 relative separates rounding from a real error.
    B's ∂y/∂y0 is 1.0001 ** steps, reached by ``steps`` roundings of 1.1e-16 each.

    >>> cross_checks({("B", "ours"): [Run({"grad_y0": 2.0})]}, chain_steps=1)
    ['B: ours gives ∂y/∂y0 = 2, expected 1.0001']
    """
    problems = []
    expected = 1.0001**chain_steps
    for (case, lib), case_runs in sorted(runs.items()):
        for run in case_runs:
            grad = (run.result or {}).get("grad_y0")
            if case == "B" and grad is not None and not _close(grad, expected, 1e-8):
                problems.append(f"B: {lib} gives ∂y/∂y0 = {grad:.10g}, expected {expected:.10g}")
    for what, cases, key in [
        ("A root value", ("A",), "root"),
        ("A gradient sum over x", ("A",), "grad_sum_x"),
        ("D first-epoch loss", ("D-scalar", "D-batched"), "first_loss"),
        ("D mini-batch first-epoch loss", ("D-minibatch",), "first_loss"),
    ]:
        values = {
            f"{lib} {case}": run.result[key]
            for (case, lib), case_runs in sorted(runs.items())
            if case in cases
            for run in case_runs[:1]
            if run.result is not None and key in run.result
        }
        first = next(iter(values.values()), None)
        if not all(_close(v, first, 1e-9) for v in values.values()):
            listed = ", ".join(f"{name}: {v:.15g}" for name, v in values.items())
            problems.append(f"{what} differs between libraries ({listed})")
    return problems


def _close(a: float, b: float, rtol: float) -> bool:
    return math.isclose(a, b, rel_tol=rtol, abs_tol=1e-12)


# --------------------------------------------------------------------- rendering


def render(
    rows: list[Row],
    libraries: list[str],
    context: Context,
    problems: list[str],
    notes: list[str] | None = None,
) -> str:
    """The whole report as Markdown: context, table, footnotes, checks."""
    versions = ", ".join(f"{name} {v or 'not installed'}" for name, v in context.versions.items())
    load = f"; load average {context.load}" if context.load else ""
    sizes = context.sizes
    lines = [
        "# Benchmark results",
        "",
        f"- Date: {context.date}",
        f"- Command: `{context.command}`",
        f"- Versions: {versions}",
        f"- Machine: {context.machine}{load}",
        f"- Sizes: A {sizes['A']:,} steps ({3 * sizes['A']:,} op nodes); "
        f"B {sizes['B']:,} steps ({2 * sizes['B']:,} op nodes); "
        f"C {sizes['C']:,} op nodes; D {sizes['D']} points",
        f"- Each measurement runs in a fresh interpreter with default settings (the harness "
        f"never touches the garbage collector). Repetitions: {context.repeat}, medians shown "
        f"(A, B: one process per repetition; D: one process timing {context.repeat} blocks "
        f"of epochs after one untimed epoch; C: one process). Ratios: their value / ours, "
        f"from this same run.",
        "",
    ]
    header = ["case", *libraries]
    header += [f"{peer} / ours" for peer in PEERS if peer in libraries]
    header += ["target", "result"]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join(["---"] + ["--:"] * (len(header) - 3) + ["---", "---"]) + "|")
    footnotes: dict[str, str] = {}
    for row in rows:
        cells = [_format(row, lib, footnotes) for lib in libraries]
        ratios = [
            ratio_text(row.ratio_base.get(peer), _number(row.cells.get("ours")))
            for peer in PEERS
            if peer in libraries
        ]
        entries = [row.label, *cells, *ratios, row.target, row.verdict]
        lines.append("| " + " | ".join(entries) + " |")
    lines.append("")
    lines += [f"{mark} {text}" for mark, text in footnotes.items()]
    if "C" in context.cases:
        lines.append(
            "C measures the case A graph at the size above; its leaves x, w are made before "
            "measuring, so the bytes are what the op nodes cost."
        )
    if "D" in context.cases:
        lines.append(
            "D batched and mini-batch: the micrograd ratio is against micrograd's scalar epoch "
            "(it has no batched path); torch runs on 1 thread there, as our fused layers' "
            "matrix products do; numpy is the same epoch written by hand (bench/epoch.py)."
        )
    lines += notes or []
    lines.append("")
    if problems:
        lines.append("**Cross-checks FAILED:**")
        lines += [f"- {p}" for p in problems]
    else:
        checked = {
            "A": "the same case A root and gradients",
            "B": "the exact case B gradient",
            "D": "the same first-epoch loss in D",
        }
        done = [text for case, text in checked.items() if case in context.cases]
        if done:
            lines.append(f"Cross-checks passed: every library computed {', '.join(done)}.")
    return "\n".join(lines) + "\n"


def _format(row: Row, lib: str, footnotes: dict[str, str]) -> str:
    cell = row.cells.get(lib, Cell(text="—"))
    for mark in cell.marks:
        footnotes[mark] = _FOOTNOTES[mark]
    if cell.value is None:
        return cell.text or "—"
    if isinstance(cell.value, bool):
        text = "yes" if cell.value else "no (RecursionError)"
    elif row.label.endswith("ms"):
        text = f"{cell.value:.3g}" if cell.value < 100 else f"{cell.value:,.0f}"
    else:
        text = f"{cell.value:,.0f}"
    return text + "".join(cell.marks)


_FOOTNOTES = {
    "†": "backward raised RecursionError at the default recursion limit; timed again with "
    "the limit raised (its recursive topological sort needs one frame per node of depth).",
    "‡": "PyTorch allocates in C++, which tracemalloc cannot see: growth of the process's "
    "resident memory instead (others: tracemalloc).",
}


# --------------------------------------------------------------------- context and files


def machine_description() -> str:
    """CPU model and core count, e.g. 'Intel(R) Xeon(R) Processor, 2 cores, Linux x86_64'."""
    model = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.machine()}"


def load_average() -> str:
    """The 1-minute load average, e.g. '0.12' (empty where the system has none)."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except (AttributeError, OSError):
        return ""


def versions(installed: Callable[[str], str | None]) -> dict[str, str | None]:
    """Python, numpy and each library's version (None when not installed)."""
    import numpy

    found: dict[str, str | None] = {"python": platform.python_version(), "numpy": numpy.__version__}
    for name in NAMES:
        if name not in ("ours-pure", "numpy"):  # the same packages as ours, numpy above
            found["autograd-viz" if name == "ours" else name] = installed(name)
    return found
