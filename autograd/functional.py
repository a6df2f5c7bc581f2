"""Gradients as functions, and checking them against finite differences.

``grad(f)`` turns f(x, y, ...) into a function returning ∂f/∂x, ∂f/∂y, ...;
``numerical_grad`` estimates the same numbers by central differences, and ``gradcheck``
compares the two, which is how a learner confirms a hand derivation or the engine itself.

>>> f = lambda x, y: x * y + y.exp()
>>> grad(f)(2.0, 0.0)             # (∂f/∂x, ∂f/∂y) = (y, x + e^y)
(0.0, 3.0)
>>> gradcheck(f, [2.0, 0.0])
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from autograd.engine import Number, Value, no_grad

Function = Callable[..., Value | Number]


def value_and_grad(f: Function) -> Callable[..., tuple[float, float | tuple[float, ...]]]:
    """Return a function computing ``(f(*args), gradient of f at args)``.

    Arguments may be numbers or Values; fresh leaves are made from their data, so the
    caller's Values keep their gradients. One argument gives one gradient, several give
    a tuple.

    >>> value_and_grad(lambda x: x * x)(3.0)
    (9.0, 6.0)
    """

    def wrapped(*args: Value | Number) -> tuple[float, float | tuple[float, ...]]:
        leaves = [Value(a.data if isinstance(a, Value) else a) for a in args]
        out = _scalar_output(f(*leaves))
        out.backward()
        grads = tuple(0.0 if leaf.grad is None else leaf.grad for leaf in leaves)
        return out.data, grads[0] if len(grads) == 1 else grads

    return wrapped


def grad(f: Function) -> Callable[..., float | tuple[float, ...]]:
    """Return a function computing the gradient of scalar ``f`` at its arguments.

    >>> grad(lambda x: x.tanh())(0.0)
    1.0
    """
    with_value = value_and_grad(f)
    return lambda *args: with_value(*args)[1]


def numerical_grad(f: Function, inputs: Sequence[Value | Number], eps: float = 1e-6) -> list[float]:
    """Central differences (f(x + eps) − f(x − eps)) / 2eps, one input at a time.

    ``inputs`` may be numbers or leaf Values; a Value's data is perturbed in place and
    restored, so ``f`` may also read it through a closure (a model's parameters).

    >>> [round(g, 6) for g in numerical_grad(lambda x, y: x * y, [2.0, 3.0])]
    [3.0, 2.0]
    """
    leaves = _leaves(inputs)
    estimates = []
    with no_grad():
        for leaf in leaves:
            original = leaf.data
            leaf.data = original + eps
            above = _scalar_output(f(*leaves)).data
            leaf.data = original - eps
            below = _scalar_output(f(*leaves)).data
            leaf.data = original
            estimates.append((above - below) / (2 * eps))
    return estimates


def gradcheck(
    f: Function,
    inputs: Sequence[Value | Number],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """Check backward against central differences; True, or AssertionError with a report.

    Each input passes when ``|analytic − numerical| <= atol + rtol·|numerical|``. The report
    names the worst input with both gradients. Leaf Values given as inputs keep the
    gradients they had before the check.

    >>> gradcheck(lambda x: x.sin(), [0.5])
    True
    """
    leaves = _leaves(inputs)
    saved_grads = [leaf.grad for leaf in leaves]
    for leaf in leaves:
        leaf.grad = None
    _scalar_output(f(*leaves)).backward()
    analytic = [0.0 if leaf.grad is None else leaf.grad for leaf in leaves]
    for leaf, saved in zip(leaves, saved_grads):
        leaf.grad = saved
    numerical = numerical_grad(f, leaves, eps)

    def excess(i: int) -> float:  # how far past its tolerance input i is (nan counts as worst)
        error = abs(analytic[i] - numerical[i]) - (atol + rtol * abs(numerical[i]))
        return math.inf if math.isnan(error) else error

    worst = max(range(len(leaves)), key=excess)
    if excess(worst) > 0:
        name = leaves[worst].label or f"input {worst}"
        raise AssertionError(
            f"gradcheck failed at {name} (data={leaves[worst].data!r}): "
            f"analytic {analytic[worst]!r} vs numerical {numerical[worst]!r} "
            f"(atol={atol}, rtol={rtol}, eps={eps}); {len(leaves)} inputs checked"
        )
    return True


def _leaves(inputs: Sequence[Value | Number]) -> list[Value]:
    leaves = [x if isinstance(x, Value) else Value(x) for x in inputs]
    if not leaves:
        raise ValueError("no inputs to differentiate with respect to")
    for i, leaf in enumerate(leaves):
        if leaf.parents:
            raise ValueError(f"input {i} is computed from other Values; pass leaf Values")
        if leaf.batch_size is not None:
            raise ValueError(f"input {i} holds a batch; gradcheck works on scalar inputs")
    return leaves


def _scalar_output(out: Value | Number) -> Value:
    if not isinstance(out, Value):
        return Value(out)  # f ignored its inputs: every gradient is 0
    if out.batch_size is not None:
        raise ValueError("f must return a scalar Value; reduce a batch with .mean() or .sum()")
    return out
