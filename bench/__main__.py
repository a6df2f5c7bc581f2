"""``python -m bench``: measure every case on every installed library, print one table.

Each measurement runs in its own fresh interpreter (``python -m bench.worker``), one after
another so they do not compete for the two cores, and the table is written to
``bench/RESULTS.md`` (atomically) with its date and command.

    python -m bench                     # the full run: several minutes
    python -m bench --quick             # tiny sizes, seconds; RESULTS.md is left alone
    python -m bench --cases A,D --repeat 3 --output /tmp/results.md
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from autograd.files import atomic_file
from bench import libraries
from bench.report import (
    NOT_INSTALLED,
    Context,
    Run,
    Runs,
    build_rows,
    conditions,
    cross_checks,
    load_average,
    machine_description,
    render,
    versions,
)

FULL_SIZES = {"A": 100_000, "B": 1_000_000, "C": 1_000_000, "D": 200}
QUICK_SIZES = {"A": 1_000, "B": 2_000, "C": 3_000, "D": 10}
RESULTS = Path(__file__).resolve().with_name("RESULTS.md")
REPO_ROOT = Path(__file__).resolve().parent.parent  # workers import `bench` from here
TIMEOUT_S = {"full": 3600.0, "quick": 120.0}  # per worker: a hang becomes a "failed" cell
MIN_BLOCK_S = {"full": 0.5, "quick": 0.02}  # D: shortest timed block of epochs


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return 0, or 1 when our engine failed a case or a check failed."""
    args = _parse(argv)
    mode = "quick" if args.quick else "full"
    sizes = QUICK_SIZES if args.quick else FULL_SIZES
    repeat = args.repeat or (1 if args.quick else 5)
    installed = [name for name in args.libraries if libraries.is_installed(name)]

    load_before = load_average()
    runs: Runs = {}
    plan = _plan(args.cases, installed, repeat)
    for number, (case, lib) in enumerate(plan, start=1):
        size = sizes[case[0]]
        started = time.perf_counter()
        run = _run_worker(lib, case, size, repeat, MIN_BLOCK_S[mode], TIMEOUT_S[mode])
        runs.setdefault((case, lib), []).append(run)
        outcome = "failed: " + run.error if run.error else "ok"
        seconds = time.perf_counter() - started
        print(f"[{number}/{len(plan)}] {lib} {case}: {outcome} ({seconds:.1f} s)", file=sys.stderr)

    for name in args.libraries:
        if name not in installed:  # a column that says so, rather than a silent gap
            for case in {case for case, _ in plan}:
                runs[case, name] = [Run(error=NOT_INSTALLED)]
    rows = [row for row in build_rows(runs, args.libraries) if row.label[0] in args.cases]
    problems = cross_checks(runs, chain_steps=sizes["B"])
    context = Context(
        date=datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        command=" ".join(["python -m bench", *(argv if argv is not None else sys.argv[1:])]),
        sizes=sizes,
        repeat=repeat,
        versions=versions(libraries.version),
        machine=machine_description(),
        cases=args.cases,
        load=f"{load_before} at the start, {load_average()} at the end" if load_before else "",
    )
    table = render(rows, args.libraries, context, problems, conditions(runs))
    print(table)

    output = args.output or (None if args.quick else RESULTS)
    if output is None:
        print("quick run: bench/RESULTS.md left alone (--output PATH writes one)", file=sys.stderr)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        with atomic_file(output, "w") as file:
            file.write(table)
        print(f"wrote {output}", file=sys.stderr)
    ours_failed = any(run.error for (_, lib), rs in runs.items() if lib == "ours" for run in rs)
    return 1 if problems or ours_failed else 0


def _plan(cases: str, installed: list[str], repeat: int) -> list[tuple[str, str]]:
    """(worker case, library) in running order: A and B once per repetition, C once, D once
    (a D worker times ``repeat`` blocks itself)."""
    plan = []
    for letter in cases:
        for lib in installed:
            if lib == "numpy" and letter != "D":
                continue  # the floor is case D's network written by hand, and nothing else
            if letter in "AB":
                plan += [(letter, lib)] * repeat
            elif letter == "C":
                plan.append(("C", lib))
            else:
                if lib != "numpy":  # written for the whole batch only
                    plan.append(("D-scalar", lib))
                if lib != "micrograd":  # it has no batched path
                    plan += [("D-batched", lib), ("D-minibatch", lib)]
    return plan


def _run_worker(
    lib: str, case: str, size: int, repeat: int, min_block_s: float, timeout_s: float
) -> Run:
    """One measurement in a fresh interpreter; its JSON result or the reason it failed."""
    command = [sys.executable, "-m", "bench.worker", lib, case, str(size)]
    command += ["--repeat", str(repeat), "--min-block-seconds", str(min_block_s)]
    env = {k: v for k, v in os.environ.items() if k != "AUTOGRAD_PURE_PYTHON"}
    if lib == libraries.PURE_PYTHON:
        env["AUTOGRAD_PURE_PYTHON"] = "1"
    try:
        done = subprocess.run(
            command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=timeout_s
        )
    except subprocess.TimeoutExpired:
        return Run(error=f"timed out after {timeout_s:.0f} s")
    if done.returncode < 0:
        return Run(error=f"crashed (signal {-done.returncode})")
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        return Run(error=lines[-1] if lines else f"exit status {done.returncode}")
    return Run(result=json.loads(done.stdout.strip().splitlines()[-1]))


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark this engine against micrograd and PyTorch (when installed).",
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    parser.add_argument("--repeat", type=int, help="repetitions (default 5; 1 with --quick)")
    parser.add_argument("--cases", default="A,B,C,D", help="comma-separated, from A,B,C,D")
    parser.add_argument(
        "--libraries", default=",".join(libraries.NAMES), help="comma-separated libraries"
    )
    parser.add_argument(
        "--output", type=Path, help="where to write the table (default bench/RESULTS.md)"
    )
    args = parser.parse_args(argv)
    cases = [c.strip().upper() for c in args.cases.split(",") if c.strip()]
    unknown = [c for c in cases if c not in ("A", "B", "C", "D")]
    if unknown or not cases:
        parser.error(f"--cases takes letters from A,B,C,D, got {args.cases!r}")
    args.cases = "".join(sorted(set(cases)))
    names = [n.strip() for n in args.libraries.split(",") if n.strip()]
    unknown = [n for n in names if n not in libraries.NAMES]
    if unknown or not names:
        parser.error(f"--libraries takes names from {','.join(libraries.NAMES)}, got {unknown}")
    if "ours" not in names:
        parser.error("--libraries must include ours: every ratio is taken against it")
    args.libraries = [n for n in libraries.NAMES if n in names]
    if args.repeat is not None and args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


if __name__ == "__main__":
    sys.exit(main())
