"""Check derivatives against finite differences: your own ops', and the engine's.

``assert_gradients_match(f, *inputs)`` runs backward and compares every gradient with
finite differences, which must first show that they can be trusted (two step sizes
agree, no kink; see ``autograd.differences``). When a gradient disagrees, it finds the op
whose own local derivative is wrong (each node's against differences of its op alone)
and raises ``GradientMismatch`` naming the input and that op, with a picture of the graph,
the wrong edge in red, in a file the message names. ``order=2`` checks the Hessian too.

>>> import autograd
>>> assert_gradients_match(lambda x, y: (x * y).tanh() + y.exp(), 0.5, -1.0)
>>> wrong = autograd.function(lambda x: x**3, lambda x: 3 * x, name="wrong_cube")
>>> assert_gradients_match(lambda x: wrong(x) + x, 2.0, picture=None)  # doctest: +ELLIPSIS
Traceback (most recent call last):
autograd.testing.GradientMismatch: ∂f/∂x is 7 by backward, but 13 by finite differences, at x = 2
  The culprit: wrong_cube's local derivative with respect to x is 6 (at wrong_cube(x = 2)), ...

hypothesis strategies draw examples for property tests (``pip install
"autograd-viz[testing]"``): ``values()``, ``batches()``, and ``expressions(ops=...)``,
random functions of Values built from the engine's ops and your own, with inputs kept
away from each op's singularities:

    from hypothesis import given
    from autograd.testing import assert_gradients_match, expressions

    @given(expressions(ops=[my_op, "mul", "tanh"]))
    def test_my_op(case):
        f, inputs = case
        assert_gradients_match(f, *inputs)

Nothing here needs pytest; the strategies need hypothesis, the pictures ``viz`` and
Graphviz (both are imported only when a check fails).
"""

from __future__ import annotations

import hashlib
import inspect
import os
import re
import sys
import tempfile
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from autograd.differences import (
    Disagreement,
    Estimate,
    close,
    estimate,
    local_disagreements,
    rule_disagreements,
)
from autograd.engine import Value, no_grad, topological_order
from autograd.gradients import grad
from autograd.programs import KINK_MARGIN, LARGEST, OPS, Expression, Step, is_smooth, steps

__all__ = [  # the check, its exceptions, the strategies, and what expressions are made of
    "KINK_MARGIN",
    "LARGEST",
    "OPS",
    "Expression",
    "GradientMismatch",
    "Step",
    "UnreliableFiniteDifferences",
    "assert_gradients_match",
    "batches",
    "expressions",
    "values",
]

Data = float | np.ndarray
EPS = 1e-6  # the finite differences' step (and a tenth of it, to see them converge)
TOLERANCES = {1: (1e-5, 1e-4), 2: (1e-4, 1e-3)}  # (atol, rtol) for gradients, Hessians
CAPTION_WIDTH = 110  # characters per line of a picture's caption


class GradientMismatch(AssertionError):
    """A gradient disagrees with finite differences that can be trusted.

    ``input`` names the input as the message does, ``op`` the op whose local derivative
    disagrees (None when every op's does match), ``picture`` the file drawn (or None).
    """

    def __init__(self, message: str, input: str, op: str | None, picture: Path | None):
        super().__init__(message)
        self.input, self.op, self.picture = input, op, picture


class UnreliableFiniteDifferences(Exception):
    """A gradient differs from finite differences that cannot be trusted there (they did
    not converge, or the function has a kink): nothing is blamed. Inside a hypothesis
    test, ``assert_gradients_match`` rejects the example instead of raising this."""


# --------------------------------------------------------------------- the check


