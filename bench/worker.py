"""Run one measurement (one library, one case) and print its result as one JSON line.

The harness starts this module in a fresh interpreter for every measurement, so no case
sees another's heap, imports or garbage, and interpreter settings are the defaults:

    python -m bench.worker ours A 100000
    python -m bench.worker torch D-batched 200 --repeat 5

A failure is a traceback on stderr and a non-zero exit; the harness reports its last line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
from time import perf_counter_ns
from typing import Any

from bench import cases, epoch
from bench.libraries import NAMES, load

CASES = ("A", "B", "C", "D-scalar", "D-batched", "D-minibatch")


def measure(library: str, case: str, size: int, repeat: int, min_block_s: float) -> dict[str, Any]:
    """Run ``case`` at ``size`` (steps, op nodes or points) on ``library`` in this process.

    >>> measure("ours", "A", 10, repeat=1, min_block_s=0.0)["op_nodes"]
    30
    """
    if case == "A":
        return cases.mixed_graph(load(library), steps=size)
    if case == "B":
        return cases.chain(load(library), steps=size)
    if case == "C":
        return cases.graph_memory(load(library), op_nodes=size)
    if case in ("D-scalar", "D-batched", "D-minibatch"):
        path = case.removeprefix("D-")
        if library == "torch" and path != "scalar":
            import torch  # our fused layers run their products on one thread: the same here

            torch.set_num_threads(1)
        result = time_epochs(epoch.epoch_runner(library, path, points=size), repeat, min_block_s)
        if library == "ours" and path == "batched":  # where its time goes, for the report
            result["phases_us"] = epoch.ours_phases(points=size)
            result["gradient_flow"] = epoch.ours_gradient_flow_overhead(points=size)
        if library == "ours" and path == "minibatch":
            result["step_phases_us"] = epoch.ours_phases(points=epoch.MINI_BATCH)
        return {**result, **_conditions(library)}
    raise ValueError(f"unknown case {case!r}; choose from {', '.join(CASES)}")


def time_epochs(run_epoch: Any, repeat: int, min_block_s: float) -> dict[str, Any]:
    """Median time of one epoch over ``repeat`` timed blocks, after one untimed epoch.

    The untimed first epoch pays one-off costs (lazy imports, caches) and its loss, at the
    initial weights, is what all libraries must agree on. A block runs as many epochs as
    fit in ``min_block_s`` (judged by the first epoch), so a sub-millisecond epoch is not
    timed alone.

    >>> result = time_epochs(lambda: 1.0, repeat=3, min_block_s=0.0)
    >>> result["first_loss"], len(result["epoch_ns_samples"])
    (1.0, 3)
    """
    start = perf_counter_ns()
    first_loss = run_epoch()
    first_ns = perf_counter_ns() - start
    per_block = max(1, int(min_block_s * 1e9 / max(first_ns, 1)))
    samples = []
    for _ in range(repeat):
        start = perf_counter_ns()
        for _ in range(per_block):
            run_epoch()
        samples.append((perf_counter_ns() - start) / per_block)
    return {
        "first_loss": first_loss,
        "epochs_per_block": per_block,
        "epoch_ns": statistics.median(samples),
        "epoch_ns_samples": samples,
    }


def _conditions(library: str) -> dict[str, Any]:
    """What the epoch ran under: the engine's build, PyTorch's threads, the machine's load."""
    found: dict[str, Any] = {"load": os.getloadavg()[0] if hasattr(os, "getloadavg") else None}
    if library.startswith("ours"):
        import autograd

        found["compiled"] = autograd.COMPILED
    if library == "torch":
        import torch

        found["threads"] = torch.get_num_threads()
    return found


def main(argv: list[str] | None = None) -> None:
    """Parse the command line, measure, print the result as JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.worker", description=__doc__)
    parser.add_argument("library", choices=NAMES)
    parser.add_argument("case", choices=CASES)
    parser.add_argument("size", type=int, help="steps (A, B), op nodes (C) or points (D)")
    parser.add_argument("--repeat", type=int, default=1, help="timed blocks (D only)")
    parser.add_argument("--min-block-seconds", type=float, default=0.2, help="(D only)")
    args = parser.parse_args(argv)
    if args.size < 1 or args.repeat < 1:
        parser.error("size and --repeat must be at least 1")
    result = measure(args.library, args.case, args.size, args.repeat, args.min_block_seconds)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
