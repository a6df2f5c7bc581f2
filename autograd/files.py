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
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

# Temporary files are named ".{name}.{pid}.{8 hex digits}.partial" beside the file they
# replace, so a later save can recognise (and remove) those left by a killed process.
TEMPORARY_SUFFIX = ".partial"
_TEMPORARY_TAIL = re.compile(r"(?P<pid>[0-9]+)\.[0-9a-f]{8}" + re.escape(TEMPORARY_SUFFIX))


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
    old content. A process killed outright (``kill -9``) cannot clean up: the next save to
    the same path removes the temporary files of processes that no longer run.

    - A symlink is written through, as editors do: its target gets the new content and
      the link stays a link.
    - A new file gets the usual mode (0o666 less the umask, applied by the system when the
      file is created); a replaced file keeps its own mode.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> (folder / "real.txt").write_text("old")
    3
    >>> (folder / "link.txt").symlink_to("real.txt")
    >>> with atomic_file(folder / "link.txt") as file:
    ...     _ = file.write("new")
    >>> (folder / "link.txt").is_symlink(), (folder / "real.txt").read_text()
    (True, 'new')
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_file writes a whole file: mode 'w' or 'wb', not {mode!r}")
    path = require_directory(path)
    if path.is_symlink():  # replace the file the link points to, not the link itself
        path = require_directory(os.path.realpath(path))
    remove_stale_temporaries(path)
    descriptor, temporary = _create_temporary(path)
    encoding = None if "b" in mode else "utf-8"
    try:
        with os.fdopen(descriptor, mode, encoding=encoding) as file:
            yield file
            file.flush()
            os.fsync(file.fileno())  # on disk before the rename makes it visible
        if path.exists():  # a replaced file keeps its permissions
            os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def remove_stale_temporaries(path: str | os.PathLike) -> list[Path]:
    """Remove the temporary files that killed saves to ``path`` left behind; return them.

    Only files named like ``atomic_file``'s own (``.{name}.{pid}.{hex}.partial``) whose
    process ``pid`` no longer runs are removed, so a save still running elsewhere on this
    machine keeps its file.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> (folder / ".model.json.999999999.0123abcd.partial").write_text("half")
    4
    >>> [p.name for p in remove_stale_temporaries(folder / "model.json")], list(folder.iterdir())
    (['.model.json.999999999.0123abcd.partial'], [])
    """
    path = Path(path)
    prefix = f".{path.name}."
    removed = []
    for candidate in path.parent.iterdir():
        name = candidate.name
        tail = _TEMPORARY_TAIL.fullmatch(name[len(prefix) :]) if name.startswith(prefix) else None
        if tail is None or _process_is_running(int(tail["pid"])) or candidate.is_symlink():
            continue
        try:
            candidate.unlink()
        except (FileNotFoundError, PermissionError):  # removed by another save, or not ours
            continue
        removed.append(candidate)
    return removed


def _create_temporary(path: Path) -> tuple[int, Path]:
    """A new, empty file beside ``path``, opened for writing; its descriptor and path.

    Created with mode 0o666 so that the system applies the umask (and any default ACL):
    reading the umask would mean setting it, which races with other threads.
    """
    for _ in range(100):
        temporary = path.with_name(
            f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}{TEMPORARY_SUFFIX}"
        )
        try:  # O_EXCL: never open a file (or follow a link) someone else put there
            return os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), temporary
        except FileExistsError:
            continue
    raise FileExistsError(f"cannot create a temporary file beside {path}")


def _process_is_running(pid: int) -> bool:
    if pid == os.getpid():
        return True  # this process may be saving the same path in another thread
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except (ProcessLookupError, OverflowError):  # gone, or a pid no process can have
        return False
    except OSError:  # PermissionError: it runs as another user; anything else: keep it
        return True
    return True
