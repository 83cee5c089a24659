"""No process outlives an ``archembed search --workers 2``, however the command ends.

Each case runs the command under a small harness process that is a child subreaper: every
process the command leaves behind (its workers, their helpers) is re-parented to the harness,
which reports what is still running two seconds after the command ended.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs /proc")

HARNESS = r"""
import ctypes, json, os, signal, subprocess, sys, time

ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER: orphans come to us
stop, marker, count, args = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]


def processes(parent):
    found = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            state, ppid = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[:2]
            cmdline = open(f"/proc/{pid}/cmdline").read().replace("\0", " ")
        except (OSError, ValueError):
            continue
        if int(ppid) == parent and state != "Z":
            found[int(pid)] = cmdline[:200]
    return found


def reap():
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass


# Ctrl-C's default action, as in a terminal: a shell without job control starts background
# jobs (a CI script's, for one) with SIGINT ignored, and every child would inherit that
signal.signal(signal.SIGINT, signal.SIG_DFL)
command = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
workers = 0
if stop != "none":
    deadline = time.monotonic() + 120
    while workers < count and time.monotonic() < deadline and command.poll() is None:
        time.sleep(0.05)
        workers = sum(marker in c for c in processes(command.pid).values())
    time.sleep(1.0)  # let the workers take their seeds
    os.kill(command.pid, getattr(signal, stop))
stderr = command.communicate()[1].decode(errors="replace")
deadline = time.monotonic() + 2.0
while processes(os.getpid()) and time.monotonic() < deadline:
    time.sleep(0.05)
    reap()
left = processes(os.getpid())
for pid in left:
    os.kill(pid, signal.SIGKILL)
print(json.dumps({"rc": command.returncode, "left": list(left.values()), "workers": workers,
                  "stderr": stderr}))
"""


def run_search(
    tmp_path: Path, stop: str, seeds: int, queries: int, executor: str = "local"
) -> dict:
    """Run a 2-worker search under the harness; ``stop`` names a signal sent once workers run.

    The signal goes once two local workers run, or with Ray once its raylet daemon runs.
    """
    command = [sys.executable, "-m", "archembed", "search", "--benchmark"]
    command += ["nb201/cifar10-valid", "--strategy", "evolution", "--queries", str(queries)]
    command += ["--seeds", str(seeds), "--workers", "2", "--out", str(tmp_path / "run"), "-q"]
    command += ["--executor", executor]
    marker, count = ("spawn_main", 2) if executor == "local" else ("raylet", 1)
    done = subprocess.run(
        [sys.executable, "-c", HARNESS, stop, marker, str(count), *command],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(done.stdout)


@pytest.mark.slow
def test_no_process_remains_after_success(data_root, tmp_path):
    result = run_search(tmp_path, "none", seeds=2, queries=20)
    assert result["rc"] == 0, result["stderr"]
    assert result["left"] == []
    assert (tmp_path / "run" / "1" / "summary.json").is_file()


@pytest.mark.slow
def test_no_process_remains_after_an_error(data_root, tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / ".archembed.json").write_text(json.dumps({"kind": "search run"}))
    (run / "1").write_text("a file where seed 1's directory goes\n")
    result = run_search(tmp_path, "none", seeds=4, queries=2000)
    assert result["rc"] == 1, result["stderr"]
    assert result["left"] == []


@pytest.mark.parametrize(
    ("stop", "code"), [("SIGINT", 130), ("SIGTERM", 128 + signal.SIGTERM), ("SIGKILL", -9)]
)
def test_no_process_remains_after_a_signal(data_root, tmp_path, stop, code):
    result = run_search(tmp_path, stop, seeds=4, queries=5000)
    assert result["workers"] == 2, "the workers never started"
    assert result["rc"] == code, result["stderr"]
    assert result["left"] == []
    assert "Traceback" not in result["stderr"]


@pytest.mark.slow
def test_no_ray_daemon_outlives_a_killed_command(data_root, tmp_path):
    pytest.importorskip("ray")
    result = run_search(tmp_path, "SIGKILL", seeds=4, queries=5000, executor="ray")
    assert result["workers"] == 1, "the Ray instance never started"
    assert result["rc"] == -9, result["stderr"]
    assert result["left"] == []


def _parents() -> dict[int, int]:
    found = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            found[int(pid)] = int(
                Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]
            )
        except (OSError, IndexError, ValueError):
            continue
    return found


def _descendants(root: int) -> set[int]:
    parents, found = _parents(), {root}
    while True:
        more = {pid for pid, parent in parents.items() if parent in found} - found
        if not more:
            return found
        found |= more


def _listening() -> dict[str, str]:
    """Socket inode -> local address of every listening TCP socket on the machine."""
    sockets = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A":  # LISTEN
                sockets[fields[9]] = fields[1].rsplit(":", 1)[0]
    return sockets


def _bound_by(pids: set[int], sockets: dict[str, str]) -> set[str]:
    addresses = set()
    for pid in pids:
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    link = os.readlink(f"/proc/{pid}/fd/{fd}")
                    if link.startswith("socket:[") and link[8:-1] in sockets:
                        addresses.add(sockets[link[8:-1]])
    return addresses


LOOPBACK = {"0100007F", "0000000000000000FFFF00000100007F", "00000000000000000000000001000000"}


@pytest.mark.slow
def test_a_local_ray_instance_listens_on_loopback_only_and_ends_with_the_command(
    data_root, tmp_path
):
    pytest.importorskip("ray")
    command = [sys.executable, "-m", "archembed", "search", "--benchmark", "nb201/cifar10-valid"]
    command += ["--strategy", "random", "--queries", "20", "--seeds", "2", "--executor", "ray"]
    command += ["--workers", "1", "--out", str(tmp_path / "run"), "-q"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen, addresses = set(), set()
    while process.poll() is None:
        pids = _descendants(process.pid)
        seen |= pids
        addresses |= _bound_by(pids, _listening())
        time.sleep(0.2)
    assert process.wait() == 0, process.stderr.read().decode(errors="replace")
    assert addresses, "the Ray instance never listened"
    assert addresses <= LOOPBACK
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in seen):
        time.sleep(0.1)
    left = [p for p in seen if Path(f"/proc/{p}/stat").exists()]
    assert left == []
