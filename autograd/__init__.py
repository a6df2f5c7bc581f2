"""A scalar reverse-mode autograd engine that shows the chain rule.

>>> from autograd import Value
>>> x = Value(2.0, label="x")
>>> y = (x * x).tanh()
>>> y.backward()
>>> round(x.grad, 6)                # (1 - tanh²(x²)) · 2x
0.005364
"""

from autograd.compiled import load_engine

COMPILED = load_engine()  # True: the engine runs compiled with mypyc (see autograd/compiled.py)

# The library on top of the engine (they import autograd.engine themselves).
from autograd import data, functional, losses, nn, optim  # noqa: E402
from autograd.custom_ops import Function, function  # noqa: E402
from autograd.engine import (  # noqa: E402
    Value,
    detect_anomaly,
    enable_grad,
    grad,
    is_grad_enabled,
    maximum,
    minimum,
    no_grad,
    scope,
    sum_of,
    topological_order,
)

__all__ = [
    "COMPILED",
    "Function",
    "Value",
    "data",
    "detect_anomaly",
    "enable_grad",
    "function",
    "functional",
    "grad",
    "is_grad_enabled",
    "losses",
    "maximum",
    "minimum",
    "nn",
    "no_grad",
    "optim",
    "scope",
    "sum_of",
    "topological_order",
]
