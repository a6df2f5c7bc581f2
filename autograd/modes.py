"""Modes, per thread: ``no_grad``, ``enable_grad``, ``detect_anomaly`` and ``scope``.

Each thread has its own modes, as PyTorch keeps grad mode per thread: ``no_grad()`` in one
thread never stops another from recording. A context variable holds them, so each thread
(and each asyncio task, in a copy of its creator's) starts from the defaults. They cost
nothing at their defaults: a new node reads them only while some thread is inside a mode
block (``blocks_open()`` counts them), so a plain training loop never does.

>>> from autograd import Value
>>> with no_grad():
...     y = Value(2.0) * 3
>>> y.parents, is_grad_enabled()
((), True)
"""

from __future__ import annotations

import threading
from contextvars import ContextVar
from typing import Final


class Mode:
    """What the current thread's ops record: parents or not, checks or not, which scope."""

    __slots__ = ("anomaly", "recording", "scope")

    def __init__(self, recording: bool = True, anomaly: bool = False, scope: str = ""):
        self.recording, self.anomaly, self.scope = recording, anomaly, scope


DEFAULTS: Final = Mode()
_MODES: Final[ContextVar[Mode]] = ContextVar("autograd_modes")
_blocks_open: Final = [0]  # mode blocks entered and not yet left, in all threads
_BLOCKS_LOCK: Final = threading.Lock()


def blocks_open() -> int:
    """How many mode blocks are open in all threads: 0 means every thread has the defaults.

    >>> blocks_open()
    0
    """
    return _blocks_open[0]


def current() -> Mode:
    """The calling thread's modes. ``current().recording is True``"""
    if _blocks_open[0] == 0:
        return DEFAULTS
    return _MODES.get(DEFAULTS)


class Switched:
    """A block under changed modes (what ``no_grad()`` and the others return); the old modes
    come back when it ends, even if it raises. Each use needs a new one."""

    __slots__ = ("changes", "token")

    def __init__(self, recording: bool | None = None, anomaly: bool | None = None,
                 scope: str | None = None) -> None:  # fmt: skip
        self.changes = (recording, anomaly, scope)

    def __enter__(self) -> None:
        old = _MODES.get(DEFAULTS)
        recording, anomaly, scope = self.changes
        new = Mode(
            old.recording if recording is None else recording,
            old.anomaly if anomaly is None else anomaly,
            old.scope if scope is None else scope,
        )
        self.token = _MODES.set(new)
        with _BLOCKS_LOCK:
            _blocks_open[0] += 1

    def __exit__(self, *exception: object) -> None:
        with _BLOCKS_LOCK:
            _blocks_open[0] -= 1
        _MODES.reset(self.token)


def no_grad() -> Switched:
    """Inside this block (in this thread) results record no parents: less memory, no backward.

    A result made inside is a leaf: backward stops there, and like any leaf it collects
    the gradient that reaches it.

    >>> from autograd import Value
    >>> with no_grad():
    ...     y = Value(2.0) * 3
    >>> y.parents
    ()
    """
    return Switched(recording=False)


def enable_grad() -> Switched:
    """Record parents again inside a ``no_grad()`` block (PyTorch's ``enable_grad``).

    >>> from autograd import Value
    >>> with no_grad(), enable_grad():
    ...     len((Value(2.0) * 3).parents)
    1
    """
    return Switched(recording=True)


def is_grad_enabled() -> bool:
    """True unless this thread is inside ``no_grad()``. ``is_grad_enabled() is True``"""
    return current().recording


def detect_anomaly() -> Switched:
    """Raise FloatingPointError at the first inf or nan made by an op or by backward.

    >>> from autograd import Value
    >>> with detect_anomaly():
    ...     Value(-1.0).log()
    Traceback (most recent call last):
    FloatingPointError: log produced nan from input -1
    """
    return Switched(anomaly=True)


def scope(name: object) -> Switched:
    """Tag every Value created inside with a module name (nested names join with ".").

    The nn modules use it so drawings can cluster each neuron's nodes.

    >>> from autograd import Value
    >>> with scope("L0"), scope("N1"):
    ...     y = Value(1.0) + 1
    >>> y.scope
    'L0.N1'
    """
    if not isinstance(name, str) or not all(name.split(".")):
        raise ValueError(f"a scope name must be a non-empty str with no empty part, got {name!r}")
    outer = _MODES.get(DEFAULTS).scope
    return Switched(scope=f"{outer}.{name}" if outer else name)
