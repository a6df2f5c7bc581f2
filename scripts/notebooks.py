"""Start Jupyter on the notebooks, as `make notebooks` does, on any machine.

    .venv/bin/python scripts/notebooks.py notebooks [more Jupyter options]

A plain `jupyter notebook` trips three kinds of machine:

- as root (containers, lab VMs, cloud notebooks) it refuses to start without --allow-root;
- without a display (a server, SSH, a container) it still tries to open a browser;
- the address to open, with its token, scrolls by among its log lines.

So this passes --allow-root only to root and --no-browser only where there is no display,
and once the server answers it prints the address, token included, on a line of its own.
Ctrl-C stops the server as usual (Jupyter asks to confirm; twice stops it at once).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

from jupyter_core.paths import jupyter_runtime_dir

STARTUP_TIMEOUT = 120  # seconds to wait for the server's address; it takes about 3


def has_display(environ: Mapping[str, str] = os.environ, platform: str = sys.platform) -> bool:
    """Whether a browser window can open here: always on macOS and Windows; on Linux and
    the BSDs only inside an X11 or Wayland session (SSH and containers have neither).

    >>> has_display({}, "linux"), has_display({"DISPLAY": ":0"}, "linux"), has_display({}, "darwin")
    (False, True, True)
    """
    if platform == "darwin" or platform.startswith("win"):
        return True
    return bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))


def is_root() -> bool:
    """Whether this process runs as root (never on Windows, which has no such user)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def jupyter_command(
    folder: str, extra: Sequence[str] = (), *, root: bool, display: bool
) -> list[str]:
    """The command that serves ``folder``: Jupyter Notebook run by this Python.

    >>> jupyter_command("notebooks", ["--port=9000"], root=True, display=False)[2:]
    ['notebook', 'notebooks', '--allow-root', '--no-browser', '--port=9000']
    """
    command = [sys.executable, "-m", "notebook", folder]
    if root:
        command.append("--allow-root")  # Jupyter's own warning is about a shared machine
    if not display:
        command.append("--no-browser")
    return [*command, *extra]


def server_address(process: subprocess.Popen) -> str | None:
    """The address, with its token, of the Jupyter server ``process`` once it answers;
    None if it exits first.

    Jupyter writes its address to ``jpserver-<pid>.json`` in its runtime folder as it
    starts (the same numbers its log prints: no log to parse), then starts answering.
    """
    info = Path(jupyter_runtime_dir()) / f"jpserver-{process.pid}.json"
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while process.poll() is None and time.monotonic() < deadline:
        try:
            server = json.loads(info.read_text(encoding="utf-8"))
            status = urllib.request.Request(
                f"{server['url']}api/status", headers={"Authorization": f"token {server['token']}"}
            )
            with urllib.request.urlopen(status, timeout=5):
                return f"{server['url']}tree?token={server['token']}"
        except (OSError, ValueError):  # no file yet, half written, or not answering yet
            time.sleep(0.1)
    return None


def main(argv: Sequence[str]) -> int:
    """Serve the folder ``argv[0]`` (more arguments go to Jupyter); its exit code."""
    if not argv:
        print("usage: scripts/notebooks.py FOLDER [JUPYTER OPTIONS]", file=sys.stderr)
        return 2
    display = has_display()
    command = jupyter_command(argv[0], argv[1:], root=is_root(), display=display)
    process = subprocess.Popen(command)
    # Ctrl-C reaches Jupyter from the terminal too, and Jupyter decides; this process only
    # waits for it. A plain kill (SIGTERM) is passed on, so the server never outlives it.
    signal.signal(signal.SIGINT, lambda *_: None)
    signal.signal(signal.SIGTERM, lambda *_: process.terminate())
    address = server_address(process)
    if address is not None:
        opened = "" if display else " (no display here, so no browser was opened)"
        print(
            f"\nJupyter is serving {argv[0]}{opened}. Open this address in a browser; "
            f"the token in it is the password:\n\n    {address}\n\n"
            "Stop the server with Ctrl-C.\n",
            flush=True,
        )
    return process.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
