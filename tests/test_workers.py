"""Spawned workers end with their parent instead of running on as orphans."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archembed import threads
from archembed.workers import process_pool

PARENT = """
import os, subprocess, sys
worker = subprocess.Popen([sys.executable, "-c", sys.argv[1], str(os.getpid()), sys.argv[2]])
print(worker.pid, flush=True)
worker.wait()
"""
WORKER = """
import sys, threading, time
from archembed.workers import exit_when_orphaned, start_worker
parent, watch = int(sys.argv[1]), sys.argv[2]
if watch == "full":
    start_worker(parent=parent, interval=0.05)
else:  # the polling fallback alone, as on systems without PR_SET_PDEATHSIG
    threading.Thread(target=exit_when_orphaned, args=(parent, 0.05), daemon=True).start()
print("watching", flush=True)
import torch  # a heavy import after the watch, as in the real workers
time.sleep(120)
"""
WATCHES = ["full", "polling"]


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    return not _running(pid)


def _parent_and_worker(watch: str) -> tuple[subprocess.Popen, int]:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, WORKER, watch], stdout=subprocess.PIPE, text=True
    )
    return parent, int(parent.stdout.readline())


def _kill(parent: subprocess.Popen) -> None:
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()


@pytest.mark.parametrize("delay", [0.0, 0.01, 0.05, 0.2])
@pytest.mark.parametrize("watch", WATCHES)
def test_worker_exits_when_its_parent_dies_while_it_starts(delay: float, watch: str) -> None:
    """The race: a parent killed before the worker's watch runs is still noticed.

    The worker may not even have been scheduled yet on a busy machine, hence the 10 s; the
    race lost, it would run its full 120 s.
    """
    parent, worker = _parent_and_worker(watch)
    time.sleep(delay)
    _kill(parent)
    assert _gone_within(worker, 10.0)


@pytest.mark.parametrize("watch", WATCHES)
def test_a_watching_worker_exits_within_2s_of_its_parents_death(watch: str) -> None:
    parent, worker = _parent_and_worker(watch)
    assert parent.stdout.readline() == "watching\n"
    _kill(parent)
    assert _gone_within(worker, 2.0)


def test_pool_workers_share_the_threads_and_leave_ctrl_c_to_the_parent(monkeypatch) -> None:
    monkeypatch.setattr(threads, "_chosen", 4)  # as after --threads 4
    with process_pool(2) as pool:
        omp = pool.submit(os.getenv, "OMP_NUM_THREADS").result()
        share = pool.submit(threads.current_threads).result()
        ctrl_c = pool.submit(signal.getsignal, signal.SIGINT).result()
    assert (omp, share) == ("2", 2)
    assert ctrl_c == signal.SIG_IGN


def test_pool_kills_busy_workers_when_its_block_fails() -> None:
    start = time.monotonic()
    with pytest.raises(RuntimeError), process_pool(2) as pool:
        futures = [pool.submit(time.sleep, 60) for _ in range(3)]
        while not any(f.running() for f in futures):
            time.sleep(0.02)
        pids = list(pool._processes)
        raise RuntimeError("the caller failed")
    assert time.monotonic() - start < 30
    assert not any(_running(pid) for pid in pids)
    assert all(f.cancelled() or f.done() for f in futures)


def test_a_generator_closed_early_kills_its_pool() -> None:
    """As when a caller stops reading an executor's outcomes (an error, Ctrl-C)."""

    def outcomes():
        with process_pool(2) as pool:
            futures = [pool.submit(time.sleep, 60) for _ in range(2)]
            while not all(f.running() for f in futures):
                time.sleep(0.02)
            yield list(pool._processes)
            yield from (f.result() for f in futures)

    reader = outcomes()
    pids = next(reader)
    reader.close()
    assert len(pids) == 2
    assert not any(_running(pid) for pid in pids)
