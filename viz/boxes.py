"""Collapsed boxes: which scopes become one box each, and what each box says.

A network drawn in full is hundreds of nodes; collapsed, each neuron (an innermost scope)
is one box. ``collapsed_boxes`` picks the boxes so that the picture stays a graph without
cycles; ``box_rows`` writes what a box tells a learner: its output and gradient, the size
of the gradient reaching its weights, and whether it is dead or saturated. What every
neuron of a layer has in common (how many inputs, parameters and ops) is said once, on the
layer (``common_lines``).

>>> from autograd.nn import MLP
>>> from autograd import topological_order
>>> out = MLP(2, [3, 1], seed=0)([1.0, 2.0])
>>> sorted(collapsed_boxes(topological_order(out)).members)
['L0.N0', 'L0.N1', 'L0.N2', 'L1.N0']
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from autograd import Value
from viz.graphs import vertices_on_cycles
from viz.labels import escape_html, format_number, grad_text, mono, sample_text, shorten
from viz.networks import innermost_scopes, is_number, scope_and_enclosing
from viz.scene import natural_key, parent_scope

SATURATED_SLOPE = 0.01  # an activation's slope below this on every sample passes ~no gradient
MAX_LISTED_OUTPUTS = 4  # a box with several outputs lists this many


@dataclass
class Boxes:
    """The collapsed scopes of a drawing: each box is drawn as one node.

    ``members[scope]`` are the positions (in the topological order) of the nodes inside the
    box, ``box_of[i]`` the box that node i is in. Usually a box is a neuron (an innermost
    scope); ``lifted`` maps an enclosing scope drawn as one box to the innermost scopes it
    stands for, and ``expanded`` lists the top-level scopes drawn in full, each because
    its boxes would have made a cycle (see ``collapsed_boxes``).
    """

    members: dict[str, list[int]] = field(default_factory=dict)
    box_of: dict[int, str] = field(default_factory=dict)
    lifted: dict[str, list[str]] = field(default_factory=dict)
    expanded: list[str] = field(default_factory=list)


def collapsed_boxes(order: list[Value]) -> Boxes:
    """One box per innermost scope (a neuron), unless collapsing would make a cycle.

    Contracting a scope's nodes into one box joins every path that leaves the scope and
    comes back into it: a node outside the scope, fed by it and feeding it, would make the
    box its own ancestor. A layer whose own nodes (outside its neurons) read the neurons'
    weights and feed their outputs is such a case. Every box on a cycle is then replaced by
    its enclosing scope ("L0.N1" by "L0", which holds those nodes too), and again until no
    cycle is left; a top-level scope on a cycle is drawn in full. Each round lifts or drops
    at least one box, so there are at most as many rounds as scope levels in all.

    >>> from autograd import Value, scope, topological_order
    >>> x = Value(1.0, label="x")
    >>> with scope("f"):
    ...     a = x * 2
    >>> b = a + 1                    # outside f, fed by f ...
    >>> with scope("f"):
    ...     c = b * 3                # ... and feeding f: one box for f would be a cycle
    >>> collapsed_boxes(topological_order(c)).expanded
    ['f']
    """
    index = {node: i for i, node in enumerate(order)}
    boxes = set(innermost_scopes(order))
    lifted: dict[str, list[str]] = {}
    expanded: list[str] = []
    rounds = 1 + sum(len(scope_and_enclosing(scope)) for scope in boxes)
    for _ in range(rounds):
        box_of = _box_of(order, boxes)
        on_cycles = _boxes_on_cycles(order, index, box_of)
        if not on_cycles:
            break
        for scope in sorted(on_cycles, key=natural_key):
            boxes.discard(scope)
            outer = parent_scope(scope)
            if outer:
                boxes.add(outer)
                lifted.setdefault(outer, []).extend(lifted.pop(scope, [scope]))
            else:
                expanded.append(scope)
        # a box inside another box is part of it
        boxes = {b for b in boxes if not any(b.startswith(o + ".") for o in boxes)}
        lifted = {scope: inner for scope, inner in lifted.items() if scope in boxes}
    else:  # not reached: each round removes a level from some box
        raise RuntimeError("viz: collapsing scopes did not settle; please report this graph")
    members: dict[str, list[int]] = {}
    for i, scope in sorted(box_of.items()):
        members.setdefault(scope, []).append(i)
    return Boxes(members, box_of, lifted, expanded)


def _box_of(order: list[Value], boxes: set[str]) -> dict[int, str]:
    where = {}
    for i, node in enumerate(order):
        for scope in scope_and_enclosing(node.scope):
            if scope in boxes:
                where[i] = scope
                break
    return where


def _boxes_on_cycles(order: list[Value], index: dict, box_of: dict[int, str]) -> set[str]:
    """The boxes that would lie on a cycle once each box's nodes are drawn as one node."""

    def vertex(i: int) -> str | int:
        return box_of.get(i, i)

    successors: dict = {}
    for i, node in enumerate(order):
        head = vertex(i)
        for parent in node.parents:
            tail = vertex(index[parent])
            if tail != head:
                successors.setdefault(tail, []).append(head)
    return {v for v in vertices_on_cycles(successors) if isinstance(v, str)}


