"""Exercise mode: the graph with some numbers hidden, for the learner to fill in and check.

``exercise(root, ask="grad")`` hides the gradients (``"local"``: the local derivatives on
the edges; ``"data"``: the forward values) and keeps what they are computed from in the
picture. ``seed`` picks a random subset, so a teacher can hand out the same exercise; the
numbers that would give a blank away (the gradients passed down from it, the values
computed from it) are then not drawn either (``…``).

>>> from autograd import Value
>>> x, w = Value(2.0, label="x"), Value(-3.0, label="w")
>>> y = x * w
>>> y.label = "y"
>>> ex = exercise(y, ask="grad")
>>> ex.blanks
['x', 'w']
>>> "grad ?" in ex.draw().source and "grad -3" not in ex.draw().source
True
>>> result = ex.check({"x": -3.0, "w": 1.0})
>>> result
{'x': True, 'w': False}
>>> print(result.hints["w"])          # the derivation, with the answer left out
∂y/∂w is the sum, over the uses of w, of upstream × local:
  use 1 (w → *): upstream ∂y/∂y = 1, times local ∂(x·w)/∂w = x = 2
>>> ex.solution()
{'x': -3.0, 'w': 2.0}

``ex.save_html("exercise.html")`` writes a page with one input box per blank that checks
the answers itself (a script, no network). The answers are in the page, lightly encoded:
a student who reads its source can find them, so it is for practice, not for exams.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import graphviz
import numpy as np

import autograd
from autograd import Value, topological_order
from viz.build import build_scene
from viz.dot import check_root
from viz.exercise_page import ABS_TOL, REL_TOL, notebook_fragment, page
from viz.explain import derivation, expression_of, name_of, operand_names, uses, wrap_name
from viz.labels import edge_text, format_number, op_label, value_label
from viz.options import DrawOptions
from viz.scene import Scene, value_name

ASKS = ("grad", "local", "data")
NOT_SHOWN = "…"  # a number not asked for, but which would give an answer away
ANSWER_WIDTH = 14  # characters kept free in a ? row ("grad ?"), for the answer typed in


@dataclass
class Blank:
    """One hidden number: its name, the value (``index`` in the order) it belongs to, the
    operand (for an edge), and the answer."""

    name: str
    index: int
    operand: int | None
    answer: float


class CheckResult(dict):
    """``{name: right or wrong}`` for each answer given, with ``hints[name]`` for the wrong.

    >>> r = CheckResult({"x": True}, {})
    >>> r == {"x": True}, str(r)
    (True, '✓ x')
    """

    def __init__(self, results: dict[str, bool], hints: dict[str, str]) -> None:
        super().__init__(results)
        self.hints = hints

    def __str__(self) -> str:
        lines = []
        for name, right in self.items():
            lines.append(f"✓ {name}" if right else f"✗ {name}. Hint: {self.hints[name]}")
        return "\n".join(lines)


class Exercise:
    """The graph of ``root`` with the numbers named in ``blanks`` hidden (see ``exercise``)."""

    def __init__(
        self, root: Value, ask: str, chosen: list[Blank], order: list[Value], grads: list
    ) -> None:
        self.root = root
        self.ask = ask
        self.order = order
        self.grads = grads
        self._blanks = {b.name: b for b in chosen}
        self.blanks = [b.name for b in chosen]
        # Numbers a blank's answer would give away are not drawn either ("…"): for a
        # gradient, those of the values it is passed on to (their gradients are computed
        # from it: all nodes below it); for a value, those computed from it (above it).
        self._masked = _beyond(order, [b.index for b in chosen if b.operand is None], ask)
        # Every value a blank names is titled with that name on the picture.
        names = _unique_names(order)
        index = {node: i for i, node in enumerate(order)}
        self._titles: dict[int, str] = {}
        for b in chosen:
            self._titles[b.index] = names[b.index]
            if b.operand is not None:
                parent = index[order[b.index].parents[b.operand]]
                self._titles[parent] = names[parent]

    # ------------------------------------------------------------------ for the learner

    def draw(self, rankdir: str = "LR") -> graphviz.Digraph:
        """The picture with every hidden number shown as ``?`` (and absent from the DOT)."""
        return self.scene(rankdir).to_digraph()

    def check(
        self, answers: Mapping[str, object], *, rel_tol: float = REL_TOL, abs_tol: float = ABS_TOL
    ) -> CheckResult:
        """``{name: True/False}`` for each answer; ``.hints[name]`` says how to get a wrong one.

        An answer is right within ``rel_tol`` of the true value (relative: 1 % by default),
        or within ``abs_tol`` of it (for answers of 0).
        """
        if not isinstance(answers, Mapping):
            raise TypeError(
                f"answers must be a dict of names to numbers, not {type(answers).__name__}"
            )
        results, hints = {}, {}
        for name, answer in answers.items():
            if name not in self._blanks:
                listed = ", ".join(repr(b) for b in self.blanks[:8])
                more = ", ..." if len(self.blanks) > 8 else ""
                raise ValueError(
                    f"{name!r} is not a blank of this exercise; they are {listed}{more}"
                )
            if isinstance(answer, bool) or not isinstance(answer, int | float | np.number):
                raise TypeError(f"the answer for {name!r} must be a number, got {answer!r}")
            right = close(float(answer), self._blanks[name].answer, rel_tol, abs_tol)
            results[name] = right
            if not right:
                hints[name] = self.hint(name)
        return CheckResult(results, hints)

    def hint(self, name: str) -> str:
        """How to compute blank ``name`` from what the picture shows (never its answer)."""
        blank = self._blanks[name]
        if self.ask == "grad":
            return self._grad_hint(blank)
        if self.ask == "local":
            return self._local_hint(blank)
        return self._data_hint(blank)

    # ------------------------------------------------------------------ for the teacher

    def solution(self) -> dict[str, float]:
        """The answers, by name (sorted as ``blanks``)."""
        return {name: self._blanks[name].answer for name in self.blanks}

    def to_html(self, title: str = "Exercise: fill in the numbers") -> str:
        """A complete, self-contained HTML page (no network) that checks the answers."""
        return page(self, title)

    def save_html(self, path: str | os.PathLike) -> Path:
        """Write ``to_html()`` to ``path`` (atomically) and return the path."""
        from viz.images import write_atomically
        from viz.steps import html_path

        path = html_path(path)
        write_atomically(path, self.to_html().encode("utf-8"))
        return path

    def _repr_html_(self) -> str:
        return notebook_fragment(self)

    def __repr__(self) -> str:
        return f"<exercise: {len(self.blanks)} {self.ask} blanks: {', '.join(self.blanks[:6])}…>"

    # ------------------------------------------------------------------ the picture

    def scene(self, rankdir: str = "LR", ids: bool = False) -> Scene:
        """The drawing as a ``Scene``; with ``ids``, every box and cell has its SVG id."""
        options = DrawOptions(
            rankdir=rankdir,
            show_grads=self.ask == "grad",
            edge_labels=None if self.ask == "data" else "local",
            collapse_neurons=False,
            max_nodes=max(len(self.order), 1),
        )
        scene = build_scene(self.order, self.grads, options)
        hidden_values = {b.index: b for b in self._blanks.values() if b.operand is None}
        hidden_edges = {
            (b.index, b.operand) for b in self._blanks.values() if b.operand is not None
        }
        for node in scene.nodes:
            i = node.index
            if i is None:
                continue
            value = self.order[i]
            name = value_name(i) if ids else ""
            if node.kind == "value":
                blank = hidden_values.get(i)
                width = ANSWER_WIDTH if blank else 0  # room for the answer typed in the page
                node.attrs["label"] = value_label(
                    value,
                    self.grads[i],
                    show_grads=options.show_grads,
                    ids=name,
                    title=self._titles.get(i),
                    hide=self.ask if blank or i in self._masked else "",
                    hidden_as="?" if blank else NOT_SHOWN,
                    grad_width=width,
                    data_width=width,
                )
            elif node.kind == "op" and options.edge_labels:
                cells = [
                    "?" if (i, k) in hidden_edges else edge_text("local", local, None, p.data)
                    for k, (p, local) in enumerate(zip(value.parents, value.local_grads))
                ]
                width = max(len(c) for c in cells)
                if "?" in cells:
                    width = max(width, ANSWER_WIDTH - 5)
                node.attrs.update(
                    op_label(value.op, cells, rankdir=rankdir, ids=name, cell_width=width)
                )
        key = "?: a number to work out"
        if self._masked:
            key += f"; {NOT_SHOWN}: not asked, but it would give one away"
        scene.add_caption(key)
        return scene

    def cell_id(self, name: str) -> str:
        """The SVG id (before the page's prefix) of the cell that shows blank ``name``."""
        blank = self._blanks[name]
        if blank.operand is not None:
            return f"a_{value_name(blank.index)}_c{blank.operand}"
        return f"a_{value_name(blank.index)}_{self.ask}"

    # ------------------------------------------------------------------ hints

    def _shown(self, kind: str, i: int) -> str:
        """What the picture shows for the data or grad of node i: its number, or ?."""
        blank = next((b for b in self._blanks.values() if b.index == i and b.operand is None), None)
        if blank is not None and self.ask == kind:
            return f"? (the blank {blank.name})"
        if i in self._masked and self.ask == kind:
            return f"{NOT_SHOWN} (not on the picture: work it out on the way)"
        return format_number(self.order[i].data if kind == "data" else self.grads[i])

    def _grad_hint(self, blank: Blank) -> str:
        d = derivation(self.order, self.grads, blank.index, edges=self._uses(), name=blank.name)
        index = {node: j for j, node in enumerate(self.order)}
        lines = [
            f"∂{d.root_name}/∂{wrap_name(d.name)} is the sum, over the uses of {d.name}, "
            "of upstream × local:"
        ]
        for n, term in enumerate(d.terms):
            named = name_of(term.consumer)
            consumer = wrap_name(named) if named else f"(the {term.op} node)"
            upstream = self._shown("grad", index[term.consumer])
            value = format_number(term.local)  # type: ignore[arg-type]
            local = (
                term.formula if term.formula.endswith(f"= {value}") else f"{term.formula} = {value}"
            )
            lines.append(
                f"  use {n + 1} ({d.name} → {term.op}): upstream ∂{d.root_name}/∂{consumer} = "
                f"{upstream}, times local {local}"
            )
        return "\n".join(lines)

    def _local_hint(self, blank: Blank) -> str:
        node = self.order[blank.index]
        d = derivation(self.order, self.grads, self.order.index(node.parents[blank.operand]))
        term = next(t for t in d.terms if t.consumer is node and t.operand == blank.operand)
        return (
            f"the local derivative {term.formula}: put in the numbers the picture shows"
            if "=" in term.formula
            else f"the derivative of the op {node.op} with respect to its input {blank.operand + 1}"
        )

    def _data_hint(self, blank: Blank) -> str:
        node = self.order[blank.index]
        names = operand_names(node)
        index = {n: j for j, n in enumerate(self.order)}
        formula = expression_of(node, names) or f"{node.op}({', '.join(names)})"
        inputs = ", ".join(
            f"{name} = {self._shown('data', index[p])}" for name, p in zip(names, node.parents)
        )
        said = formula if formula == blank.name else f"{blank.name} = {formula}"
        return f"{said}, computed from its inputs {inputs}"

    def _uses(self):
        return uses(self.order)


def exercise(
    root: Value,
    ask: str = "grad",
    seed: int | None = None,
    count: int | None = None,
    only: Iterable[str] | None = None,
) -> Exercise:
    """An exercise on the graph of ``root``: some of its numbers hidden, to work out.

    ``ask`` is ``"grad"`` (each value's ∂root/∂value; the root's own 1 is given),
    ``"local"`` (each edge's local derivative ∂out/∂in, named ``"a->b"``) or ``"data"``
    (each op's forward value; the leaves are given). Without ``seed`` every one of them is
    hidden; with a seed, ``count`` of them (half by default) chosen at random, the same
    ones for the same seed. ``only`` (names, as ``blanks`` writes them) asks about those
    alone. The gradients come from ``autograd.grad``: the graph's own ``.grad`` are left
    as they are, and backward() need not have run.

    >>> from autograd import Value
    >>> a, b = Value(1.0, label="a"), Value(2.0, label="b")
    >>> c = a + b; c.label = "c"
    >>> exercise(c * a, ask="local").blanks
    ['a->c', 'b->c', 'c->c·a', 'a->c·a']
    """
    check_root(root)
    if ask not in ASKS:
        raise ValueError(f"ask must be one of {', '.join(map(repr, ASKS))}, got {ask!r}")
    order = topological_order(root)
    batches = [n for n in order if n.batch_size is not None]
    if batches:
        raise ValueError(
            "an exercise asks for single numbers: build the graph on one sample, not a "
            f"batch (this graph has {len(batches)} batch node(s))"
        )
    grads = list(autograd.grad(root, order))
    candidates = _candidates(order, grads, ask)
    if not candidates:
        raise ValueError(f"this graph has nothing to ask for ask={ask!r}: it has no op")
    if only is not None:
        wanted = [only] if isinstance(only, str) else list(only)
        known = {b.name for b in candidates}
        unknown = [name for name in wanted if name not in known]
        if unknown or not wanted:
            listed = ", ".join(repr(b.name) for b in candidates[:8])
            raise ValueError(
                f"only= names no {ask} of this graph: {unknown or wanted}; they are {listed}"
                + (", ..." if len(candidates) > 8 else "")
            )
        candidates = [b for b in candidates if b.name in set(wanted)]
    return Exercise(root, ask, _choose(candidates, seed, count), order, grads)


def close(answer: float, truth: float, rel_tol: float = REL_TOL, abs_tol: float = ABS_TOL) -> bool:
    """Whether ``answer`` is ``truth`` within the tolerances (nan is nan, inf is inf).

    >>> close(0.71, 0.7071), close(0.8, 0.7071), close(float("nan"), float("nan"))
    (True, False, True)
    """
    if math.isnan(truth) or math.isnan(answer):
        return math.isnan(truth) and math.isnan(answer)
    return math.isclose(answer, truth, rel_tol=rel_tol, abs_tol=abs_tol)


# --------------------------------------------------------------------- choosing blanks


def _candidates(order: list[Value], grads: list, ask: str) -> list[Blank]:
    names = _unique_names(order)
    found = []
    last = len(order) - 1
    for i, node in enumerate(order):
        if ask == "grad" and i != last:
            found.append(Blank(names[i], i, None, float(grads[i])))
        elif ask == "data" and node.parents:
            found.append(Blank(names[i], i, None, float(node.data)))
        elif ask == "local":
            seen: dict[str, int] = {}
            for k, (parent, local) in enumerate(zip(node.parents, node.local_grads)):
                edge = f"{names[order.index(parent)]}->{names[i]}"
                seen[edge] = seen.get(edge, 0) + 1
                name = edge if seen[edge] == 1 else f"{edge}#{seen[edge]}"
                found.append(Blank(name, i, k, float(local)))
    if ask == "grad":  # in the order a learner works them out: from the root down
        found.reverse()
    return found


def _beyond(order: list[Value], blanks: list[int], ask: str) -> set[int]:
    """Positions of the values whose number would give a blank away: for gradients, every
    value below a blank (its gradient is passed down from it); for data, every value
    above one (computed from it). Blanks themselves are not in it."""
    if not blanks or ask == "local":
        return set()
    index = {node: i for i, node in enumerate(order)}
    found: set[int] = set()
    if ask == "grad":  # down: each blank's parents, theirs, ...
        stack = [order[i] for i in blanks]
        while stack:
            for parent in stack.pop().parents:
                p = index[parent]
                if p not in found:
                    found.add(p)
                    stack.append(parent)
    else:  # up: every op that reads a blank or a value made from one
        reached = set(blanks)
        for i, node in enumerate(order):  # topological: parents first
            if any(index[p] in reached for p in node.parents):
                reached.add(i)
                found.add(i)
    return found - set(blanks)


def _unique_names(order: list[Value]) -> list[str]:
    """A name per node: its label or short expression (``x1·w1``), else ``v3``; a name
    that repeats gets ``#2``, ``#3``, ..."""
    names, seen = [], {}  # type: ignore[var-annotated]
    for i, node in enumerate(order):
        name = name_of(node) or value_name(i)
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return names


def _choose(candidates: list[Blank], seed: int | None, count: int | None) -> list[Blank]:
    if seed is None and count is None:
        return candidates
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int | np.integer)):
        raise TypeError(f"seed must be an int (or None: every blank), got {seed!r}")
    n = (len(candidates) + 1) // 2 if count is None else count
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= len(candidates):
        raise ValueError(f"count must be an int from 1 to {len(candidates)}, got {count!r}")
    rng = np.random.default_rng(seed)
    picked = sorted(rng.choice(len(candidates), size=n, replace=False).tolist())
    return [candidates[k] for k in picked]
