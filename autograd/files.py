"""Writing files atomically: readers see the old file or the new one, never half of one.

The model files (``Module.save``), the pictures (``viz.render``), the benchmark table and
the built notebooks are all written through ``atomic_file``.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "note.txt"
>>> with atomic_file(path, "w") as file:
...     _ = file.write("hello")
>>> path.read_text()
'hello'
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


def require_directory(path: str | os.PathLike) -> Path:
    """``path`` as a Path, or FileNotFoundError naming its missing directory.

    Callers with slow work to do before writing check first, so the error comes early.

    >>> require_directory("/no/such/dir/f.txt")
    Traceback (most recent call last):
    FileNotFoundError: cannot write /no/such/dir/f.txt: directory /no/such/dir does not exist
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot write {path}: directory {path.parent} does not exist")
    return path


@contextmanager
def atomic_file(path: str | os.PathLike, mode: str = "w") -> Iterator[IO]:
    """Open a temporary file beside ``path`` for writing ("w" text, "wb" bytes); when the
    block ends without an error, put it on disk and rename it over ``path`` in one step.

    On any failure, Ctrl-C included, the temporary file is removed and ``path`` keeps its
    old content. A new file gets the usual mode (0o666 less the umask); a replaced file
    keeps its own.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_file writes a whole file: mode 'w' or 'wb', not {mode!r}")
    path = require_directory(path)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    encoding = None if "b" in mode else "utf-8"
    try:
        with os.fdopen(descriptor, mode, encoding=encoding) as file:
            yield file
            file.flush()
            os.fsync(file.fileno())  # on disk before the rename makes it visible
        # mkstemp makes the file private (0600): give it the old file's mode or the usual one
        os.chmod(temporary, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)  # the only way to read it is to set it, then put it back
    os.umask(mask)
    return mask