def assert_gradients_match(
    f: Callable[..., Value],
    *inputs: Value | Data,
    order: int = 1,
    eps: float = EPS,
    atol: float | None = None,
    rtol: float | None = None,
    picture: str | os.PathLike | None = "auto",
) -> None:
    """Check ``f``'s gradients (``order=2``: then its Hessian too) at ``inputs``.

    ``inputs`` are numbers, 1-D arrays (batches: each sample is checked) or leaf Values;
    ``f`` gets fresh leaves holding them and returns a Value (a batch is added up).
    Messages name an input by its label, else by f's parameter (``def neuron(x, w, b)``),
    else x0, x1, ...

    Each gradient must be within ``atol + rtol·|estimate|`` of central differences with
    step ``eps``, once differences with step ``eps / 10`` agree with them and there is no
    kink (else the estimate is not trusted and nothing is blamed:
    ``UnreliableFiniteDifferences``, or in a hypothesis test a rejected example).
    Defaults: atol 1e-5, rtol 1e-4 for gradients; 1e-4 and 1e-3 for the Hessian
    (differences of gradients), which needs scalar inputs.

    On a mismatch it raises ``GradientMismatch`` (an AssertionError) naming the input and
    the op whose local derivative disagrees with differences of that op alone, and draws
    the graph with that edge in red: to ``picture`` (its suffix picks png, svg, pdf or
    dot), by default a png in the temporary directory; ``picture=None`` draws nothing.

    >>> assert_gradients_match(lambda x: x.sin() * x, 0.7, order=2)
    >>> assert_gradients_match(lambda x: x.relu(), 0.0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    autograd.testing.UnreliableFiniteDifferences: ∂f/∂x cannot be checked at x = 0: ...
    """
    __tracebackhide__ = True  # pytest shows the failure at the caller's line
    if order not in (1, 2):
        raise ValueError(f"order must be 1 (gradients) or 2 (and the Hessian), got {order!r}")
    if not callable(f):
        raise TypeError(f"f must be a function of Values, not {type(f).__name__}")
    if isinstance(eps, bool) or not (isinstance(eps, float | int) and 0 < eps < 1):
        raise ValueError(f"eps must be a small positive step such as 1e-6, got {eps!r}")
    point = _Point.of(inputs, _parameter_names(f, len(inputs)))
    if order == 2 and any(isinstance(x, np.ndarray) for x in point.datas):
        raise ValueError("order=2 checks scalar inputs: pass each sample as its own input")
    tolerances = {n: _tolerances(n, atol, rtol) for n in range(1, order + 1)}
    for n, (atol_n, rtol_n) in tolerances.items():  # gradients first, then the Hessian
        _check(f, point, n, eps, atol_n, rtol_n, picture)


def _tolerances(order: int, atol: float | None, rtol: float | None) -> tuple[float, float]:
    default_atol, default_rtol = TOLERANCES[order]
    chosen = (default_atol if atol is None else atol, default_rtol if rtol is None else rtol)
    if not all(isinstance(t, float | int) and t >= 0 for t in chosen):
        raise ValueError(f"atol and rtol must be numbers >= 0, got {atol!r} and {rtol!r}")
    return float(chosen[0]), float(chosen[1])


@dataclass(frozen=True)
class _Point:
    """The inputs: their names and numbers; coordinates are (input, sample or None)."""

    names: tuple[str, ...]
    datas: tuple[Data, ...]

    @staticmethod
    def of(inputs: Sequence[Value | Data], default_names: list[str]) -> _Point:
        if not inputs:
            raise ValueError("assert_gradients_match needs at least one input")
        names, datas = [], []
        for i, x in enumerate(inputs):
            if isinstance(x, Value):
                if x.parents:
                    raise ValueError(f"input {i} is computed from other Values: pass a leaf")
                names.append(x.label or default_names[i])
                datas.append(x.data)
                continue
            try:
                datas.append(Value(x).data)  # type: ignore[arg-type]
            except (TypeError, ValueError) as error:
                raise type(error)(f"assert_gradients_match: input {i}: {error}") from None
            names.append(default_names[i])
        return _Point(tuple(names), tuple(datas))

    def leaves(self, datas: Sequence[Data] | None = None) -> list[Value]:
        datas = self.datas if datas is None else datas
        return [Value(x, label=n) for n, x in zip(self.names, datas)]

    def coordinates(self) -> list[tuple[int, int | None]]:
        return [
            (i, s)
            for i, x in enumerate(self.datas)
            for s in (range(len(x)) if isinstance(x, np.ndarray) else [None])
        ]

    def moved(self, i: int, s: int | None, t: float) -> list[Data]:
        datas = list(self.datas)
        if s is None:
            datas[i] = t
        else:
            datas[i] = datas[i].copy()
            datas[i][s] = t
        return datas

    def name(self, i: int, s: int | None) -> str:
        return self.names[i] if s is None else f"{self.names[i]}[{s}]"

    def number(self, i: int, s: int | None) -> float:
        x = self.datas[i]
        return float(x if s is None else x[s])

    def describe(self) -> str:
        return ", ".join(f"{n} = {_fmt(x)}" for n, x in zip(self.names, self.datas))


