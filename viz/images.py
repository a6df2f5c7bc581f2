"""Image files: write a drawing to svg, png, pdf (or dot); which program draws: viz.programs.

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
from collections.abc import Sequence
from pathlib import Path

import graphviz

from autograd import Value
from autograd.files import atomic_file, require_directory
from viz.dot import draw
from viz.programs import (  # re-exported: the names viz.images has always had
    LAYOUT_TIMEOUT,
    GraphvizNotFoundError,
    Program,
    install_command,
    missing_graphviz_message,
    run,
)

__all__ = [
    "FORMATS",
    "LAYOUT_TIMEOUT",
    "GraphvizNotFoundError",
    "install_command",
    "missing_graphviz_message",
    "pipe",
    "render",
    "write_atomically",
]

FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot"}  # dot: text, no Graphviz
MAX_BITMAP_INCHES = "100,100"  # a png of a huge graph is scaled to ≤ 9600 px: fast, and opens


def render(root_or_digraph: Value | graphviz.Digraph, path: str | os.PathLike, **options) -> Path:
    """Draw ``root`` (or write a ready ``Digraph``) to ``path``; the suffix picks the format.

    ``options`` are those of ``viz.draw`` (for a Value only). The file is written atomically:
    a reader never sees half an image, and a failed render leaves no file behind.
    The system's Graphviz ``dot`` draws it when it is on PATH, else graphviz-pure (installed
    with this package by pip: svg and png, no pdf). Raises GraphvizNotFoundError, naming
    the install command, when neither can; ``viz.draw(root).source`` works without them.

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
    program: Program | None = None,
) -> bytes:
    """Run Graphviz on a Digraph (or on DOT text) and return its output.

    ``engine`` defaults to the Digraph's own (``dot`` for text). The program is the
    system's Graphviz when it is on PATH, else graphviz-pure (``viz.programs``), or
    ``program`` when given. Raises GraphvizNotFoundError when neither is there (or the
    one found cannot write ``image_format``), and RuntimeError with Graphviz's own message
    when it rejects the graph, crashes, or runs longer than ``timeout`` seconds.
    """
    if isinstance(graph, graphviz.Digraph):
        source, engine = graph.source, engine or graph.engine
    else:
        source, engine = graph, engine or "dot"
    return run(
        source, image_format, engine=engine, extra_args=extra_args, timeout=timeout, program=program
    )


def write_atomically(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` atomically (see ``autograd.files.atomic_file``)."""
    with atomic_file(path, "wb") as file:
        file.write(content)
