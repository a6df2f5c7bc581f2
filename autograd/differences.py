"""Finite differences that say when they can be trusted, of a whole function or of one op.

A central difference ``(g(x + h) − g(x − h)) / 2h`` estimates g′(x) with two errors:
truncation, about h²·|g‴|/6, and rounding, about ε·|g|/h (ε = 2.2e-16). With h = 1e-6 and
values below 1e3 that is ~1e-9 and ~2e-7, far below a tolerance of 1e-5 + 1e-4·|g′|, while
a wrong derivative (a factor, a sign, a missing term) misses by far more. But a check that
blames a derivative must first know that the estimate is good, so ``estimate`` also says:

- whether the differences at h and at h/10 agree (to the check's tolerance): they have
  converged, so the error is not g‴ being huge (``sin`` of a steep argument);
- whether the one-sided differences at h/10, forward and backward, agree to 1e-3: else g
  has a kink at x (``relu`` at 0, ``abs`` at 0, ``max`` at a tie), where the derivative is a
  convention that no difference can check;
- whether every number is finite.

>>> e = estimate(lambda t: np.array([t**3]), 2.0, 1e-6)     # d/dx x³ = 12 at 2
>>> round(float(e.coarse[0]), 6), e.trouble(atol=1e-5, rtol=1e-4)
(12.0, [None])
>>> print(estimate(lambda t: np.array([abs(t)]), 0.0, 1e-6).trouble(atol=1e-5, rtol=1e-4)[0])
there is a kink here, or a curve too steep for the step: the differences on either side are 1 and -1

The second half checks one node: its op is recomputed from its parents' numbers
(``recompute``), and its local derivatives are compared with differences of that op alone
(``local_disagreements``; ``rule_disagreements`` does the same for the local derivatives
built as graphs, which second derivatives use). That is how a failing gradient is traced
back to the op whose derivative is wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from autograd import custom_ops, losses
from autograd.combine import maximum, minimum, sum_of
from autograd.engine import Value, enable_grad, no_grad, topological_order
from autograd.gradients import grad
from autograd.rules import local_grads_as_graph

Data = float | np.ndarray
FINER = 10  # the second step is step / FINER
KINK_TOLERANCE = 1e-3  # one-sided differences closer than this (relative to 1 + |g'|): smooth


# --------------------------------------------------------------------- the estimate


@dataclass(frozen=True)
class Estimate:
    """Differences of a function g (of one number, giving an array) at x, elementwise.

    ``coarse`` and ``fine`` are central differences with steps ``step`` and ``step / 10``;
    ``forward`` and ``backward`` the one-sided differences with step / 10.
    """

    step: float
    coarse: np.ndarray
    fine: np.ndarray
    forward: np.ndarray
    backward: np.ndarray

    def element(self, i: int) -> Estimate:
        """The estimate of element i alone (of an array-valued g).

        >>> estimate(lambda t: np.array([t, 2 * t]), 0.0, 1e-6).element(1).fine
        array([2.])
        """
        parts = (self.coarse, self.fine, self.forward, self.backward)
        return Estimate(self.step, *(part[i : i + 1] for part in parts))

    def trouble(self, atol: float, rtol: float) -> list[str | None]:
        """For each element, None when the estimate can be trusted, else why not.

        >>> steep = estimate(lambda t: np.array([np.sin(3e4 * t)]), 0.0, 1e-6)  # huge g‴
        >>> steep.trouble(atol=1e-5, rtol=1e-4)[0]
        'the differences have not converged: steps 1e-06 and 1e-07 give 29995.5 and 30000'
        """
        reasons: list[str | None] = []
        for c, f, up, down in zip(self.coarse, self.fine, self.forward, self.backward):
            if not np.isfinite([c, f, up, down]).all():
                reasons.append(f"the differences are not finite ({c:.4g} and {f:.4g})")
            elif abs(up - down) > KINK_TOLERANCE * (1.0 + abs(f)):
                reasons.append(
                    "there is a kink here, or a curve too steep for the step: the differences "
                    f"on either side are {up:.4g} and {down:.4g}"
                )
            elif not close(c, f, atol, rtol):
                reasons.append(
                    f"the differences have not converged: steps {self.step:g} and "
                    f"{self.step / FINER:g} give {c:.6g} and {f:.6g}"
                )
            else:
                reasons.append(None)
        return reasons


def estimate(g: Callable[[float], np.ndarray], x: float, step: float) -> Estimate:
    """Central and one-sided differences of ``g`` at ``x`` (5 calls of g).

    >>> estimate(lambda t: np.array([t * t, 3 * t]), 1.0, 1e-6).fine.round(6)
    array([2., 3.])
    """
    fine_step = step / FINER
    at = g(x)
    above, below = g(x + step), g(x - step)
    fine_above, fine_below = g(x + fine_step), g(x - fine_step)
    with np.errstate(all="ignore"):  # inf - inf is nan: trouble() says "not finite"
        return Estimate(
            step=step,
            coarse=(above - below) / (2 * step),
            fine=(fine_above - fine_below) / (2 * fine_step),
            forward=(fine_above - at) / fine_step,
            backward=(at - fine_below) / fine_step,
        )


def close(a: float, b: float, atol: float, rtol: float) -> bool:
    """``|a − b| <= atol + rtol·|b|`` (b is the estimate); False for nan.

    >>> close(1.00001, 1.0, atol=1e-5, rtol=1e-4), close(float("nan"), 1.0, 1.0, 1.0)
    (True, False)
    """
    return bool(abs(a - b) <= atol + rtol * abs(b))


# --------------------------------------------------------------------- one op, recomputed
# A node records its op's name, its parents and its number operand, not the function that
# made it. So each op of the engine (and each autograd.function) is tried on the parents'
# numbers, and the one that gives the same op name and bit for bit the same data is it.


def _candidates(node: Value) -> list[Callable[[list[Value]], Value]]:
    c, n = node.constant, len(node.parents)
    own = custom_ops.registered(node.op)
    if own is not None:
        return [lambda vs: own(*vs)]
    ops: list[Callable[[list[Value]], Value]] = [
        lambda vs: sum_of([*vs] if c is None else [*vs, c]),
        lambda vs: losses.l2(vs),  # one sum_of_squares node
    ]
    if n == 2:
        ops += [
            lambda vs: vs[0] + vs[1],
            lambda vs: vs[0] - vs[1],
            lambda vs: vs[0] * vs[1],
            lambda vs: vs[0] / vs[1],
            lambda vs: vs[0] ** vs[1],
            lambda vs: maximum(vs[0], vs[1]),
            lambda vs: minimum(vs[0], vs[1]),
        ]
    if n == 1 and c is not None:
        ops += [
            lambda vs: vs[0] + c,
            lambda vs: vs[0] - c,
            lambda vs: c - vs[0],
            lambda vs: vs[0] * c,
            lambda vs: vs[0] / c,
            lambda vs: c / vs[0],
            lambda vs: vs[0] ** c,
            lambda vs: c ** vs[0],
            lambda vs: vs[0].leaky_relu(c),
            lambda vs: vs[0].elu(c),
        ]
    if n == 1 and c is None:
        methods = ["exp", "log", "sqrt", "tanh", "sigmoid", "relu", "softplus", "sin", "cos"]
        ops += [lambda vs, m=m: getattr(vs[0], m)() for m in [*methods, "sum", "mean"]]
        ops += [lambda vs: -vs[0], lambda vs: abs(vs[0])]
    return ops


Op = Callable[[Sequence[Data]], Value]


def recompute(node: Value) -> Op | None:
    """A function applying ``node``'s op to other parent numbers (fresh leaves of them), or
    None when the op is none the engine knows (a fused layer, a node made with op_result).

    >>> x = Value(2.0)
    >>> again = recompute(x ** 3)
    >>> again([3.0]).data, again([3.0]).op
    (27.0, '**3')
    """
    if not node.parents:
        return None
    numbers = [p.data for p in node.parents]
    for candidate in _candidates(node):
        try:
            with no_grad(), np.errstate(all="ignore"):
                out = candidate([Value(x) for x in numbers])
        except Exception:  # not this op: it refused these operands
            continue
        if out.op == node.op and _identical(out.data, node.data):
            return lambda datas, op=candidate: op([Value(x) for x in datas])  # fresh leaves
    return None


def _identical(a: Data, b: Data) -> bool:
    if isinstance(a, float) != isinstance(b, float):
        return False
    return bool(np.array_equal(a, b, equal_nan=True))


# --------------------------------------------------------------------- each node, checked


@dataclass(frozen=True)
class Disagreement:
    """A local derivative of ``node`` (with respect to its parent ``k``) found wrong.

    ``what`` says which number: "local" is ``node.local_grads[k]`` (at ``sample`` of a
    batch, or None), against differences of the op; "rule value" is the same derivative
    built as a graph (for second derivatives), against the number; "rule derivative" is
    that graph's derivative with respect to parent ``m``, against differences of the
    number. ``said`` is what the node says, ``expected`` what it should be.
    """

    node: Value
    k: int
    what: str
    said: float
    expected: float
    sample: int | None = None
    m: int | None = None


def local_disagreements(
    root: Value, step: float, atol: float, rtol: float
) -> tuple[list[Disagreement], list[Value]]:
    """Every local derivative in ``root``'s graph that differences of its op contradict
    (closest to the inputs first), and the op nodes that could not be checked (their op
    could not be recomputed). A difference that cannot be trusted blames nobody.

    >>> x = Value(0.5)
    >>> local_disagreements(x.tanh() * x, 1e-6, 1e-5, 1e-4)
    ([], [])
    """
    found: list[Disagreement] = []
    unknown: list[Value] = []
    for node in topological_order(root):
        op = recompute(node) if node.parents else None
        if node.parents and op is None:
            unknown.append(node)
        if op is None:
            continue
        numbers = [p.data for p in node.parents]
        for k, local in enumerate(node.local_grads):
            if not isinstance(local, float | np.ndarray):
                continue  # not a number (a fused layer's share of a product)
            for sample, said, e in _local_estimates(op, numbers, k, local, node, step):
                reason = e.trouble(atol, rtol)[0]
                if reason is None and not close(said, float(e.coarse[0]), atol, rtol):
                    found.append(Disagreement(node, k, "local", said, float(e.coarse[0]), sample))
    return found, unknown


def _local_estimates(
    op: Op, numbers: list[Data], k: int, local: Data, node: Value, step: float
) -> Iterator[tuple[int | None, float, Estimate]]:
    """(sample, local derivative, its estimate) for parent k, per sample of a batch."""
    x = numbers[k]
    if isinstance(x, np.ndarray) and isinstance(node.data, float):
        # A reduction (sum, mean of a batch): the output depends on every sample.
        for s in range(len(x)):

            def g(t: float, s: int = s) -> np.ndarray:
                moved = x.copy()
                moved[s] = t
                return _data_of(op, numbers, k, moved)

            said = float(local[s]) if isinstance(local, np.ndarray) else float(local)
            yield s, said, estimate(g, float(x[s]), step)
        return

    # Elementwise: each output sample depends on the same sample of each input, so moving
    # the whole input (a batch, or a number every sample shares) moves each sample alone.
    def g(t: float) -> np.ndarray:
        return np.atleast_1d(_data_of(op, numbers, k, x + t))

    e = estimate(g, 0.0, step)
    said_all = np.broadcast_to(np.asarray(local, dtype=np.float64), e.coarse.shape)
    samples = range(len(e.coarse))
    for s in samples:
        sample = s if isinstance(node.data, np.ndarray) else None
        yield sample, float(said_all[s]), e.element(s)


def _data_of(op: Op, numbers: list[Data], k: int, moved: Data) -> np.ndarray:
    with no_grad(), np.errstate(all="ignore"):
        out = op([moved if j == k else x for j, x in enumerate(numbers)])
    return np.asarray(out.data, dtype=np.float64)


def rule_disagreements(
    root: Value, step: float, atol: float, rtol: float
) -> tuple[list[Disagreement], list[Value]]:
    """Like ``local_disagreements``, for the local derivatives built as graphs (the rules
    that ``create_graph=True`` uses): each one's value must equal the node's number, and
    its derivative with respect to each parent must match differences of that number.

    Samples of a batch are added up (the derivative along all samples at once).

    >>> x = Value(0.5)
    >>> rule_disagreements(x.sin() * x, 1e-6, 1e-4, 1e-3)
    ([], [])
    """
    found: list[Disagreement] = []
    unknown: list[Value] = []
    for node in topological_order(root):
        op = recompute(node) if node.parents else None
        if node.parents and op is None:
            unknown.append(node)
        if op is not None:
            found += _rule_disagreements_of(node, op, step, atol, rtol)
    return found, unknown


def _rule_disagreements_of(node: Value, op: Op, step: float, atol: float, rtol: float) -> list:
    numbers = [p.data for p in node.parents]
    with enable_grad():
        fresh = op(numbers)  # its own leaves, one per operand: partial derivatives
        rule = local_grads_as_graph(fresh)
    found = []
    for k, (local, built) in enumerate(zip(fresh.local_grads, rule)):
        if not isinstance(local, float | np.ndarray):
            continue
        value = built.data if isinstance(built, Value) else built
        if not np.allclose(value, local, rtol=1e-9, atol=1e-12, equal_nan=True):
            found.append(Disagreement(node, k, "rule value", _total(value), _total(local)))
            continue
        for m, leaf in enumerate(fresh.parents):

            def g(t: float, k: int = k, m: int = m) -> np.ndarray:
                moved = [x + t if j == m else x for j, x in enumerate(numbers)]
                with enable_grad(), np.errstate(all="ignore"):  # local_grads are recorded
                    return np.array([_total(op(moved).local_grads[k])])

            e = estimate(g, 0.0, step)
            said, expected = _rule_derivative(built, leaf), float(e.coarse[0])
            if e.trouble(atol, rtol)[0] is None and not close(said, expected, atol, rtol):
                found.append(Disagreement(node, k, "rule derivative", said, expected, m=m))
    return found


def _rule_derivative(built: Value | Data, leaf: Value) -> float:
    if not isinstance(built, Value):
        return 0.0  # a constant local derivative
    out = built.sum() if built.batch_size is not None else built
    (g,) = grad(out, [leaf])
    return _total(g)


def _total(x: Data) -> float:
    return float(np.sum(x))