def _output(f: Callable[..., Value], leaves: list[Value]) -> Value:
    out = f(*leaves)
    if isinstance(out, Value):
        return out
    if isinstance(out, int | float | np.ndarray) and not isinstance(out, bool):
        return Value(out)  # f ignored its inputs: every gradient is 0
    raise TypeError(f"f must return a Value, got {type(out).__name__}")


def _gradient(f: Callable[..., Value], point: _Point, datas=None, create_graph=False):
    """The root (f's output) and backward's gradient of its total for each input."""
    leaves = point.leaves(datas)
    out = _output(f, leaves)
    seed = None if out.batch_size is None else np.ones(out.batch_size)
    return out, leaves, grad(out, leaves, grad_outputs=seed, create_graph=create_graph)


def _total(out: Value) -> float:
    return float(np.sum(out.data))


@dataclass(frozen=True)
class _Entry:
    """One number checked: backward's (or double backward's) against its estimate."""

    what: str  # ∂f/∂x0, ∂²f/∂x0∂x1
    wrt: tuple[int, int | None]  # the coordinate moved
    said: float
    estimate: Estimate

    @property
    def expected(self) -> float:
        return float(self.estimate.coarse[0])


def _parameter_names(f: Callable, n: int) -> list[str]:
    """The names of f's parameters (x, w, b for ``def neuron(x, w, b)``), else x0, x1, ..."""
    try:
        parameters = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        parameters = []
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    names = [p.name for p in parameters if p.kind in positional]
    if len(names) == n and len(set(names)) == n:
        return names
    return [f"x{i}" for i in range(n)]


def _check(f, point: _Point, order: int, eps: float, atol: float, rtol: float, picture) -> None:
    __tracebackhide__ = True
    entries = _entries(f, point, order, eps)
    wrong = [e for e in entries if not close(e.said, e.expected, atol, rtol)]
    trusted = [e for e in wrong if e.estimate.trouble(atol, rtol)[0] is None]
    if trusted:
        worst = max(trusted, key=lambda e: abs(e.said - e.expected) - rtol * abs(e.expected))
        _fail(f, point, order, worst, eps, atol, rtol, picture)
    if wrong:
        entry = wrong[0]
        reason = entry.estimate.trouble(atol, rtol)[0]
        _cannot_check(
            f"{entry.what} cannot be checked at {point.describe()}: backward gives "
            f"{entry.said:.6g}, finite differences {entry.expected:.6g}, and they cannot be "
            f"trusted: {reason}"
        )


def _entries(f, point: _Point, order: int, eps: float) -> list[_Entry]:
    out, _, first = _gradient(f, point)
    if not np.isfinite(out.data).all():
        _cannot_check(f"f is {_fmt(out.data)} at {point.describe()}: no derivative to check")
    coordinates = point.coordinates()
    entries = []
    if order == 1:
        for i, s in coordinates:

            def total(t: float, i: int = i, s: int | None = s) -> np.ndarray:
                with no_grad(), np.errstate(all="ignore"):
                    return np.array([_total(_output(f, point.leaves(point.moved(i, s, t))))])

            said = first[i] if s is None else np.broadcast_to(first[i], len(point.datas[i]))[s]
            e = estimate(total, point.number(i, s), eps)
            entries.append(_Entry(f"∂f/∂{point.name(i, s)}", (i, s), float(said), e))
        return entries
    hessian = _hessian(f, point)
    for j, _ in coordinates:

        def gradient(t: float, j: int = j) -> np.ndarray:
            _, _, g = _gradient(f, point, point.moved(j, None, t))
            return np.array(g, dtype=np.float64)

        e = estimate(gradient, point.number(j, None), eps)
        for i in range(len(point.datas)):
            what = f"∂²f/∂{point.names[i]}∂{point.names[j]}"
            entries.append(_Entry(what, (j, None), float(hessian[i][j]), e.element(i)))
    return entries


def _hessian(f, point: _Point) -> list[list[float]]:
    _, leaves, first = _gradient(f, point, create_graph=True)
    return [list(grad(g, leaves)) for g in first]


