"""Gradients as functions, second derivatives, and checking both against finite differences.

``grad(f)`` turns f(x, y, ...) into a function returning ∂f/∂x, ∂f/∂y, ...;
``numerical_grad`` estimates the same numbers by central differences, and ``gradcheck``
compares the two, which is how a learner confirms a hand derivation or the engine itself.
``hessian``, ``hvp`` and ``jacobian`` differentiate gradients (double backward), and
``gradgradcheck`` checks second derivatives the same way.

>>> f = lambda x, y: x * y + y.exp()
>>> grad(f)(2.0, 0.0)             # (∂f/∂x, ∂f/∂y) = (y, x + e^y)
(0.0, 3.0)
>>> gradcheck(f, [2.0, 0.0])
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from autograd import gradients
from autograd.combine import sum_of
from autograd.engine import Number, Value, enable_grad, no_grad

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
            try:
                leaf.data = original + eps
                above = _scalar_output(f(*leaves)).data
                leaf.data = original - eps
                below = _scalar_output(f(*leaves)).data
            finally:  # even when f raises, the input is left as it was
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
    names the worst input with both gradients. No ``.grad`` is changed: not the inputs',
    nor those of parameters ``f`` reads through a closure.

    >>> gradcheck(lambda x: x.sin(), [0.5])
    True
    """
    leaves = _leaves(inputs)
    analytic = list(gradients.grad(_scalar_output(f(*leaves)), leaves))
    numerical = numerical_grad(f, leaves, eps)
    names = [f"{leaf.label or f'input {i}'} (data={leaf.data!r})" for i, leaf in enumerate(leaves)]
    return _compare(analytic, numerical, names, "gradcheck", eps, atol, rtol)


def _compare(
    analytic: list[float],
    numerical: list[float],
    names: list[str],
    check: str,
    eps: float,
    atol: float,
    rtol: float,
) -> bool:
    """True when every entry is within tolerance; else AssertionError naming the worst."""

    def excess(i: int) -> float:  # how far past its tolerance entry i is (nan counts as worst)
        error = abs(analytic[i] - numerical[i]) - (atol + rtol * abs(numerical[i]))
        return math.inf if math.isnan(error) else error

    worst = max(range(len(analytic)), key=excess)
    if excess(worst) > 0:
        raise AssertionError(
            f"{check} failed at {names[worst]}: "
            f"analytic {analytic[worst]!r} vs numerical {numerical[worst]!r} "
            f"(atol={atol}, rtol={rtol}, eps={eps}); {len(analytic)} entries checked"
        )
    return True


def hessian(f: Function, inputs: Sequence[Value | Number]) -> np.ndarray:
    """The matrix of second derivatives ∂²f/∂xᵢ∂xⱼ, by differentiating the gradient.

    >>> hessian(lambda x, y: x * x * y, [3.0, 2.0])    # [[2y, 2x], [2x, 0]]
    array([[4., 6.],
           [6., 0.]])
    """
    leaves = _leaves(inputs)
    first = gradients.grad(_scalar_output(f(*leaves)), leaves, create_graph=True)
    return np.array([gradients.grad(g, leaves) for g in first], dtype=np.float64)


def hvp(f: Function, inputs: Sequence[Value | Number], v: Sequence[Number]) -> tuple[float, ...]:
    """The Hessian times a vector, H·v, by double backward: the gradient of ∇f · v.

    Costs two backward passes whatever the number of inputs (the Hessian costs one per input).

    >>> hvp(lambda x, y: x * x * y, [3.0, 2.0], [1.0, 0.0])     # first column of H
    (4.0, 6.0)
    """
    leaves = _leaves(inputs)
    if len(v) != len(leaves):
        raise ValueError(f"hvp: v has {len(v)} entries for {len(leaves)} inputs")
    first = gradients.grad(_scalar_output(f(*leaves)), leaves, create_graph=True)
    directional = sum_of([g * float(vi) for g, vi in zip(first, v)])
    return gradients.grad(directional, leaves)


def jacobian(
    f: Callable[..., Sequence[Value | Number]], inputs: Sequence[Value | Number]
) -> np.ndarray:
    """The matrix ∂fᵢ/∂xⱼ of a function returning several values (one row per output).

    >>> jacobian(lambda x, y: [x * y, x + y], [2.0, 3.0])
    array([[3., 2.],
           [1., 1.]])
    """
    leaves = _leaves(inputs)
    outputs = [_scalar_output(out) for out in f(*leaves)]
    return np.array([gradients.grad(out, leaves) for out in outputs], dtype=np.float64).reshape(
        len(outputs), len(leaves)
    )


def gradgradcheck(
    f: Function,
    inputs: Sequence[Value | Number],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """Check second derivatives: the Hessian by double backward against central differences
    of the (backward-computed) first derivatives. True, or AssertionError naming the worst entry.

    Like PyTorch's, it takes the first derivatives as given: run ``gradcheck`` as well.

    >>> gradgradcheck(lambda x, y: (x * y).tanh(), [0.5, -1.0])
    True
    """
    leaves = _leaves(inputs)
    analytic = hessian(f, leaves).ravel().tolist()
    numerical: list[float] = []
    for i in range(len(leaves)):

        def d_f_d_xi(*xs: Value, i: int = i) -> float:
            with enable_grad():  # numerical_grad runs f under no_grad
                return gradients.grad(_scalar_output(f(*xs)), list(xs))[i]

        numerical += numerical_grad(d_f_d_xi, leaves, eps)
    names = [leaf.label or f"input {i}" for i, leaf in enumerate(leaves)]
    pairs = [f"∂²/∂({a})∂({b})" for a in names for b in names]
    return _compare(analytic, numerical, pairs, "gradgradcheck", eps, atol, rtol)


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
