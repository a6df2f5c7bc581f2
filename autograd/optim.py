"""Gradient-descent optimizers: SGD (with momentum), AdaGrad, RMSProp and Adam.

Each follows the update rule and the defaults of its ``torch.optim`` namesake, so a
training loop reads as in PyTorch:

>>> from autograd import Value
>>> w = Value(3.0, label="w")
>>> opt = SGD([w], lr=0.1)
>>> for _ in range(2):
...     opt.zero_grad()
...     loss = w * w               # ∂loss/∂w = 2w
...     loss.backward()
...     opt.step()                 # w ← w − 0.1 · 2w
>>> round(w.data, 6)               # 3 · 0.8 · 0.8
1.92

``weight_decay`` λ adds λ·w to each gradient (L2 regularisation, as in torch.optim; for
Adam that is Adam with L2, not AdamW). A parameter whose ``grad`` is None (no gradient
reached it) is skipped, as PyTorch does. State (momentum, running averages, the step
count) is kept per parameter in ``optimizer.state[parameter]``.

A Layer's parameters are views of its two blocks (``engine.block``): the optimizer finds
their blocks and updates each in one step, the same rule on a whole matrix (each rule
below is written once, for a number and an array alike).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from autograd.engine import Value


class Optimizer:
    """Base class: holds the parameters and their state; subclasses define ``_update``.

    >>> w = Value(1.0)
    >>> opt = Adam([w]); w.grad = 0.5; opt.step()
    >>> opt.state[w]["step"]
    1
    """

    def __init__(self, params: Iterable[Value], lr: float, weight_decay: float = 0.0) -> None:
        self.params = _check_params(params)
        self.lr = _check_number("lr", lr, low=0.0, low_inclusive=False)
        self.weight_decay = _check_number("weight_decay", weight_decay, low=0.0)
        self._numbers, self._groups = _grouped(self.params)
        self.state = State(self._numbers, self._groups)

    def zero_grad(self) -> None:
        """Set every parameter's gradient to None (before the next ``backward()``)."""
        for p in self._numbers:
            p.grad = None
        for group in self._groups:
            group.block.grad = None

    def step(self) -> None:
        """Update every parameter that has a gradient, in place."""
        for p in self._numbers:
            if p.grad is None:
                continue
            w, grad = p.data, float(p.grad)
            # float(): a numpy scalar in .data would look like a batch to the engine
            p.data = float(self._update(w, grad + self.weight_decay * w, self.state[p]))
        for group in self._groups:  # a block's parameters, all in one step
            grad = group.block.grad
            if grad is None:
                continue
            w = group.read(group.block.data)
            group.write(self._update(w, group.read(grad) + self.weight_decay * w, group.state))

    def _update(self, w: Any, grad: Any, state: dict) -> Any:
        """The new value of ``w`` (a number, or an array of them) given its gradient and
        its state."""
        raise NotImplementedError

    def __repr__(self) -> str:
        hidden = ("params", "state")
        settings = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if k not in hidden)
        return f"{type(self).__name__}({len(self.params)} parameters, {settings})"


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum (torch.optim.SGD, dampening 0).

    With momentum μ the step follows a running sum of gradients, b ← μ·b + g (b = g at the
    first step), w ← w − lr·b; Nesterov momentum steps by g + μ·b instead.

    >>> w = Value(1.0); opt = SGD([w], lr=0.1, momentum=0.9)
    >>> w.grad = 1.0; opt.step(); opt.step()      # b = 1, then b = 0.9·1 + 1 = 1.9
    >>> round(w.data, 6)                           # 1 − 0.1 − 0.19
    0.71
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(params, lr, weight_decay)
        self.momentum = _check_number("momentum", momentum, low=0.0)
        if nesterov and self.momentum == 0.0:
            raise ValueError("nesterov momentum needs momentum > 0")
        self.nesterov = bool(nesterov)

    def _update(self, w: Any, grad: Any, state: dict) -> Any:
        if self.momentum:
            buffer = state.get("momentum_buffer")
            buffer = _copy(grad) if buffer is None else self.momentum * buffer + grad
            state["momentum_buffer"] = buffer
            grad = grad + self.momentum * buffer if self.nesterov else buffer
        return w - self.lr * grad


