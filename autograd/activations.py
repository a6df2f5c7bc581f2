"""The activation functions, each written once: its forward value and local derivative.

One table, ``ACTIVATIONS`` (name -> Activation), that everything reads: the engine's ops
(``Value.relu`` ...), the fused layers (the same formulas on a matrix of samples × neurons)
and ``nn``'s ``activation="relu"`` names. So a neuron computes the same numbers alone, in a
layer, and fused.

Each local derivative is one formula of the input ``x`` and the output ``out`` that serves
every form of them: numbers, batches, a fused layer's matrix, and graph nodes when a gradient
is built as a graph (``create_graph=True``: see ``autograd.rules``). It uses only arithmetic
and ``where``, which the caller passes for graph nodes, so the two forms cannot drift apart.

>>> TANH.forward(0.5), TANH.derivative(0.5, TANH.forward(0.5)) == 1 - TANH.forward(0.5) ** 2
(0.46211715726000974, True)
>>> sorted(ACTIVATIONS)
['elu', 'leaky_relu', 'linear', 'relu', 'sigmoid', 'tanh']
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Final

from autograd import elementwise as ew
from autograd.elementwise import Data

Where = Callable[[Any, Any, Any], Any]  # where(condition, a, b): a where condition holds, else b


class Activation:
    """An activation function: ``forward(x)`` and its local derivative ``derivative(x, out)``,
    and the same two on one plain number (``*_number``: compiled, C doubles, several times
    faster than the general form, which boxes every number). ``parameter`` is its setting
    (leaky_relu's slope, elu's alpha), or None.
    """

    name: str = ""
    formula: str = ""  # the derivative in words, for docstrings and drawings
    parameter: float | None = None

    def forward(self, x: Data) -> Data:
        """The activation of x: a number, or per element of a batch or matrix."""
        raise NotImplementedError

    def derivative(self, x: Any, out: Any, where: Where = ew.where) -> Any:
        """∂out/∂x from the input x and the output out (numbers, arrays or graph nodes)."""
        raise NotImplementedError

    def forward_number(self, x: float) -> float:
        """``forward`` of one number."""
        raise NotImplementedError

    def derivative_number(self, x: float, out: float) -> float:
        """``derivative`` at one number."""
        raise NotImplementedError

    def __repr__(self) -> str:
        setting = "" if self.parameter is None else f"({self.parameter:g})"
        return f"<activation {self.name}{setting}: d/dx = {self.formula}>"


class Linear(Activation):
    """The identity, for a last layer that outputs raw scores. ``LINEAR.forward(2.0) == 2.0``"""

    name = "linear"
    formula = "1"

    def forward(self, x: Data) -> Data:
        return x

    def derivative(self, x: Any, out: Any, where: Where = ew.where) -> Any:
        return 1.0

    def forward_number(self, x: float) -> float:
        return x

    def derivative_number(self, x: float, out: float) -> float:
        return 1.0


class Relu(Activation):
    """max(0, x). ``RELU.forward(-2.0) == 0.0``"""

    name = "relu"
    formula = "1 for x > 0, else 0"

    def forward(self, x: Data) -> Data:
        return ew.relu(x)

    def derivative(self, x: Any, out: Any, where: Where = ew.where) -> Any:
        return where(x > 0.0, 1.0, 0.0)

    def forward_number(self, x: float) -> float:
        return x if x > 0.0 or x != x else 0.0  # nan stays nan

    def derivative_number(self, x: float, out: float) -> float:
        return 1.0 if x > 0.0 else 0.0


class Tanh(Activation):
    """Hyperbolic tangent. ``TANH.forward(0.0) == 0.0``"""

    name = "tanh"
    formula = "1 - tanh²(x)"

    def forward(self, x: Data) -> Data:
        return ew.tanh(x)

    def derivative(self, x: Any, out: Any, where: Where = ew.where) -> Any:
        return 1.0 - out * out

    def forward_number(self, x: float) -> float:
        return math.tanh(x)

    def derivative_number(self, x: float, out: float) -> float:
        return 1.0 - out * out


class Sigmoid(Activation):
    """1 / (1 + e^-x). ``SIGMOID.forward(0.0) == 0.5``"""

    name = "sigmoid"
    formula = "σ(x)(1 - σ(x))"

    def forward(self, x: Data) -> Data:
        return ew.sigmoid(x)

    def derivative(self, x: Any, out: Any, where: Where = ew.where) -> Any:
        return out * (1.0 - out)

    def forward_number(self, x: float) -> float:
        return ew.sigmoid_of_number(x)

    def derivative_number(self, x: float, out: float) -> float:
        return out * (1.0 - out)


class LeakyRelu(Activation):
    """x for x > 0, else slope·x. ``LeakyRelu(0.1).forward(-2.0) == -0.2``"""

    name = "leaky_relu"
    formula = "1 for x > 0, else the slope"

    def __init__(self, slope: float = 0.01) -> None:  # 0.01: PyTorch's default
        self.parameter = slope
        self.slope = slope

    def forward(self, x: Data) -> Data:
        return ew.where(x > 0.0, x, ew.mul(self.slope, x))

    def derivative(self, x: Any, out: Any, where: Where = ew.where) -> Any:
        return where(x > 0.0, 1.0, self.slope)

    def forward_number(self, x: float) -> float:
        return x if x > 0.0 else self.slope * x

    def derivative_number(self, x: float, out: float) -> float:
        return 1.0 if x > 0.0 else self.slope


class Elu(Activation):
    """x for x > 0, else α(e^x - 1). ``Elu().forward(0.0) == 0.0``"""

    name = "elu"
    formula = "1 for x > 0, else α e^x = out + α"

    def __init__(self, alpha: float = 1.0) -> None:  # 1.0: PyTorch's default
        self.parameter = alpha
        self.alpha = alpha

    def forward(self, x: Data) -> Data:
        below = ew.where(x > 0.0, 0.0, x)  # e^x only where it is used: no overflow
        return ew.where(x > 0.0, x, ew.mul(self.alpha, ew.expm1(below)))  # exact near 0

    def derivative(self, x: Any, out: Any, where: Where = ew.where) -> Any:
        return where(x > 0.0, 1.0, out + self.alpha)

    def forward_number(self, x: float) -> float:
        return x if x > 0.0 else self.alpha * math.expm1(x)  # x <= 0: no overflow

    def derivative_number(self, x: float, out: float) -> float:
        return 1.0 if x > 0.0 else out + self.alpha


LINEAR: Final = Linear()
RELU: Final = Relu()
TANH: Final = Tanh()
SIGMOID: Final = Sigmoid()

# The names nn accepts (``activation="relu"``), with PyTorch's default settings.
ACTIVATIONS: Final[dict[str, Activation]] = {
    f.name: f for f in (RELU, TANH, SIGMOID, LeakyRelu(), Elu(), LINEAR)
}


def with_parameter(name: str, parameter: float | None) -> Activation:
    """The activation ``name`` with its setting (a node's ``constant``), as an op made it.

    >>> with_parameter("leaky_relu", 0.2).derivative(-1.0, -0.2)
    0.2
    """
    if name == "leaky_relu":
        return LeakyRelu(0.01 if parameter is None else parameter)
    if name == "elu":
        return Elu(1.0 if parameter is None else parameter)
    return ACTIVATIONS[name]
