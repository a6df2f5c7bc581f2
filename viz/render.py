"""Write a drawing to an svg, png or pdf file, and say how to install Graphviz when it is missing.

>>> from autograd import Value
>>> y = Value(2.0, label="x").tanh()
>>> y.backward()
>>> render(y, "graph.jpg")
Traceback (most recent call last):
ValueError: cannot tell the image format of 'graph.jpg': use a path ending in .svg, .png or .pdf
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path

import graphviz

from autograd import Value
from autograd.files import atomic_file, require_directory
from viz.dot import draw

FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf"}


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
            "use a path ending in .svg, .png or .pdf"
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
    write_atomically(path, pipe(digraph, image_format))
    return path


def pipe(
    graph: graphviz.Digraph | str,
    image_format: str,
    *,
    engine: str | None = None,
    neato_no_op: int | None = None,
) -> bytes:
    """Run Graphviz on a Digraph (or on DOT text, which may hold several graphs).

    ``engine`` defaults to the Digraph's own (``dot`` for text). Raises
    GraphvizNotFoundError when that program is missing, and RuntimeError with Graphviz's
    own message when it rejects the graph.
    """
    if isinstance(graph, graphviz.Digraph):
        source, engine = graph.source, engine or graph.engine
    else:
        source, engine = graph, engine or "dot"
    if shutil.which(engine) is None:
        raise GraphvizNotFoundError(missing_graphviz_message(engine))
    try:
        return graphviz.pipe(
            engine, image_format, source.encode("utf-8"), neato_no_op=neato_no_op, quiet=True
        )
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFoundError(missing_graphviz_message(engine)) from None
    except subprocess.CalledProcessError as error:
        detail = (error.stderr or b"").decode("utf-8", "replace").strip()
        raise RuntimeError(f"Graphviz {engine} failed: {detail or error}") from None


def missing_graphviz_message(program: str = "dot") -> str:
    """What to tell a user whose machine lacks the Graphviz program ``program``.

    >>> "graphviz" in missing_graphviz_message()
    True
    """
    return (
        f"the Graphviz program {program!r} is not installed (or not on PATH), so the graph "
        f"cannot be rendered to an image. Install Graphviz with:  {install_command()}\n"
        "The DOT text is available without it: viz.draw(root).source"
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
