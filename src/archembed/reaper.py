"""A watcher that kills a command's descendants when the command is killed outright.

Worker pools watch their parent themselves (:mod:`archembed.workers`), but processes
archembed does not control, such as the daemons of a local Ray instance, outlive a SIGKILLed
command by a minute or more. :func:`reap_on_exit` starts this module as a separate process:
while the command lives it records every descendant (pid and start time, so a reused pid is
never mistaken for one); when the command disappears it kills those still running and every
process they started, even one started after the last look. Daemons that die with the command
(Ray's raylet does) leave orphans nobody's parent can name, so the block also marks its
environment (:data:`MARK`) and the watcher kills every process that carries the mark.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

POLL_SECONDS = 0.5
MARK = "ARCHEMBED_REAPER_MARK"
"""Environment variable every descendant inherits; its value names one watched command."""
Process = tuple[int, int]
"""(pid, start time in clock ticks since boot): one process, never a later one reusing its pid."""


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, start time) of ``pid`` from /proc, or None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[1]), int(fields[19])


def descendants(root: int, exclude: int) -> set[Process]:
    """Every process below ``root`` except ``exclude`` (this watcher)."""
    children: dict[int, list[int]] = {}
    starts: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat is not None:
                children.setdefault(stat[0], []).append(int(entry))
                starts[int(entry)] = stat[1]
    found: set[Process] = set()
    stack = [root]
    while stack:
        for child in children.get(stack.pop(), []):
            if child != exclude and child in starts:
                found.add((child, starts[child]))
                stack.append(child)
    return found


def _alive(process: Process) -> bool:
    """Whether ``process`` still runs (the same pid with the same start time)."""
    stat = _stat(process[0])
    return stat is not None and stat[1] == process[1]


def _signal(processes: set[Process], signum: int) -> None:
    """Send ``signum`` to each of ``processes`` that still runs."""
    for process in processes:
        if _alive(process):
            with contextlib.suppress(OSError):
                os.kill(process[0], signum)


def kill_trees(roots: set[Process], me: int) -> None:
    """Kill ``roots`` and everything below them, children started at the last moment included.

    The trees are frozen (SIGSTOP) and searched again until no new process turns up, so none
    is started, or orphaned out of sight, between the search and the kill.
    """
    frozen: set[Process] = set()
    found = {process for process in roots if _alive(process)}
    while found - frozen:
        _signal(found - frozen, signal.SIGSTOP)
        frozen |= found
        found = set(frozen)
        for pid, _ in frozen:
            found |= descendants(pid, me)
    _signal(frozen, signal.SIGKILL)


def marked(mark: str, exclude: int) -> set[Process]:
    """Every process (but ``exclude``) whose environment holds ``MARK=mark``."""
    entry = f"{MARK}={mark}".encode()
    found: set[Process] = set()
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == exclude:
            continue
        try:
            environment = Path(f"/proc/{name}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        stat = _stat(int(name))
        if entry in environment and stat is not None:
            found.add((int(name), stat[1]))
    return found


def watch(parent: int, mark: str) -> None:
    """Record ``parent``'s descendants until it is gone, then kill the ones still running and
    every process marked with ``mark``."""
    me = os.getpid()
    seen: set[Process] = set()
    while os.getppid() == parent:
        seen |= descendants(parent, me)
        time.sleep(POLL_SECONDS)
    kill_trees(seen | marked(mark, me), me)


@contextlib.contextmanager
def reap_on_exit() -> Iterator[None]:
    """Within the block, a watcher kills this process's descendants if it dies (Linux only)."""
    if not Path("/proc/self/stat").exists():
        yield
        return
    mark = f"{os.getpid()}-{time.time_ns()}"
    previous = os.environ.get(MARK)
    os.environ[MARK] = mark
    watcher = subprocess.Popen(
        [sys.executable, "-m", "archembed.reaper", str(os.getpid()), mark],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        yield
    finally:
        watcher.kill()
        watcher.wait()
        if previous is None:
            os.environ.pop(MARK, None)
        else:
            os.environ[MARK] = previous


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    watch(int(sys.argv[1]), sys.argv[2])