class AdaGrad(Optimizer):
    """Adaptive steps: each parameter's step is divided by √(sum of its squared gradients).

    s ← s + g², w ← w − lr·g / (√s + eps), as torch.optim.Adagrad (lr 0.01, eps 1e-10).

    >>> w = Value(1.0); opt = AdaGrad([w], lr=0.5)
    >>> w.grad = 4.0; opt.step()                   # s = 16: w − 0.5 · 4 / 4
    >>> round(w.data, 6)
    0.5
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 0.01,
        eps: float = 1e-10,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr, weight_decay)
        self.eps = _check_number("eps", eps, low=0.0)

    def _update(self, w: Any, grad: Any, state: dict) -> Any:
        state["sum"] = total = state.get("sum", 0.0) + grad * grad
        return w - self.lr * grad / (np.sqrt(total) + self.eps)


class RMSProp(Optimizer):
    """AdaGrad with a forgetting average: v ← α·v + (1 − α)·g², w ← w − lr·g / (√v + eps).

    As torch.optim.RMSprop (lr 0.01, alpha 0.99, eps 1e-8; no momentum, not centred).

    >>> w = Value(1.0); opt = RMSProp([w], lr=0.1, alpha=0.75)
    >>> w.grad = 2.0; opt.step()                   # v = 0.25 · 4 = 1: w − 0.1 · 2 / 1
    >>> round(w.data, 6)
    0.8
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 0.01,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr, weight_decay)
        self.alpha = _check_number("alpha", alpha, low=0.0, high=1.0)
        self.eps = _check_number("eps", eps, low=0.0)

    def _update(self, w: Any, grad: Any, state: dict) -> Any:
        average = state.get("square_avg", 0.0)
        state["square_avg"] = average = self.alpha * average + (1 - self.alpha) * grad * grad
        return w - self.lr * grad / (np.sqrt(average) + self.eps)


class Adam(Optimizer):
    """Momentum and RMSProp together, with bias correction (Kingma & Ba, torch.optim.Adam).

    m ← β1·m + (1 − β1)·g, v ← β2·v + (1 − β2)·g², and at step t
    w ← w − lr·m̂ / (√v̂ + eps) with m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t).
    Defaults lr 0.001, betas (0.9, 0.999), eps 1e-8.

    >>> w = Value(1.0); opt = Adam([w], lr=0.1)
    >>> w.grad = 3.0; opt.step()                   # first step: m̂ = g, v̂ = g², w − 0.1·sign(g)
    >>> round(w.data, 6)
    0.9
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr, weight_decay)
        if not isinstance(betas, tuple | list) or len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = (
            _check_number("betas[0]", betas[0], low=0.0, high=1.0),
            _check_number("betas[1]", betas[1], low=0.0, high=1.0),
        )
        self.eps = _check_number("eps", eps, low=0.0)

    def _update(self, w: Any, grad: Any, state: dict) -> Any:
        beta1, beta2 = self.betas
        state["step"] = t = state.get("step", 0) + 1
        state["exp_avg"] = m = beta1 * state.get("exp_avg", 0.0) + (1 - beta1) * grad
        state["exp_avg_sq"] = v = beta2 * state.get("exp_avg_sq", 0.0) + (1 - beta2) * grad * grad
        m_hat = m / (1 - beta1**t)  # early averages are biased towards their 0 start
        v_hat = v / (1 - beta2**t)
        return w - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


# PyTorch spells these two names so; both spellings work here.
Adagrad = AdaGrad
RMSprop = RMSProp


# --------------------------------------------------------------------- blocks


class _Group:
    """The parameters of one block the optimizer updates: all of it, or some of its numbers
    (``indices``, row by row), with their state (arrays, one number per parameter)."""

    def __init__(self, block: Value, indices: list[int] | None) -> None:
        self.block, self.state = block, {}
        self.indices = None if indices is None else np.array(indices)

    def read(self, array: np.ndarray) -> np.ndarray:
        return array if self.indices is None else array.reshape(-1)[self.indices]

    def write(self, new: np.ndarray) -> None:
        data = self.block.data  # written in place: its views read this very array
        if self.indices is None:
            data[...] = new
        else:
            data.reshape(-1)[self.indices] = new

    def position(self, p: Value) -> int:
        """Where parameter ``p`` is among this group's numbers."""
        k = p.base_index
        return k if self.indices is None else int(np.flatnonzero(self.indices == k)[0])  # type: ignore[arg-type]


