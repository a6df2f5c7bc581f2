"""Image files: write a drawing to svg, png, pdf (or dot), and say how to get Graphviz.

``render`` is exported as ``viz.render``; this module is named apart so that importing it
never gives the function instead.

>>> from autograd import Value
>>> y = Value(2.0, label="x").tanh()
>>> y.backward()
>>> render(y, "graph.jpg")  # doctest: +ELLIPSIS
Traceback (most recent call last):
ValueError: cannot tell the image format of 'graph.jpg': use a path ending in .svg, ... or .dot
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import graphviz

from autograd import Value
from autograd.files import atomic_file, require_directory
from viz.dot import draw

FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot"}  # dot: text, no Graphviz
LAYOUT_TIMEOUT = 60  # seconds: a guard against a hang (layouts take ~1 s), never hit in use
MAX_BITMAP_INCHES = "100,100"  # a png of a huge graph is scaled to ≤ 9600 px: fast, and opens


class GraphvizNotFoundError(RuntimeError):
    """The Graphviz programs (``dot``, ``neato``) are not installed or not on PATH."""


def render(root_or_digraph: Value | graphviz.Digraph, path: str | os.PathLike, **options) -> Path:
    """Draw ``root`` (or write a ready ``Digraph``) to ``path``; the suffix picks the format.

    ``options`` are those of ``viz.draw`` (for a Value only). The file is written atomically:
    a reader never sees half an image, and a failed render leaves no file behind.
    Raises GraphvizNotFoundError, naming the install command, when ``dot`` is missing;
    ``viz.draw(root).source`` still works without it.

    >>> import tempfile, os
    >>> x = Value(3.0, label="x"); y = x * x; y.backward()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = render(y, os.path.join(tmp, "square.svg"), edge_labels="contribution")
    ...     "<svg" in out.read_text()
    True
    """
    path = Path(path)
    image_format = FORMATS.get(path.suffix.lower())
    if image_format is None:
        raise ValueError(
            f"cannot tell the image format of {str(path)!r}: "
            "use a path ending in .svg, .png, .pdf or .dot"
        )
    if isinstance(root_or_digraph, graphviz.Digraph):
        if options:
            raise TypeError(
                f"drawing options ({', '.join(options)}) apply to a Value, not to a ready Digraph"
            )
        digraph = root_or_digraph
    elif isinstance(root_or_digraph, Value):
        digraph = draw(root_or_digraph, **options)
    else:
        raise TypeError(
            f"render() needs an autograd Value or a graphviz.Digraph, "
            f"got {type(root_or_digraph).__name__}"
        )
    require_directory(path)  # before running dot, not after
    if image_format == "dot":
        write_atomically(path, digraph.source.encode("utf-8"))
        return path
    extra = ["-Gsize=" + MAX_BITMAP_INCHES] if image_format == "png" else []
    write_atomically(path, pipe(digraph, image_format, extra_args=extra))
    return path


def pipe(
    graph: graphviz.Digraph | str,
    image_format: str,
    *,
    engine: str | None = None,
    extra_args: Sequence[str] = (),
    timeout: float = LAYOUT_TIMEOUT,
) -> bytes:
    """Run Graphviz on a Digraph (or on DOT text) and return its output.

    ``engine`` defaults to the Digraph's own (``dot`` for text). Raises
    GraphvizNotFoundError when that program is missing, and RuntimeError with Graphviz's
    own message when it rejects the graph, crashes, or runs longer than ``timeout`` seconds.
    """
    if isinstance(graph, graphviz.Digraph):
        source, engine = graph.source, engine or graph.engine
    else:
        source, engine = graph, engine or "dot"
    program = shutil.which(engine)
    if program is None:
        raise GraphvizNotFoundError(missing_graphviz_message(engine))
    command = [program, f"-T{image_format}", *extra_args]
    try:
        result = subprocess.run(
            command, input=source.encode("utf-8"), capture_output=True, timeout=timeout
        )
    except FileNotFoundError:
        raise GraphvizNotFoundError(missing_graphviz_message(engine)) from None
    except subprocess.TimeoutExpired:
        raise RuntimeError(
            f"Graphviz {engine} took longer than {timeout:g} s and was stopped: draw a smaller "
            "part of the graph, or pass collapse_neurons=True or edge_labels=None"
        ) from None
    if result.returncode != 0:
        detail = result.stderr.decode("utf-8", "replace").strip()
        raise RuntimeError(f"Graphviz {engine} failed (exit {result.returncode}): {detail}")
    return result.stdout


def missing_graphviz_message(program: str = "dot") -> str:
    """What to tell a user whose machine lacks the Graphviz program ``program``.

    >>> "graphviz" in missing_graphviz_message()
    True
    """
    return (
        f"the Graphviz program {program!r} is not installed (or not on PATH), so the graph "
        f"cannot be rendered to an image. Install Graphviz with:  {install_command()}\n"
        "The DOT text is available without it: viz.draw(root).source "
        "(from the command line: -o graph.dot)"
    )


def install_command(
    system: str | None = None,
    which: Callable[[str], str | None] = shutil.which,
    environ: Mapping[str, str] = os.environ,
) -> str:
    """The command that installs Graphviz on this platform (arguments are for tests).

    >>> install_command("Darwin", environ={}), install_command("Windows", environ={})
    ('brew install graphviz', 'winget install graphviz')
    >>> apt_only = lambda name: "/usr/bin/apt-get" if name == "apt-get" else None
    >>> install_command("Linux", which=apt_only, environ={})
    'sudo apt-get install graphviz'
    """
    system = platform.system() if system is None else system
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


def write_atomically(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` atomically (see ``autograd.files.atomic_file``)."""
    with atomic_file(path, "wb") as file:
        file.write(content)
