"""One small adapter per benchmarked library, so every case is written once.

All three libraries overload ``+``, ``*`` and ``.relu()`` and have ``root.backward()``; they
differ only in how a leaf is made and how its number is read back.

>>> ours = load("ours")
>>> x = ours.leaf(2.0)
>>> y = x * x
>>> y.backward()
>>> ours.grad_of(x), ours.data_of(y)
(4.0, 4.0)
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# "ours" runs the engine as installed (compiled where setup.py could compile it);
# "ours-pure" the same engine as pure Python (AUTOGRAD_PURE_PYTHON=1, set by the harness);
# "numpy" is a hand-written forward/backward/step of case D's network: the floor for D.
NAMES = ("ours", "ours-pure", "micrograd", "torch", "numpy")
PURE_PYTHON = "ours-pure"

# The Python module each library is imported as, to tell "not installed" without importing it.
_MODULES = {
    "ours": "autograd", "ours-pure": "autograd", "micrograd": "micrograd", "torch": "torch",
    "numpy": "numpy",
}  # fmt: skip
# The distribution whose version the table prints.
_DISTRIBUTIONS = {
    "ours": "autograd-viz", "ours-pure": "autograd-viz", "micrograd": "micrograd",
    "torch": "torch", "numpy": "numpy",
}  # fmt: skip


@dataclass(frozen=True)
class Library:
    """How to make nodes of one library and read them back.

    ``leaf`` makes a value that gradients reach (a parameter or an input); ``constant``
    makes a starting value they need not reach. ``recursive_backward`` is True when
    backward recurses (micrograd's topological sort), so a deep graph needs a raised
    recursion limit; the harness raises it only after backward failed at the default.
    """

    name: str
    leaf: Callable[[float], Any]
    constant: Callable[[float], Any]
    data_of: Callable[[Any], float]
    grad_of: Callable[[Any], float]
    recursive_backward: bool = False


def is_installed(name: str) -> bool:
    """True when the library can be imported (without importing it: torch takes seconds).

    >>> is_installed("ours")
    True
    """
    return importlib.util.find_spec(_MODULES[name]) is not None


def version(name: str) -> str | None:
    """The installed version of a library, or None when it is not installed.

    >>> version("ours") is not None
    True
    """
    try:
        return importlib.metadata.version(_DISTRIBUTIONS[name])
    except importlib.metadata.PackageNotFoundError:
        return None


def load(name: str) -> Library:
    """Import a library and return its adapter; ImportError when it is not installed.

    >>> load("ours").name
    'ours'
    """
    if name in ("ours", PURE_PYTHON):
        from autograd import Value

        return Library(name, Value, Value, _data, _grad)
    if name == "micrograd":
        from micrograd.engine import Value as MicrogradValue

        return Library(name, MicrogradValue, MicrogradValue, _data, _grad, recursive_backward=True)
    if name == "torch":
        import torch

        def leaf(x: float) -> Any:
            return torch.tensor(x, dtype=torch.float64, requires_grad=True)

        def constant(x: float) -> Any:
            return torch.tensor(x, dtype=torch.float64)

        return Library(name, leaf, constant, float, lambda t: float(t.grad))
    raise ValueError(f"unknown library {name!r}; choose from {', '.join(NAMES)}")


def _data(v: Any) -> float:
    return float(v.data)


def _grad(v: Any) -> float:
    return float(v.grad)
