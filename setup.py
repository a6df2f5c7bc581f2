"""Build: the engine compiled with mypyc where it can be, else the same engine as pure Python.

``autograd/engine.py`` and ``autograd/elementwise.py`` are compiled from the very source a
learner reads (mypyc turns the type hints into C). Compiling is optional: when mypyc cannot
run or there is no C compiler, the install goes on with the pure-Python modules and says so
in one line. ``AUTOGRAD_PURE_PYTHON=1`` skips the compile (and, at import, ignores a
compiled build: see ``autograd/compiled.py``). Everything else is in pyproject.toml.
"""

import hashlib
import os
import shutil
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

SOURCES = ["autograd/engine.py", "autograd/elementwise.py"]
LIBRARY = "autograd._engine"  # their C code, shared: autograd/_engine__mypyc.*.so
# The modules mypyc makes of them (each .py becomes a small module that loads the library).
MODULES = ["autograd._engine__mypyc", "autograd.engine", "autograd.elementwise"]
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
            _free_values_without_the_trashcan(extensions)
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


VALUE_DEALLOC = "engine___Value_dealloc"  # the C function mypyc writes to free a Value


def _free_values_without_the_trashcan(extensions: list) -> None:
    """Take CPython's "trashcan" out of the C code that frees a Value.

    mypyc wraps every class's deallocator in the trashcan, which bounds the C stack when a
    deep structure is freed by parking objects for later *in their garbage-collector
    header*. Value is compiled acyclic (no such header: see engine.py), so freeing a graph
    more than ~50 nodes deep wrote over the memory in front of its nodes, and crashed. (A
    mypyc bug, as of mypy 2.4.) Without it, the C stack stays bounded all the same: every
    node refers to its parents through a tuple, and tuples have a trashcan of their own
    (tests/test_compiled.py frees a 10⁷-deep chain, and a deep graph under
    PYTHONMALLOC=debug, which catches any such write).
    """
    begin, end = f"CPy_TRASHCAN_BEGIN(self, {VALUE_DEALLOC})", "CPy_TRASHCAN_END(self)"
    for ext in extensions:
        for source in ext.sources:
            code = Path(source).read_text()
            start = code.find(begin)
            if start < 0:
                continue
            stop = code.index(end, start)  # the same function's end, a few lines on
            body = code[start:stop]
            if body.count("\n") > 5:
                break  # not the shape this was written for: do not guess
            Path(source).write_text(code[:start] + body[len(begin) :] + code[stop + len(end) :])
            return
    raise RuntimeError(f"{VALUE_DEALLOC} in mypyc's output is not as expected")


setup(
    # Named here so that setuptools knows there are compiled modules; their C code is
    # generated by _OptionalBuildExt.run, only when they are built.
    ext_modules=[Extension(name, sources=[]) for name in MODULES],
    cmdclass={"build_ext": _OptionalBuildExt},
)