def _cannot_check(message: str) -> None:
    __tracebackhide__ = True
    hypothesis = sys.modules.get("hypothesis")  # imported by the test, if it is one
    in_a_test = getattr(hypothesis, "currently_in_test_context", None)
    if in_a_test is not None and in_a_test():
        hypothesis.reject()  # type: ignore[union-attr]  # as assume(False): another example
    raise UnreliableFiniteDifferences(message)


# --------------------------------------------------------------------- failure: who, where


def _fail(f, point: _Point, order, entry: _Entry, eps, atol, rtol, picture) -> None:
    __tracebackhide__ = True
    out, _, _ = _gradient(f, point)  # a fresh graph at the failing point, to search and draw
    if order == 1:
        culprits, unknown = local_disagreements(out, eps, atol, rtol)
        how = "backward"
    else:
        culprits, unknown = rule_disagreements(out, eps, atol, rtol)
        how = "double backward"
    lines = [
        f"{entry.what} is {entry.said:.6g} by {how}, but {entry.expected:.6g} by finite "
        f"differences, at {point.describe()}"
    ]
    # Of a batch node, the sample the failing gradient is of (each sample is its own graph).
    culprits.sort(key=lambda d: d.sample is not None and d.sample != entry.wrt[1])
    if culprits:
        lines.append(f"  The culprit: {_blame(culprits[0])}")
        first = culprits[0].node
        samples = [d.sample for d in culprits[1:] if d.node is first and d.sample is not None]
        others = [d.node for d in culprits if d.node is not first]
        if samples:
            lines.append(f"  ({first.op} is wrong at {len(samples)} more samples of the batch)")
        if others:
            ops = ", ".join(sorted({n.op for n in others}))
            lines.append(f"  ({len(set(others))} more nodes have a wrong local derivative: {ops})")
    else:
        unchecked = ", ".join(sorted({n.op for n in unknown}))
        why = "backward combined them wrongly"
        if unknown:
            why = f"one of these ops, which cannot be recomputed to check, is wrong: {unchecked}"
        lines.append(
            f"  Every op's local derivative matches finite differences of that op alone: {why}"
        )
    culprit = culprits[0] if culprits else None
    path, note = _draw(out, culprit, lines[0], picture)
    if note:
        lines.append(f"  {note}")
    raise GradientMismatch(
        "\n".join(lines), point.name(*entry.wrt), culprit.node.op if culprit else None, path
    )


def _blame(d: Disagreement) -> str:
    """What is wrong with one node, in words: its op, the input, the two numbers, where."""
    node, op = d.node, d.node.op
    sample = "" if d.sample is None else f", sample {d.sample}"
    at = f"at {op}({', '.join(_operand(node, k, d.sample) for k in range(len(node.parents)))})"
    wrt = _wrt(node, d.k)
    if d.what == "local":
        return (
            f"{op}'s local derivative with respect to {wrt} is {d.said:.6g} ({at}{sample}), "
            f"but finite differences of {op} alone give {d.expected:.6g}"
        )
    if d.what == "rule value":
        return (
            f"{op}'s local derivative with respect to {wrt}, built as a graph for "
            f"create_graph=True, is {d.said:.6g} ({at}), but as a number it is {d.expected:.6g}"
        )
    return (
        f"the derivative of {op}'s local derivative (with respect to {wrt}) with respect to "
        f"{_wrt(node, d.m or 0)} is {d.said:.6g} by its graph for create_graph=True ({at}), "
        f"but finite differences give {d.expected:.6g}"
    )


def _wrt(node: Value, k: int) -> str:
    label = node.parents[k].label
    if label:
        return label
    return "its input" if len(node.parents) == 1 else f"its input {k}"


def _operand(node: Value, k: int, sample: int | None) -> str:
    parent = node.parents[k]
    x = parent.data
    number = _fmt(x if sample is None or not isinstance(x, np.ndarray) else x[sample])
    return f"{parent.label} = {number}" if parent.label else number


def _draw(root: Value, culprit: Disagreement | None, headline: str, picture) -> tuple:
    """Draw the failing graph, the culprit's edge in red; (path or None, a line to print)."""
    if picture is None:
        return None, ""
    if not _reported_run():
        return None, "(the picture is drawn for the example hypothesis reports)"
    nodes = topological_order(root)
    kept = [node.grad for node in nodes]  # parameters f reads keep their own gradients
    for node in nodes:
        node.grad = None
    try:
        root.backward(None if root.batch_size is None else np.ones(root.batch_size))
        return _picture(root, culprit, headline, picture)  # this backward's grads, drawn
    finally:
        for node, grad_before in zip(nodes, kept):
            node.grad = grad_before


