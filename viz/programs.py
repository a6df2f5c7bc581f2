"""Which program turns DOT text into a picture: the system's Graphviz, else graphviz-pure.

Rendering needs a Graphviz layout program. The system's ``dot`` (apt, brew, winget, conda)
is used when it is on PATH. Without it, ``graphviz-pure`` is used: a port of Graphviz
16.1 to Rust, installed by pip with this package (a wheel for Linux, macOS and Windows, x86
and ARM), so a machine with nothing but pip draws too. It writes svg, png and the layout
formats (json, plain), not pdf, and gives the same bytes on every platform, which is why
the pictures in docs/ are made with it (``scripts/docs_pictures.py``).

>>> find_program("dot", which=lambda name: None, pip_build=None) is None
True
>>> find_program("dot", which=lambda name: "/usr/bin/dot").command("svg")
['/usr/bin/dot', '-Tsvg']
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

PIP_BUILD = "graphviz-pure"  # the pip-installable Graphviz (see the module docstring)
PIP_BUILD_FORMATS = frozenset({"svg", "png", "jpeg", "json", "plain", "dot", "xdot"})
LAYOUT_TIMEOUT = 60  # seconds: a guard against a hang (layouts take ~1 s), never hit in use


class GraphvizNotFoundError(RuntimeError):
    """No Graphviz program that can write the asked format is installed or on PATH."""


@dataclass(frozen=True)
class Program:
    """A Graphviz program: its path, the layout engine it runs, and whether it is the pip
    build (one program for every engine, chosen with ``-K``) or the system's own."""

    path: str
    engine: str = "dot"
    pip_build: bool = False

    def command(self, image_format: str, extra_args: Sequence[str] = ()) -> list[str]:
        """The command line that lays out DOT text from stdin and writes ``image_format``."""
        engine = [f"-K{self.engine}"] if self.pip_build else []
        return [self.path, *engine, f"-T{image_format}", *extra_args]

    def writes(self, image_format: str) -> bool:
        """Whether this program can write ``image_format`` (the pip build has no pdf).

        >>> Program("graphviz-pure", pip_build=True).writes("pdf")
        False
        """
        return not self.pip_build or image_format in PIP_BUILD_FORMATS

    def describe(self) -> str:
        """How messages name it: ``Graphviz dot (/usr/bin/dot)`` or ``graphviz-pure (…)``."""
        name = PIP_BUILD if self.pip_build else f"Graphviz {self.engine}"
        return f"{name} ({self.path})"


def find_program(
    engine: str = "dot",
    *,
    which: Callable[[str], str | None] | None = None,
    pip_build: str | None = "auto",
) -> Program | None:
    """The program to run for ``engine``: the system's when it is on PATH, else the pip
    build, else None. ``pip_build`` is its path, "auto" to look for it on PATH and beside
    this Python (a virtual environment's scripts need not be on PATH), or None for never.
    ``which`` finds a program on PATH (``shutil.which``).
    """
    which = which or shutil.which
    system = which(engine)
    if system:
        return Program(system, engine)
    pure = pip_build_path(which) if pip_build == "auto" else pip_build
    return Program(pure, engine, pip_build=True) if pure else None


def pip_build_path(which: Callable[[str], str | None] | None = None) -> str | None:
    """Where pip put ``graphviz-pure``: on PATH, or in this interpreter's scripts folder
    (``.venv/bin`` when ``.venv/bin/python`` runs without the environment activated), or
    the user's (``pip install --user``)."""
    found = (which or shutil.which)(PIP_BUILD)
    if found:
        return found
    name = PIP_BUILD + (".exe" if os.name == "nt" else "")
    folders = [sysconfig.get_path("scripts"), str(Path(sys.executable).parent)]
    if f"{os.name}_user" in sysconfig.get_scheme_names():
        folders.append(sysconfig.get_path("scripts", f"{os.name}_user"))
    for folder in folders:
        candidate = Path(folder) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def run(
    source: str,
    image_format: str,
    *,
    engine: str = "dot",
    extra_args: Sequence[str] = (),
    timeout: float = LAYOUT_TIMEOUT,
    program: Program | None = None,
) -> bytes:
    """Lay out DOT ``source`` with ``engine`` and return the ``image_format`` bytes.

    Raises GraphvizNotFoundError (naming the install command) when no program can write
    that format, and RuntimeError with Graphviz's own message when it rejects the graph,
    crashes, or runs longer than ``timeout`` seconds.
    """
    program = program or find_program(engine)
    if program is None:
        raise GraphvizNotFoundError(missing_graphviz_message(engine))
    if not program.writes(image_format):
        raise GraphvizNotFoundError(missing_format_message(image_format, program))
    try:
        result = subprocess.run(
            program.command(image_format, extra_args),
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
        )
    except FileNotFoundError:
        raise GraphvizNotFoundError(missing_graphviz_message(engine)) from None
    except subprocess.TimeoutExpired:
        raise RuntimeError(
            f"{program.describe()} took longer than {timeout:g} s and was stopped: draw a "
            "smaller part of the graph, or pass collapse_neurons=True or edge_labels=None"
        ) from None
    if result.returncode != 0:
        detail = result.stderr.decode("utf-8", "replace").strip()
        raise RuntimeError(f"{program.describe()} failed (exit {result.returncode}): {detail}")
    return result.stdout


def missing_graphviz_message(program: str = "dot") -> str:
    """What to tell a user whose machine has neither Graphviz nor the pip build.

    >>> "pip install graphviz-pure" in missing_graphviz_message()
    True
    """
    return (
        f"the Graphviz program {program!r} is not installed (or not on PATH), so the graph "
        f"cannot be rendered to an image. Install Graphviz with:  {install_command()}\n"
        f"or, with nothing but pip:  pip install {PIP_BUILD}  (svg and png; no pdf)\n"
        "The DOT text is available without either: viz.draw(root).source "
        "(from the command line: -o graph.dot)"
    )


def missing_format_message(image_format: str, program: Program) -> str:
    """What to say when the program found cannot write ``image_format`` (pdf, by the pip
    build)."""
    return (
        f"{image_format} needs the Graphviz {program.engine} program, which is not on PATH; "
        f"{PIP_BUILD}, used instead, writes {', '.join(sorted(PIP_BUILD_FORMATS))} only. "
        f"Write .svg or .png, or install Graphviz with:  {install_command()}"
    )


def install_command(
    system: str | None = None,
    which: Callable[[str], str | None] | None = None,
    environ: Mapping[str, str] | None = None,
) -> str:
    """The command that installs Graphviz on this platform (arguments are for tests).

    >>> install_command("Darwin", environ={}), install_command("Windows", environ={})
    ('brew install graphviz', 'winget install graphviz')
    >>> apt_only = lambda name: "/usr/bin/apt-get" if name == "apt-get" else None
    >>> install_command("Linux", which=apt_only, environ={})
    'sudo apt-get install graphviz'
    """
    system = platform.system() if system is None else system
    which = which or shutil.which
    environ = os.environ if environ is None else environ
    if environ.get("CONDA_PREFIX"):
        return "conda install -c conda-forge graphviz"  # inside conda, conda's dot wins
    if system == "Darwin":
        return "brew install graphviz"
    if system == "Windows":
        return "winget install graphviz"
    for manager, command in (
        ("apt-get", "sudo apt-get install graphviz"),
        ("dnf", "sudo dnf install graphviz"),
        ("pacman", "sudo pacman -S graphviz"),
    ):
        if which(manager):
            return command
    return "conda install -c conda-forge graphviz"
