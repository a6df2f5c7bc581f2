"""pytest set-up shared by every test directory."""

import autograd
from autograd.compiled import MODULES

# A compiled module has no Python source for --doctest-modules to read: when the engine runs
# compiled, its doctests run in the pure-Python pass of `make test` (AUTOGRAD_PURE_PYTHON=1).
collect_ignore = [f"autograd/{name}.py" for name in MODULES] if autograd.COMPILED else []
