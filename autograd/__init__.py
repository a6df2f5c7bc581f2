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

# The layers on top of the engine (each imports what it builds on). rules and fused fill
# the engine's tables (second-derivative rules, fused layers' expansion) when imported.
from autograd import combine, data, functional, fused, losses, nn, optim, rules  # noqa: E402
from autograd.combine import maximum, minimum, sum_of, where  # noqa: E402
from autograd.custom_ops import Function, function  # noqa: E402
from autograd.engine import (  # noqa: E402
    Value,
    detect_anomaly,
    enable_grad,
    is_grad_enabled,
    no_grad,
    scope,
    topological_order,
)
from autograd.gradients import grad  # noqa: E402

__all__ = [
    "COMPILED",
    "Function",
    "Value",
    "combine",
    "data",
    "detect_anomaly",
    "enable_grad",
    "function",
    "functional",
    "fused",
    "grad",
    "is_grad_enabled",
    "losses",
    "maximum",
    "minimum",
    "nn",
    "no_grad",
    "optim",
    "rules",
    "scope",
    "sum_of",
    "topological_order",
    "where",
]