def box_outputs(order: list[Value], boxes: Boxes) -> dict[str, list[int]]:
    """For each box, its outputs: the members used outside it, in order (or, for a box
    used by nothing outside, its last member: it holds the root)."""
    index = {node: i for i, node in enumerate(order)}
    outputs: dict[str, set[int]] = {}
    for j, node in enumerate(order):
        for parent in node.parents:
            i = index[parent]
            scope = boxes.box_of.get(i)
            if scope is not None and boxes.box_of.get(j) != scope:
                outputs.setdefault(scope, set()).add(i)
    return {
        scope: sorted(outputs.get(scope, ()), key=lambda i: (natural_key(order[i].scope), i))
        or [members[-1]]
        for scope, members in boxes.members.items()
    }


@dataclass
class BoxFacts:
    """What a box holds: its inputs (values from outside), parameters (its leaves), ops,
    and outputs (members used outside it), as positions in the topological order."""

    scope: str
    inputs: int
    parameters: list[int]
    ops: int
    out_op: str
    outputs: list[int]

    def lines(self) -> list[str]:
        """The description every neuron of a layer shares (said once, on the layer)."""
        n, p, ops = self.inputs, len(self.parameters), self.ops
        made = f"output = {shorten(self.out_op, 20)}(…)"
        if len(self.outputs) > 1:
            made = f"{len(self.outputs)} outputs"
        return [
            f"{n} input{'s' * (n != 1)} in, {p} parameter{'s' * (p != 1)} (weights, bias) inside",
            f"{ops} op{'s' * (ops != 1)}; {made}",
        ]


def box_facts(order: list[Value], boxes: Boxes) -> dict[str, BoxFacts]:
    """The facts of every box (see ``BoxFacts``)."""
    index = {node: i for i, node in enumerate(order)}
    outputs = box_outputs(order, boxes)
    facts = {}
    for scope, members in boxes.members.items():
        inside = set(members)
        inputs = {index[p] for i in members for p in order[i].parents if index[p] not in inside}
        ops = Counter(order[i].op for i in members if order[i].parents)
        first = outputs[scope][0]
        facts[scope] = BoxFacts(
            scope,
            len(inputs),
            [i for i in members if not order[i].parents],
            sum(ops.values()),
            order[first].op or "a value",
            outputs[scope],
        )
    return facts


def common_lines(facts: list[BoxFacts]) -> list[str]:
    """The lines all these boxes share, when there are several and they share all of them;
    else none (then each box says its own).

    >>> a = BoxFacts("L0.N0", 2, [0, 1, 2], 4, "relu", [7])
    >>> common_lines([a, BoxFacts("L0.N1", 2, [3, 4, 5], 4, "relu", [8])])[0]
    '2 inputs in, 3 parameters (weights, bias) inside'
    >>> common_lines([a])
    []
    """
    if len(facts) < 2 or any(f.lines() != facts[0].lines() for f in facts):
        return []
    return facts[0].lines()


def output_grad(grad):
    """The gradient a box shows for its output: the number itself, or for a batch its sum
    over the samples (what a weight of the next layer, or the bias inside, adds up); the
    first sample alone is often 0 where the loss is flat (a hinge loss met).

    >>> import numpy as np
    >>> output_grad(0.5), output_grad(np.array([0.0, 0.25, -1.0])), output_grad(None)
    (0.5, -0.75, None)
    """
    if isinstance(grad, np.ndarray) and grad.ndim == 1:
        return float(np.sum(grad))
    return grad


def output_grad_text(grad) -> str:
    """``grad 0.5``; for a batch ``grad Σ -0.75 (B=3)``: its sum over the samples."""
    if isinstance(grad, np.ndarray) and grad.ndim == 1:
        return f"grad Σ {format_number(output_grad(grad))} (B={grad.size})"
    return grad_text(grad)


