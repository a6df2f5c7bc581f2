"""Which engine runs: compiled with mypyc, or the pure-Python source.

``setup.py`` compiles ``engine.py`` and ``elementwise.py`` with mypyc where it can (from the
very files a learner reads) and installs them as they are where it cannot. Both give the same
numbers, bit for bit; compiled is some 20x faster. ``load_engine()`` imports the engine
before anything else does and says which one it got:

- compiled, when both modules were compiled and neither .py file changed since (setup.py
  records their SHA-256 beside the compiled modules);
- pure Python, when nothing was compiled, when ``AUTOGRAD_PURE_PYTHON=1`` is set (to step
  through the engine in a debugger), or when a .py file changed since it was compiled (an
  edit must not be silently ignored; that case also warns).

>>> import autograd
>>> autograd.COMPILED in (True, False)
True
"""

from __future__ import annotations

import hashlib
import os
import sys
import warnings
from importlib import import_module
from importlib.machinery import EXTENSION_SUFFIXES
from importlib.util import find_spec, module_from_spec, spec_from_file_location
from pathlib import Path

# Compiled together (setup.py's SOURCES), named in the order they import each other.
MODULES = ("elementwise", "activations", "modes", "node", "engine", "combine")
LIBRARY = "_engine__mypyc"  # their C code (a compiled module is a shim that imports it)
RECORD = "_compiled_from.txt"  # written by setup.py: "engine.py <sha256>" per line
PURE_PYTHON_VARIABLE = "AUTOGRAD_PURE_PYTHON"


def load_engine() -> bool:
    """Import the engine's modules, compiled where possible; True when they run compiled.

    >>> import autograd
    >>> load_engine() == autograd.COMPILED     # the engine is imported once: same answer
    True
    """
    if all(f"autograd.{name}" in sys.modules for name in MODULES):
        return all(_is_compiled(sys.modules[f"autograd.{name}"].__file__) for name in MODULES)
    source = Path(__file__).parent
    built = [_origin(f"autograd.{name}") for name in (*MODULES, LIBRARY)]
    compiled = [_is_compiled(path) for path in built]
    if not any(compiled):
        return False  # a pure-Python install: the usual import finds the .py files
    stale = _changed_since_compiled(source) if all(compiled) else list(MODULES)
    if stale:
        names = ", ".join(f"{n}.py" for n in stale)
        warnings.warn(
            f"autograd: {names} changed since it was compiled, so the pure-Python engine runs "
            "(`make` compiles it again)",
            stacklevel=3,
        )
    if stale or os.environ.get(PURE_PYTHON_VARIABLE):
        for name in MODULES:  # import the .py files, ahead of the compiled modules
            spec = spec_from_file_location(f"autograd.{name}", source / f"{name}.py")
            module = module_from_spec(spec)
            sys.modules[spec.name] = module
            spec.loader.exec_module(module)
            setattr(sys.modules["autograd"], name, module)  # as an import would
        return False
    # Each through its own small module, dependencies first: a module first imported from
    # inside the shared C library gets a __file__ that mypyc derives wrongly (it expects the
    # library above the package: autograd/autograd/...), and tools that read it fail.
    for name in MODULES:
        import_module(f"autograd.{name}")
    return True


def _changed_since_compiled(source: Path) -> list[str]:
    try:
        recorded = dict(line.split() for line in (source / RECORD).read_text().splitlines())
    except (OSError, ValueError):
        return list(MODULES)  # no record of what was compiled: trust the .py files
    digests = {n: hashlib.sha256((source / f"{n}.py").read_bytes()).hexdigest() for n in MODULES}
    return [n for n in MODULES if recorded.get(f"{n}.py") != digests[n]]


def _origin(module: str) -> str | None:
    spec = find_spec(module)
    return spec.origin if spec else None


def _is_compiled(path: str | None) -> bool:
    return path is not None and path.endswith(tuple(EXTENSION_SUFFIXES))
