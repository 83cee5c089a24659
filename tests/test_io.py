"""Temporary files of interrupted writes are recognised by their writer's pid and cleaned."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archembed import io
from archembed.outputs import output_dir, output_file

KILLED_WRITER = """
import os, signal, sys
from archembed.io import atomic_path
with atomic_path(sys.argv[1]) as tmp:
    tmp.write_text("half of it")
    os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.fixture(scope="module")
def dead_pid() -> int:
    """The pid of a process that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def temp_of(directory: Path, name: str, pid: int) -> Path:
    path = directory / f".{name}.pid{pid}.ab12_xyz.tmp"
    path.write_text("partial")
    return path


def test_the_temporary_name_carries_the_writers_pid(tmp_path):
    with io.atomic_path(tmp_path / "out.json") as tmp:
        assert io.TEMP_NAME.match(tmp.name)["pid"] == str(os.getpid())
        tmp.write_text("{}")
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_a_dead_writers_file_goes_and_a_live_writers_stays(tmp_path, dead_pid):
    (tmp_path / "seed").mkdir()
    dead = temp_of(tmp_path / "seed", "summary.json", dead_pid)
    live = temp_of(tmp_path, "summary.json", os.getpid())
    foreign = tmp_path / ".notes.pid123.tmp.bak"
    foreign.write_text("not ours")
    assert io.remove_stale_temp_files(tmp_path) == [dead]
    assert live.exists() and foreign.exists() and not dead.exists()


def test_a_reused_pid_does_not_keep_an_old_file(tmp_path):
    old = temp_of(tmp_path, "table.parquet", os.getpid())
    written = time.time() - 3600 * 24 * 365 * 30  # before this process (the pid's owner) began
    os.utime(old, (written, written))
    assert io.remove_stale_temp_files(tmp_path) == [old]


def test_not_recursive_leaves_subdirectories(tmp_path, dead_pid):
    (tmp_path / "sub").mkdir()
    inner = temp_of(tmp_path / "sub", "x.json", dead_pid)
    outer = temp_of(tmp_path, "x.json", dead_pid)
    assert io.remove_stale_temp_files(tmp_path, recursive=False) == [outer]
    assert inner.exists()


def test_a_missing_directory_is_nothing_to_clean(tmp_path):
    assert io.remove_stale_temp_files(tmp_path / "absent") == []
    assert io.remove_stale_temp_files(tmp_path / "absent", recursive=False) == []


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_write_killed_halfway_is_cleaned_when_the_output_is_next_checked(tmp_path):
    target = tmp_path / "features.parquet"
    subprocess.run([sys.executable, "-c", KILLED_WRITER, str(target)], check=False)
    assert [p.name for p in tmp_path.iterdir() if io.TEMP_NAME.match(p.name)]
    output_file(target, (".parquet",))
    assert list(tmp_path.iterdir()) == []


def test_resuming_an_output_directory_cleans_it(tmp_path, dead_pid):
    run = output_dir(tmp_path / "run", "search run")
    (run / "0").mkdir()
    stale = temp_of(run / "0", "trajectory.parquet", dead_pid)
    output_dir(run, "search run")
    assert not stale.exists()


def test_the_cache_directory_is_cleaned_once_per_process(tmp_path, monkeypatch, dead_pid):
    monkeypatch.setenv(io.CACHE_ENV, str(tmp_path))
    monkeypatch.setattr(io, "_cleaned", set())
    (tmp_path / "benchmarks").mkdir()
    stale = temp_of(tmp_path / "benchmarks", "nb201.parquet", dead_pid)
    assert io.cache_dir() == tmp_path
    assert not stale.exists()
    later = temp_of(tmp_path, "other.json", dead_pid)
    io.cache_dir()
    assert later.exists()