def parameter_grad_norm(facts: BoxFacts, grads: list) -> float | None:
    """‖∂L/∂w‖: the size of the gradient reaching the box's weights and bias (None before
    backward(), or when no parameter has a numeric gradient)."""
    values = [grads[i] for i in facts.parameters if is_number(grads[i])]
    if not values:
        return None
    return math.sqrt(sum(float(np.sum(np.square(g))) for g in values))


def unit_state(order: list[Value], output: int) -> str:
    """ "dead" when the output is 0 on every sample, "saturated" when its op's slope (the
    local derivative of the output node, where it is a number) is below SATURATED_SLOPE on
    every sample, else "". Read from the numbers, whatever the activation is.

    >>> from autograd import Value
    >>> unit_state([Value(-2.0).relu()], 0), unit_state([Value(9.0).tanh()], 0)
    ('dead', 'saturated')
    """
    node = order[output]
    data = np.asarray(node.data, dtype=float)
    if data.size and np.all(data == 0.0):
        return "dead"
    if len(node.local_grads) == 1 and is_number(node.local_grads[0]):
        slope = np.abs(np.asarray(node.local_grads[0], dtype=float))
        if slope.size and np.all(slope < SATURATED_SLOPE):
            return "saturated"
    return ""


def state_text(state: str, node: Value) -> str:
    """The mark a dead or saturated unit gets, saying over which samples it holds.

    >>> import numpy as np
    >>> from autograd import Value
    >>> state_text("dead", Value(np.zeros(3)))
    'dead: out 0 on all 3 samples'
    >>> state_text("saturated", Value(1.0))
    'saturated here: slope < 0.01'
    """
    samples = node.batch_size
    where = f" on all {samples} samples" if samples else ""
    if state == "dead":
        return f"dead: out 0{where}" if samples else "dead here: out 0"
    return (
        f"saturated: slope < {SATURATED_SLOPE:g}{where}"
        if samples
        else (f"saturated here: slope < {SATURATED_SLOPE:g}")
    )


def box_rows(
    facts: BoxFacts,
    order: list[Value],
    grads: list,
    *,
    show_grads: bool,
    common: bool,
    symbol: str,
    inner: list[str],
) -> list[tuple[str, str]]:
    """The rows of a box as (kind, text): "name", "line", "out", "grad", "norm", "state".

    ``common``: the layer says the shared lines, so the box leaves them out. ``inner``:
    the innermost scopes a lifted box stands for.
    """
    rows = [("name", facts.scope)]
    if inner:
        listed = ", ".join(sorted(inner, key=natural_key)[:3])
        rows.append(("line", f"holds {listed}{' …' if len(inner) > 3 else ''} ({len(inner)})"))
    if not common:
        rows += [("line", line) for line in facts.lines()]
    if len(facts.outputs) == 1:
        (out,) = facts.outputs
        rows.append(("out", sample_text("out", order[out].data)))
        if show_grads:
            rows.append(("grad", output_grad_text(grads[out])))
    else:
        for out in facts.outputs[:MAX_LISTED_OUTPUTS]:
            name = order[out].scope.rpartition(".")[2] if order[out].scope != facts.scope else ""
            grad = f", {output_grad_text(grads[out])}" if show_grads else ""
            rows.append(("out", f"{name or 'out'} {sample_text('out', order[out].data)}{grad}"))
        if len(facts.outputs) > MAX_LISTED_OUTPUTS:
            rows.append(("out", f"… and {len(facts.outputs) - MAX_LISTED_OUTPUTS} more outputs"))
    if show_grads and facts.parameters:
        norm = parameter_grad_norm(facts, grads)
        shown = "—" if norm is None else format_number(norm)
        rows.append(("norm", f"‖∂{symbol}/∂w‖ {shown}"))
    if len(facts.outputs) == 1:
        state = unit_state(order, facts.outputs[0])
        if state:
            rows.append(("state", state_text(state, order[facts.outputs[0]])))
    return rows


def box_label(rows: list[tuple[str, str]], fills: dict[str, str], dashed: bool) -> str:
    """The HTML-like label of a box from its rows; ``fills`` colours rows by kind."""
    cells = []
    for kind, text in rows:
        if kind == "name":
            body = f"<B>{escape_html(shorten(text))}</B>"
        elif kind == "line":
            body = escape_html(text)
        elif kind == "state":
            body = f"<I>{escape_html(text)}</I>"
        else:
            body = mono(text)
        colour = f' BGCOLOR="{fills[kind]}"' if kind in fills else ""
        cells.append(f"<TR><TD{colour}>{body}</TD></TR>")
    style = ' STYLE="dashed"' if dashed else ""
    return (
        f'<<TABLE BORDER="1"{style} CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" '
        f'BGCOLOR="white">{"".join(cells)}</TABLE>>'
    )
