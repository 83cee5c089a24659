"""The reaper kills a whole process tree, grandchildren started by a child included."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from archembed.reaper import MARK, _stat, descendants, kill_trees, marked

TREE = """
import subprocess, sys, time
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
print("ready", flush=True)
time.sleep(60)
"""


def _state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            text = handle.read()
    except OSError:
        return "gone"
    return text[text.rindex(")") + 2]


def test_kill_trees_kills_the_root_and_everything_below_it() -> None:
    root = subprocess.Popen([sys.executable, "-c", TREE], stdout=subprocess.PIPE, text=True)
    assert root.stdout.readline() == "ready\n"
    below = descendants(root.pid, os.getpid())
    assert len(below) == 2
    kill_trees({(root.pid, _stat(root.pid)[1])}, os.getpid())
    root.wait(timeout=10)
    deadline = time.monotonic() + 5
    while any(_state(pid) not in ("gone", "Z") for pid, _ in below):
        assert time.monotonic() < deadline, "a grandchild survived"
        time.sleep(0.05)


def test_marked_finds_processes_by_the_mark_they_inherited() -> None:
    mark = f"test-{os.getpid()}-{time.time_ns()}"
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)"], env={**os.environ, MARK: mark}
    )
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        deadline = time.monotonic() + 5
        while (child.pid, _stat(child.pid)[1]) not in marked(mark, os.getpid()):
            assert time.monotonic() < deadline, "the marked process was not found"
            time.sleep(0.05)
        assert all(pid != other.pid for pid, _ in marked(mark, os.getpid()))
    finally:
        child.kill()
        other.kill()
        child.wait()
        other.wait()