def _grouped(params: list[Value]) -> tuple[list[Value], list[_Group]]:
    """The parameters that are numbers of their own, and the blocks the others belong to:
    a block given itself, or views of it (all its numbers in order: the block whole)."""
    numbers: list[Value] = []
    views: dict[Value, list[int]] = {}
    for p in params:
        if p.base is not None:
            views.setdefault(p.base, []).append(p.base_index)  # type: ignore[arg-type]
        elif isinstance(p.data, np.ndarray):  # a block itself
            views[p] = list(range(p.data.size))
        else:
            numbers.append(p)
    groups = []
    for held, indices in views.items():
        if len(set(indices)) != len(indices):
            raise ValueError(f"parameter {held.label or 'a block'} is given more than once")
        whole = indices == list(range(held.data.size))
        groups.append(_Group(held, None if whole else indices))
    return numbers, groups


class State(Mapping[Value, dict]):
    """``optimizer.state[p]``: a parameter's state. For a number of its own, its dict; for a
    view, its numbers of its block's state, read out (the state itself is the block's)."""

    def __init__(self, numbers: list[Value], groups: list[_Group]) -> None:
        self._own: dict[Value, dict] = {p: {} for p in numbers}
        self._groups = {group.block: group for group in groups}

    def __getitem__(self, p: Value) -> dict:
        if p in self._own:
            return self._own[p]
        group = self._groups[p if p.base is None else p.base]
        if p.base is None:
            return group.state  # a block given itself: its arrays
        k = group.position(p)
        return {
            name: v if np.ndim(v) == 0 else float(v.reshape(-1)[k])
            for name, v in group.state.items()
        }

    def __iter__(self) -> Iterator[Value]:
        return iter(self._own)

    def __len__(self) -> int:
        return len(self._own)


def _copy(x: Any) -> Any:
    return x.copy() if isinstance(x, np.ndarray) else x


# --------------------------------------------------------------------- checks


def _check_params(params: Iterable[Value]) -> list[Value]:
    if isinstance(params, Value) or not isinstance(params, Iterable):
        hint = " (did you mean model.parameters()?)" if hasattr(params, "parameters") else ""
        raise TypeError(f"params must be an iterable of Values, not {type(params).__name__}{hint}")
    params = list(params)
    if not params:
        raise ValueError("optimizer got an empty parameter list")
    seen: set[Value] = set()
    for i, p in enumerate(params):
        if not isinstance(p, Value):
            raise TypeError(f"parameter {i} must be a Value, not {type(p).__name__}")
        if p.parents:
            raise ValueError(
                f"parameter {i} ({p.label or p.op}) is computed from other Values; "
                "only leaves can be optimized"
            )
        if isinstance(p.data, np.ndarray) and p.data.ndim == 1:  # (a block, 2-D, is fine)
            raise ValueError(f"parameter {i} holds a batch; a parameter is a single number")
        if p in seen:
            raise ValueError(f"parameter {i} ({p.label or 'unlabelled'}) appears more than once")
        seen.add(p)
    return params


def _check_number(
    name: str,
    value: object,
    low: float,
    high: float = math.inf,
    low_inclusive: bool = True,
) -> float:
    """A finite real number >= low (> low when low is excluded) and < high."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}")
    value = float(value)
    above_low = value >= low if low_inclusive else value > low
    if not (above_low and value < high and math.isfinite(value)):
        bound = f"{'>=' if low_inclusive else '>'} {low:g}"
        if high != math.inf:
            bound += f" and < {high:g}"
        raise ValueError(f"{name} must be {bound}, got {value!r}")
    return value
