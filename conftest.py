"""pytest set-up shared by every test directory."""

import importlib.util

import pytest

import autograd
from autograd.compiled import MODULES

# A compiled module has no Python source for --doctest-modules to read: when the engine runs
# compiled, its doctests run in the pure-Python pass of `make test` (AUTOGRAD_PURE_PYTHON=1).
collect_ignore = [f"autograd/{name}.py" for name in MODULES] if autograd.COMPILED else []

# PyTorch is optional (the torch extra): without it, the doctests that use it skip, saying so.
NEEDS_TORCH = "needs PyTorch: make torch, or pip install 'autograd-viz[torch]'"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if importlib.util.find_spec("torch") is not None:
        return
    for item in items:
        examples = getattr(getattr(item, "dtest", None), "examples", [])
        if any("torch" in example.source for example in examples):
            item.add_marker(pytest.mark.skip(reason=NEEDS_TORCH))
