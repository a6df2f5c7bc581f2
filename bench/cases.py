"""Cases A, B and C: graph building, backward and memory, the same code for every library.

Each function runs one measurement in the current process and returns a dict of plain
numbers (the worker prints it as JSON). Times are wall-clock ``perf_counter_ns``; nothing
here touches the garbage collector, and the recursion limit is raised only for a library
whose backward recurses, only after it failed at the default limit (see ``_backward``).

>>> from bench.libraries import load
>>> result = mixed_graph(load("ours"), steps=10)
>>> result["op_nodes"], result["recursion_limit_raised"]
(30, False)
"""

from __future__ import annotations

import random
import sys
import tracemalloc
from time import perf_counter_ns
from typing import Any

from bench.libraries import Library


def mixed_graph(lib: Library, steps: int) -> dict[str, Any]:
    """Case A: time ``acc = acc + (x[i] * w[i]).relu()`` over ``steps``, then backward.

    Three op nodes per step (``*``, ``relu``, ``+``); the leaves x and w are made before
    the clock starts. Returns ns per op node for forward and backward, the root's value
    and Σ ∂acc/∂x[i] (so the harness can check that all libraries computed the same thing).
    """
    x, w = _leaves(lib, steps)
    acc = lib.constant(0.0)
    start = perf_counter_ns()
    for i in range(steps):
        acc = acc + (x[i] * w[i]).relu()
    forward_ns = perf_counter_ns() - start
    backward_ns, raised = _backward(lib, acc, depth=3 * steps)
    op_nodes = 3 * steps
    return {
        "op_nodes": op_nodes,
        "forward_ns_per_node": forward_ns / op_nodes,
        "backward_ns_per_node": backward_ns / op_nodes,
        "recursion_limit_raised": raised,
        "root": lib.data_of(acc),
        "grad_sum_x": sum(lib.grad_of(v) for v in x),
    }


def chain(lib: Library, steps: int) -> dict[str, Any]:
    """Case B: the chain ``y = y * 1.0001 + 0.0001``, ``steps`` deep (two op nodes a step).

    ``works_at_default_limit`` says whether backward ran at the interpreter's default
    recursion limit. A library whose backward recurses is then timed with the limit
    raised; any other library that fails is reported as failed, with no time.
    """
    y0 = lib.leaf(1.0)
    y = y0
    start = perf_counter_ns()
    for _ in range(steps):
        y = y * 1.0001 + 0.0001
    forward_ns = perf_counter_ns() - start
    op_nodes = 2 * steps
    try:
        backward_ns, raised = _backward(lib, y, depth=op_nodes)
    except RecursionError as error:
        return {"op_nodes": op_nodes, "works_at_default_limit": False, "error": str(error)}
    return {
        "op_nodes": op_nodes,
        "works_at_default_limit": not raised,
        "recursion_limit_raised": raised,
        "forward_ns_per_node": forward_ns / op_nodes,
        "backward_ns_per_node": backward_ns / op_nodes,
        "ns_per_node": (forward_ns + backward_ns) / op_nodes,
        "grad_y0": lib.grad_of(y0),  # 1.0001 ** steps: checked by the harness
    }


def graph_memory(lib: Library, op_nodes: int) -> dict[str, Any]:
    """Case C: bytes per op node of the case A graph with ``op_nodes`` op nodes.

    The leaves x and w are made before measuring, so the number is what the op nodes
    cost (node objects, their numbers, tuples, local derivatives, closures). Python
    libraries are measured with ``tracemalloc``; PyTorch allocates its tensors and graph
    nodes in C++, which tracemalloc cannot see, so it is measured by the growth of the
    process's resident memory instead. Backward is not run: under tracemalloc,
    micrograd's deeply recursive backward slows down quadratically (49 s at 10^5 nodes).
    """
    steps = -(-op_nodes // 3)  # ceil: at least op_nodes op nodes
    x, w = _leaves(lib, steps)
    by_rss = lib.name == "torch"
    if not by_rss:
        tracemalloc.start()
    before = _resident_bytes() if by_rss else _traced_bytes()
    acc = lib.constant(0.0)
    for i in range(steps):
        acc = acc + (x[i] * w[i]).relu()
    after = _resident_bytes() if by_rss else _traced_bytes()
    if not by_rss:
        tracemalloc.stop()
    result = {
        "op_nodes": 3 * steps,
        "method": "resident memory" if by_rss else "tracemalloc",
        "bytes_per_node": (after - before) / (3 * steps),
    }
    if lib.name.startswith("ours"):  # what one node of it is made of, for the report
        result["parts"] = _parts_of_a_node(x[0] * w[0])
    return result


def _parts_of_a_node(product: Any) -> dict[str, int]:
    """The objects one `*` node owns. Its two parents and two local derivatives are the
    node's own fields (``parents`` and ``local_grads`` build their tuples when read);
    compiled, the numbers are C doubles inside it; in pure Python, float objects, of which
    a product's local derivatives are its parents' own (b and a), so only its value is new."""
    from autograd import COMPILED

    parts = {"the node, with its fields": sys.getsizeof(product)}
    if product._more is not None:
        parts["its side record"] = sys.getsizeof(product._more)
    if not COMPILED:
        shared = {id(parent._number) for parent in product.parents}
        new = {id(n): n for n in (product._number, product._da, product._db) if id(n) not in shared}
        parts["its new numbers (floats)"] = sum(sys.getsizeof(n) for n in new.values())
    return parts


# --------------------------------------------------------------------- helpers


def _leaves(lib: Library, steps: int) -> tuple[list[Any], list[Any]]:
    """The inputs x and the weights w of case A: seeded, so every library gets the same."""
    rng = random.Random(0)
    x = [lib.leaf(rng.uniform(-1.0, 1.0)) for _ in range(steps)]
    w = [lib.leaf(rng.uniform(-1.0, 1.0)) for _ in range(steps)]
    return x, w


def _backward(lib: Library, root: Any, depth: int) -> tuple[int, bool]:
    """Time ``root.backward()``: (nanoseconds, whether the recursion limit was raised).

    Backward first runs at the default limit. Only a library whose backward is known to
    recurse (micrograd) gets a second try with a limit above the graph's depth; for any
    other library a RecursionError propagates as a real failure.
    """
    start = perf_counter_ns()
    try:
        root.backward()
    except RecursionError:
        if not lib.recursive_backward:
            raise
        # Its recursive topological sort goes one frame per node along the longest path.
        sys.setrecursionlimit(max(sys.getrecursionlimit(), 2 * depth + 10_000))
        start = perf_counter_ns()
        root.backward()
        return perf_counter_ns() - start, True
    return perf_counter_ns() - start, False


def _traced_bytes() -> int:
    return tracemalloc.get_traced_memory()[0]


def _resident_bytes() -> int:
    """Resident set size of this process, from /proc (Linux)."""
    import os

    with open("/proc/self/statm") as statm:
        resident_pages = int(statm.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE")