def _picture(root: Value, culprit: Disagreement | None, headline: str, picture) -> tuple:
    caption = headline if culprit is None else f"{headline}.\nIn red: {_blame(culprit)}."
    caption = "\n".join(textwrap.fill(line, CAPTION_WIDTH) for line in caption.split("\n"))
    cell = "" if culprit is None else f"{culprit.said:.4g}, should be {culprit.expected:.4g}"
    try:
        return _render(root, culprit, cell, caption, picture)
    except Exception as error:  # the message above is the result; a picture is a bonus
        return None, f"(no picture: drawing it failed with {type(error).__name__}: {error})"


def _render(root: Value, culprit: Disagreement | None, cell: str, caption: str, picture) -> tuple:
    import viz  # viz builds on autograd: imported here, when a check fails, only
    from viz.mismatch import draw_mismatch

    node, k = (culprit.node, culprit.k) if culprit else (None, 0)
    digraph = draw_mismatch(root, node, k, cell, caption)
    if picture == "auto":
        name = re.sub(r"\W", "_", node.op) if node else "gradient"
        digest = hashlib.sha1(digraph.source.encode("utf-8")).hexdigest()[:10]
        folder = Path(tempfile.gettempdir()) / "autograd-testing"
        folder.mkdir(exist_ok=True)
        picture = folder / f"{name}-{digest}.png"
    try:
        path = viz.render(digraph, picture)
    except viz.GraphvizNotFoundError as error:
        path = viz.render(digraph, Path(picture).with_suffix(".dot"))
        return path, f"Graphviz is missing, so the graph is written as DOT text: {path}. {error}"
    where = "the culprit's edge in red" if culprit else "no edge to blame"
    return path, f"Picture of the graph ({where}): {path}"


def _reported_run() -> bool:
    """False while hypothesis is still searching or shrinking (its failures there are not
    shown; drawing each would cost a Graphviz run): pictures are for the reported example."""
    hypothesis = sys.modules.get("hypothesis")
    in_a_test = getattr(hypothesis, "currently_in_test_context", None)
    if in_a_test is None or not in_a_test():
        return True
    try:
        from hypothesis.control import should_note

        return bool(should_note())
    except Exception:  # another hypothesis version: draw every time rather than never
        return True


def _fmt(x: Data) -> str:
    if isinstance(x, np.ndarray):
        shown = ", ".join(f"{v:.6g}" for v in x[:4])
        return f"[{shown}{', ...' if len(x) > 4 else ''}]"
    return f"{x:.6g}"


# --------------------------------------------------------------------- hypothesis strategies


def _hypothesis(what: str) -> Any:
    try:
        import hypothesis
        import hypothesis.strategies
    except ImportError:
        raise ImportError(
            f"autograd.testing.{what}() draws examples with hypothesis, which is not "
            'installed: pip install "autograd-viz[testing]"'
        ) from None
    return hypothesis


def _numbers(hypothesis: Any, min_value: float, max_value: float) -> Any:
    for name, bound in (("min_value", min_value), ("max_value", max_value)):
        if isinstance(bound, bool) or not isinstance(bound, int | float) or not np.isfinite(bound):
            raise ValueError(f"{name} must be a finite number, got {bound!r}")
    if min_value > max_value:
        raise ValueError(f"min_value {min_value} is above max_value {max_value}")
    return hypothesis.strategies.floats(min_value, max_value, allow_nan=False)


def values(min_value: float = -3.0, max_value: float = 3.0) -> Any:
    """A hypothesis strategy of leaf Values holding one number in [min_value, max_value].

    >>> from hypothesis import given
    >>> @given(values(0.1, 2.0))
    ... def test_log(x):
    ...     assert_gradients_match(lambda v: v.log(), x)
    >>> test_log()
    """
    hypothesis = _hypothesis("values")
    return _numbers(hypothesis, min_value, max_value).map(Value)


