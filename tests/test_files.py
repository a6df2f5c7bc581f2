"""atomic_file: symlinks written through, stale temporaries cleaned, the umask never touched."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap

import pytest

from autograd.files import atomic_file, remove_stale_temporaries
from autograd.nn import MLP


def test_saving_through_a_symlink_writes_the_target_and_keeps_the_link(tmp_path):
    (tmp_path / "models").mkdir()
    target = tmp_path / "models" / "real.json"
    target.write_text("old")
    link = tmp_path / "latest.json"
    link.symlink_to("models/real.json")  # relative, into another directory

    model = MLP(2, [3, 1], seed=0)
    model.save(link)

    assert link.is_symlink() and os.readlink(link) == "models/real.json"
    assert MLP.load(target).state_dict() == model.state_dict()
    assert sorted(os.listdir(tmp_path / "models")) == ["real.json"]  # no temporary left
    assert sorted(os.listdir(tmp_path)) == ["latest.json", "models"]


def test_a_symlink_to_a_missing_directory_is_a_clear_error(tmp_path):
    link = tmp_path / "model.json"
    link.symlink_to(tmp_path / "gone" / "model.json")
    with pytest.raises(FileNotFoundError, match=r"directory .*gone does not exist"):
        MLP(2, [1], seed=0).save(link)


def _finished_pid() -> int:
    """The pid of a process that has exited (and been reaped): it no longer runs."""
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                           capture_output=True, text=True)  # fmt: skip
    return int(child.stdout)


def test_a_save_removes_temporaries_of_dead_processes_only(tmp_path):
    path = tmp_path / "model.json"
    dead = tmp_path / f".model.json.{_finished_pid()}.0a1b2c3d.partial"
    running = tmp_path / f".model.json.{os.getppid()}.0a1b2c3d.partial"  # our parent runs
    other_file = tmp_path / f".model.json.{_finished_pid()}.backup"  # not our pattern
    other_path = tmp_path / f".other.json.{_finished_pid()}.0a1b2c3d.partial"
    for file in (dead, running, other_file, other_path):
        file.write_text("half a model")

    MLP(2, [1], seed=0).save(path)

    assert not dead.exists()
    assert running.exists() and other_file.exists() and other_path.exists()
    assert remove_stale_temporaries(path) == []  # nothing left to clean


def test_the_temporary_of_a_save_killed_with_sigkill_is_cleaned_by_the_next_save(tmp_path):
    path = tmp_path / "model.json"
    saver = textwrap.dedent(f"""
        import time
        from autograd.files import atomic_file
        with atomic_file({str(path)!r}) as file:
            file.write("half of a model")
            file.flush()
            print("writing", flush=True)
            time.sleep(60)
    """)
    process = subprocess.Popen([sys.executable, "-c", saver], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline() == "writing\n"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    left_behind = [name for name in os.listdir(tmp_path) if name.endswith(".partial")]
    assert len(left_behind) == 1 and left_behind[0].startswith(f".model.json.{process.pid}.")

    MLP(2, [1], seed=0).save(path)

    assert os.listdir(tmp_path) == ["model.json"]


def test_a_new_file_gets_the_umask_without_the_umask_being_read(tmp_path):
    # os.umask is the only call that reads the umask, and it also sets it: forbid it
    script = textwrap.dedent(f"""
        import os
        os.umask(0o027)
        def forbidden(*args):
            raise AssertionError("atomic_file changed the process umask")
        os.umask = forbidden
        from autograd.files import atomic_file
        with atomic_file({str(tmp_path / "new.txt")!r}) as file:
            file.write("x")
    """)
    subprocess.run([sys.executable, "-c", script], check=True)
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o640


def test_a_replaced_file_keeps_its_mode_and_a_failed_write_leaves_nothing(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("old")
    path.chmod(0o604)
    with atomic_file(path) as file:
        file.write("new")
    assert path.read_text() == "new" and stat.S_IMODE(path.stat().st_mode) == 0o604
    with pytest.raises(RuntimeError), atomic_file(path) as file:
        file.write("half")
        raise RuntimeError("interrupted")
    assert os.listdir(tmp_path) == ["notes.txt"] and path.read_text() == "new"
