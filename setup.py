"""Build: the engine compiled with mypyc where it can be, else the same engine as pure Python.

``autograd/engine.py`` and the modules it reads on every op (``SOURCES``) are compiled from
the very source a learner reads (mypyc turns the type hints into C). Compiling is optional:
when mypyc cannot run or there is no C compiler, the install goes on with the pure-Python
modules and says so in one line. ``AUTOGRAD_PURE_PYTHON=1`` skips the compile (and, at
import, ignores a compiled build: see ``autograd/compiled.py``). The rest: pyproject.toml.
"""

import hashlib
import os
import shutil
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

# The engine, and what it reads on every op: compiled together, as one C library.
SOURCES = [
    "autograd/elementwise.py",
    "autograd/activations.py",
    "autograd/modes.py",
    "autograd/node.py",
    "autograd/engine.py",
    "autograd/combine.py",
]
LIBRARY = "autograd._engine"  # their C code, shared: autograd/_engine__mypyc.*.so
# The modules mypyc makes of them (each .py becomes a small module that loads the library).
MODULES = ["autograd._engine__mypyc"] + [s[:-3].replace("/", ".") for s in SOURCES]
# Beside them, the SHA-256 of the sources they were compiled from: autograd/compiled.py
# runs the .py files instead when one has changed since (an edit must never be ignored).
RECORD = "_compiled_from.txt"


class _OptionalBuildExt(build_ext):
    """Compile with mypyc when the extensions are built (not each time setup.py is read for
    metadata), all or none: any failure leaves the pure-Python modules, with one line why."""

    def run(self) -> None:
        if os.environ.get("AUTOGRAD_PURE_PYTHON"):
            return _say("AUTOGRAD_PURE_PYTHON is set")
        try:
            from mypyc.build import mypycify

            extensions = mypycify(SOURCES, opt_level="3", group_name=LIBRARY)
            _never_track_values(extensions)
            made = {ext.name: ext for ext in extensions}
            for ext in self.extensions:  # each placeholder becomes the extension mypyc made
                vars(ext).update({k: v for k, v in vars(made[ext.name]).items() if k[0] != "_"})
            super().run()
            for package in self._package_dirs():
                _record_sources(package / RECORD)
        except (Exception, SystemExit) as error:  # mypyc exits on a type error
            for name in MODULES:
                for path in (self.get_ext_fullpath(name), _in_source_tree(self, name)):
                    if os.path.exists(path):
                        os.remove(path)
            for package in self._package_dirs():
                (package / RECORD).unlink(missing_ok=True)
            self.extensions = []  # nothing compiled: the .py files alone
            _say(_why(error))

    def _package_dirs(self) -> list[Path]:
        """Where the compiled modules go: the build (for a wheel), and the source tree too
        when building in place (an editable install)."""
        dirs = [Path(self.build_lib) / "autograd"]
        if self.inplace:
            dirs.append(Path(__file__).resolve().parent / "autograd")
        return dirs

    def copy_file(self, infile: str, outfile: str, *args: object, **kwargs: object) -> tuple:
        """Put a compiled module in place by renaming a new file over the old one: a Python
        that has the old one loaded keeps it (overwriting it in place would crash that
        process, e.g. a test run that reinstalls the package)."""
        temporary = f"{outfile}.{os.getpid()}.tmp"
        shutil.copyfile(infile, temporary)
        os.replace(temporary, outfile)
        return outfile, True


def _record_sources(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{Path(source).name} {_sha256(Path(source))}\n" for source in SOURCES]
    path.write_text("".join(lines))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _why(error: BaseException) -> str:
    if type(error).__name__ in {"CompileError", "LinkError", "CCompilerError"}:
        return (
            "no working C compiler or Python headers; on Debian: apt-get install "
            "build-essential python3-dev (make does it when run as root)"
        )
    first_line = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
    return f"mypyc could not compile it: {first_line}"


def _say(why: str) -> None:
    print(f"autograd: installing the pure-Python engine ({why})", file=sys.stderr)


def _in_source_tree(command: build_ext, name: str) -> str:
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), command.get_ext_filename(name))


# The allocations of a Value and of its side record (node.More), in mypyc's output.
UNTRACKED_SETUPS = [
    "self = (autograd___engine___ValueObject *)type->tp_alloc(type, 0);",
    "self = (autograd___node___MoreObject *)type->tp_alloc(type, 0);",
]


def _never_track_values(extensions: list) -> None:
    """Keep Values (and their side records) out of the cyclic garbage collector: untrack
    each one as it is made.

    A graph has no reference cycles (a node refers only to older nodes), so the collector
    would only waste time on it: tracked, it walked the whole graph again and again while it
    grew (580 ns per node on case A, against 70 untracked; the side records of a scalar
    epoch's 7,000 neuron sums cost one full collection, 10 ms, per epoch). mypyc offers
    "acyclic" classes for this, but it takes their GC header away, and CPython's trashcan,
    which bounds the C stack when a deep graph is freed, parks objects in that header:
    freeing a chain deeper than ~50 then wrote over memory. Untracked after allocation, a
    Value keeps its header, so the trashcan works as for any object (tests/test_compiled.py
    frees a 10⁷-deep chain and a deep graph under PYTHONMALLOC=debug), and the collector
    never sees it. (The one cycle a user can make, ``backward(create_graph=True)`` giving a
    leaf a gradient whose graph refers back to it, is then freed as in PyTorch: when the
    gradient is reset, ``zero_grad()``; the README says so.)
    """
    untrack = "\n    PyObject_GC_UnTrack(self);"
    for ext in extensions:
        for source in ext.sources:
            code = Path(source).read_text()
            if UNTRACKED_SETUPS[0] not in code:
                continue
            for setup_line in UNTRACKED_SETUPS:
                start = code.find(setup_line)
                if start < 0:
                    raise RuntimeError(f"not in mypyc's output as expected: {setup_line}")
                checked = code.index("return NULL;", start) + len("return NULL;")
                if code[start:checked].count("\n") != 2:
                    raise RuntimeError(f"not the shape this was written for: {setup_line}")
                code = code[:checked] + untrack + code[checked:]
            Path(source).write_text(code)
            return
    raise RuntimeError(f"Value's allocation is not in mypyc's output: {UNTRACKED_SETUPS[0]}")


setup(
    # Named here so that setuptools knows there are compiled modules; their C code is
    # generated by _OptionalBuildExt.run, only when they are built.
    ext_modules=[Extension(name, sources=[]) for name in MODULES],
    cmdclass={"build_ext": _OptionalBuildExt},
)
