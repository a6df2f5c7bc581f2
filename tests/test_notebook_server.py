"""`make notebooks` starts Jupyter as root and without a display, and prints where it is.

The server is started with the very command `make notebooks` runs (`make -n` prints it),
its printed address is fetched with the token, and it is stopped the way a terminal
stops it, by signal. Loopback only.
"""

from __future__ import annotations

import doctest
import importlib.util
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
ADDRESS = re.compile(r"^ {4}(http://\S+/tree\?token=\w+)$")
STARTUP_SECONDS = 120

in_make_venv = pytest.mark.skipif(
    Path(sys.prefix).resolve() != VENV.resolve(), reason="runs in the .venv that make creates"
)


def launcher():
    """scripts/notebooks.py, imported by path (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "notebooks_launcher", ROOT / "scripts/notebooks.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_notebooks_command() -> str:
    """What `make notebooks` runs, its setup steps taken as done (-o: `make test` did them)."""
    printed = subprocess.run(
        ["make", "-s", "-n", "-o", ".venv/.installed-dev", "-o", "dot", "notebooks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    commands = printed.strip().splitlines()
    assert len(commands) == 1, printed
    return commands[0]


class Served:
    """The server `make notebooks` starts, its output read line by line as it comes."""

    def __init__(self, environ: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            shlex.split(make_notebooks_command()),
            cwd=ROOT,
            env=environ,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own process group, to clean up after a failure
        )
        self.lines: list[str] = []
        self.log: list[str] = []
        for stream, into in ((self.process.stdout, self.lines), (self.process.stderr, self.log)):
            threading.Thread(target=lambda s=stream, i=into: i.extend(s), daemon=True).start()

    def address(self) -> str:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline and self.process.poll() is None:
            for line in list(self.lines):
                if match := ADDRESS.match(line.rstrip("\n")):
                    return match.group(1)
            time.sleep(0.1)
        raise AssertionError(f"no address printed; stdout {self.lines}, log {self.log[-20:]}")

    def stop(self) -> int:
        """Stop it as `kill PID` does; its exit code, or fail if the server lingers."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGKILL)


def environment(tmp_path: Path, display: str | None) -> dict[str, str]:
    """This environment with or without a display, a browser that only leaves a note, and
    Jupyter's runtime files (where it writes its address) in ``tmp_path``."""
    browser = tmp_path / "browser"
    browser.write_text(f'#!/bin/sh\necho "$@" >> {tmp_path / "opened"}\n')
    browser.chmod(0o755)
    environ = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    environ |= {"BROWSER": str(browser), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    if display:
        environ["DISPLAY"] = display
    return environ


def fetch(url: str, token: str | None = None) -> tuple[int, bytes]:
    headers = {"Authorization": f"token {token}"} if token else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def test_the_launchers_examples_run():  # scripts/ is outside --doctest-modules' paths
    result = doctest.testmod(launcher())
    assert result.attempted >= 2 and result.failed == 0


def test_make_notebooks_runs_the_launcher_on_the_notebooks():
    assert make_notebooks_command().split()[1:3] == ["scripts/notebooks.py", "notebooks"]


@pytest.mark.parametrize("root", [True, False])
@pytest.mark.parametrize("display", [True, False])
def test_allow_root_only_as_root_and_no_browser_only_without_a_display(root, display):
    command = launcher().jupyter_command("notebooks", ["--port=9"], root=root, display=display)
    assert command[:4] == [sys.executable, "-m", "notebook", "notebooks"]
    assert ("--allow-root" in command) == root
    assert ("--no-browser" in command) == (not display)
    assert command[-1] == "--port=9"  # JUPYTER_ARGS come last, so they can override


def test_a_display_is_an_x11_or_wayland_session_on_linux_and_always_on_a_mac():
    has_display = launcher().has_display
    assert not has_display({}, "linux")
    assert has_display({"DISPLAY": ":0"}, "linux")
    assert has_display({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert not has_display({"DISPLAY": ""}, "linux")
    assert has_display({}, "darwin") and has_display({}, "win32")


@in_make_venv
@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_without_a_display_it_serves_the_notebooks_at_the_address_it_prints(tmp_path):
    served = Served(environment(tmp_path, display=None))
    try:
        address = served.address()
        token = address.split("token=")[1]
        status, page = fetch(address)  # the address as printed opens the notebook tree
        assert status == 200 and b"Jupyter" in page
        base = address.split("tree?")[0]
        status, listing = fetch(f"{base}api/contents", token)
        assert status == 200
        names = {item["name"] for item in json.loads(listing)["content"]}
        assert "01_chain_rule.ipynb" in names  # served from notebooks/
        assert fetch(f"{base}api/contents")[0] == 403  # and the token is what lets one in
        assert "no browser was opened" in "".join(served.lines)
        if os.geteuid() == 0:
            assert not any("Running as root" in line for line in served.log)
    finally:
        code = served.stop()
    assert code in (0, -signal.SIGTERM), served.log[-20:]
    assert not (tmp_path / "opened").exists()  # no display: no browser started
    with pytest.raises(urllib.error.URLError):  # the server stopped with the launcher
        urllib.request.urlopen(f"{base}api/status", timeout=5)


@in_make_venv
@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_with_a_display_it_opens_the_browser(tmp_path):
    served = Served(environment(tmp_path, display=":99"))
    try:
        served.address()
        deadline = time.monotonic() + 30
        while not (tmp_path / "opened").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        opened = (tmp_path / "opened").read_text()
        assert "jpserver-" in opened  # Jupyter's page in its runtime folder that opens the server
    finally:
        served.stop()
