"""``grad()``: gradients of outputs with respect to inputs, every ``.grad`` left alone.

What ``torch.autograd.grad`` is to PyTorch: backward() run for you on each output, the
inputs' gradients collected, and every node's ``.grad`` put back as it was. With
``create_graph=True`` the gradients are Values, to differentiate again (second derivatives:
``autograd.functional.hessian`` is built on it).

>>> from autograd import Value
>>> x, y = Value(2.0), Value(3.0)
>>> grad(x * y, [x, y]), x.grad is None
((3.0, 2.0), True)
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from autograd.engine import Number, Value, topological_order


def grad(
    outputs: Value | Iterable[Value],
    inputs: Value | Iterable[Value],
    grad_outputs: Number | np.ndarray | Value | Iterable | None = None,
    create_graph: bool = False,
) -> tuple:
    """∂outputs/∂inputs, one gradient per input, leaving every ``.grad`` as it was.

    As ``torch.autograd.grad``: several outputs add up their gradients (each weighted by
    its ``grad_outputs`` entry); an input no output depends on gets 0.0. The gradients are
    numbers (a float, or an array for a batch input), ready to print and compare; with
    ``create_graph=True`` each is a Value whose graph can be differentiated again. (PyTorch
    returns tensors both ways; here a number is the answer a learner can compare, since
    ``==`` on Values is identity.)

    >>> x = Value(3.0)
    >>> y = x ** 3
    >>> (dy,) = grad(y, [x], create_graph=True)     # 3x² = 27, as a graph
    >>> (d2y,) = grad(dy, [x])                      # 6x = 18
    >>> dy.data, d2y, x.grad is None
    (27.0, 18.0, True)
    """
    outputs = [outputs] if isinstance(outputs, Value) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Value) else list(inputs)
    for what, values in (("output", outputs), ("input", inputs)):
        for v in values:
            if not isinstance(v, Value):
                raise TypeError(f"grad(): each {what} must be a Value, not {type(v).__name__}")
    if grad_outputs is None or isinstance(grad_outputs, Value | Number | np.ndarray):
        seeds = [grad_outputs] * len(outputs)
    else:
        seeds = list(grad_outputs)
        if len(seeds) != len(outputs):
            raise ValueError(f"grad(): {len(seeds)} grad_outputs for {len(outputs)} outputs")
    involved = {node for out in outputs for node in topological_order(out)}
    involved.update(inputs)
    saved = {node: node.grad for node in involved}
    totals: list = [None] * len(inputs)
    try:
        for out, seed in zip(outputs, seeds):
            for node in involved:
                node.grad = None
            out.backward(seed, create_graph=create_graph)
            for i, x in enumerate(inputs):
                if x.grad is not None:
                    totals[i] = x.grad if totals[i] is None else totals[i] + x.grad
    finally:
        for node, before in saved.items():
            node.grad = before
    totals = [0.0 if total is None else total for total in totals]
    if create_graph:
        return tuple(t if isinstance(t, Value) else Value(t) for t in totals)
    return tuple(t.data if isinstance(t, Value) else t for t in totals)