def batches(
    min_value: float = -3.0, max_value: float = 3.0, min_size: int = 1, max_size: int = 8
) -> Any:
    """A hypothesis strategy of leaf Values holding a batch (a 1-D array) of numbers.

    >>> from hypothesis import given
    >>> @given(batches(max_size=4))
    ... def test_tanh(x):
    ...     assert x.batch_size <= 4
    ...     assert_gradients_match(lambda v: v.tanh(), x)
    >>> test_tanh()
    """
    hypothesis = _hypothesis("batches")
    if not (isinstance(min_size, int) and isinstance(max_size, int) and 1 <= min_size <= max_size):
        raise ValueError(f"sizes must be whole numbers 1 <= min_size <= max_size, got "
                         f"{min_size!r} and {max_size!r}")  # fmt: skip
    lists = hypothesis.strategies.lists(
        _numbers(hypothesis, min_value, max_value), min_size=min_size, max_size=max_size
    )
    return lists.map(lambda xs: Value(np.array(xs)))


def expressions(
    ops: Sequence[str | Callable[..., Value]] | None = None,
    *,
    max_depth: int = 8,
    min_depth: int = 1,
    n_inputs: int = 3,
    min_value: float = -3.0,
    max_value: float = 3.0,
    batch_size: int | None = None,
    smooth: bool = True,
) -> Any:
    """A hypothesis strategy of ``(f, inputs)``: a random ``Expression`` and its inputs.

    ``ops`` lists what the steps may use: names of ``OPS`` (the engine's ops: "mul",
    "tanh", ...), and your own ops, taking one or two Values (``autograd.function``s, or
    any function of Values); by default every op in ``OPS``. Each expression has between
    ``min_depth`` and ``max_depth`` steps; ``inputs`` are ``n_inputs`` numbers in
    [min_value, max_value] (arrays of ``batch_size`` samples when it is given).

    With ``smooth`` (the default), inputs are kept away from every op's singularities:
    each value and local derivative of the graph is finite and below 1e3 in size (no log of
    0, no division by near zero, no overflowing exp; an op of yours that raises
    ZeroDivisionError or OverflowError there counts as one too), and the operands of relu,
    abs, leaky_relu, elu, max and min are at least 1e-3 from their kinks. Your own ops'
    kinks are not known here: at one, the check rejects the example instead of failing.
    ``smooth=False`` keeps every draw (for tests of inf and nan).

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=20)
    ... @given(expressions(ops=["mul", "sin"], max_depth=4))
    ... def test_engine(case):
    ...     f, inputs = case
    ...     assert_gradients_match(f, *inputs)
    >>> test_engine()
    """
    hypothesis = _hypothesis("expressions")
    st = hypothesis.strategies
    table = OPS if ops is None else steps(ops)
    for name, n, least in (("min_depth", min_depth, 1), ("n_inputs", n_inputs, 1)):
        if isinstance(n, bool) or not isinstance(n, int) or n < least:
            raise ValueError(f"{name} must be a whole number >= {least}, got {n!r}")
    if isinstance(max_depth, bool) or not isinstance(max_depth, int) or max_depth < min_depth:
        raise ValueError(f"max_depth must be a whole number >= min_depth, got {max_depth!r}")
    if batch_size is not None and (not isinstance(batch_size, int) or batch_size < 1):
        raise ValueError(f"batch_size must be None or a whole number >= 1, got {batch_size!r}")
    number = _numbers(hypothesis, min_value, max_value)
    names = sorted(table)

    @st.composite
    def draw_expression(draw: Callable) -> tuple[Expression, list[Data]]:
        program = []
        # A pick is taken modulo the nodes so far: drawn from a small range, hypothesis would
        # favour its ends, and the newest node (max(a, a) is a tie: a kink) would be common.
        for _ in range(draw(st.integers(min_depth, max_depth))):
            program.append((draw(st.sampled_from(names)), draw(st.integers(0, 1000))))
        if batch_size is None:
            inputs: list[Data] = draw(st.lists(number, min_size=n_inputs, max_size=n_inputs))
        else:
            sample = st.lists(number, min_size=batch_size, max_size=batch_size)
            inputs = [np.array(draw(sample)) for _ in range(n_inputs)]
        f = Expression(program, table, n_inputs)
        if smooth:
            hypothesis.assume(is_smooth(f, inputs))
        return f, inputs

    return draw_expression()
