"""Worker processes that end with their command, whichever way the command ends.

A pool worker must not outlive its parent: not after success, an error, Ctrl-C, SIGTERM, or a
SIGKILL the parent cannot clean up after. So each worker, before it imports anything heavy,
records the parent's pid *as the parent sent it* (a parent killed during the worker's start
is then noticed too), asks Linux to kill it when the parent dies (``PR_SET_PDEATHSIG``), and
starts a thread that polls its parent as a fallback elsewhere. Workers ignore SIGINT: Ctrl-C
reaches the parent, which stops them. :func:`process_pool` waits for its workers when its
block ends normally and kills them when it ends by an exception (SIGTERM included, which it
turns into ``SystemExit`` while the pool runs).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any

from archembed.threads import set_threads, worker_threads

PARENT_POLL_SECONDS = 0.2
PR_SET_PDEATHSIG = 1
EXIT_TERMINATED = 128 + signal.SIGTERM


def exit_when_orphaned(parent: int, interval: float = PARENT_POLL_SECONDS) -> None:
    """Block while ``parent`` is this process's parent; exit the process at once when it is not."""
    while os.getppid() == parent:
        time.sleep(interval)
    os._exit(1)


def die_with_parent() -> None:
    """On Linux, have the kernel SIGKILL this process when the thread that started it ends."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)


def watch_parent(parent: int, interval: float = PARENT_POLL_SECONDS) -> None:
    """End this process as soon as ``parent`` (a pid recorded by the parent) is gone."""
    die_with_parent()
    if os.getppid() != parent:  # the parent died before the kernel knew to tell us
        os._exit(1)
    threading.Thread(
        target=exit_when_orphaned, args=(parent, interval), name="parent-watch", daemon=True
    ).start()


def start_worker(
    threads: int = 1, parent: int | None = None, interval: float = PARENT_POLL_SECONDS
) -> None:
    """Worker start-up: the parent watch first, SIGINT left to the parent, ``threads`` threads.

    Pass ``parent`` (the parent's ``os.getpid()``) whenever the parent can: ``os.getppid()``
    read here is already wrong if the parent died while this process was starting.
    """
    watch_parent(os.getppid() if parent is None else parent, interval)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    set_threads(threads)


def _bootstrap(parent: int, threads: int, payload: bytes) -> None:
    """Pool initialiser: start the worker, then unpickle (heavy imports) and run the setup."""
    start_worker(threads, parent)
    setup, argument = pickle.loads(payload)
    if setup is not None:
        setup(argument)


@contextlib.contextmanager
def process_pool(
    workers: int, setup: Callable[[Any], None] | None = None, argument: Any = None
) -> Iterator[ProcessPoolExecutor]:
    """``workers`` spawned processes, each running ``setup(argument)`` once at start-up.

    Each worker gets :func:`~archembed.threads.worker_threads` threads, so the pool never uses
    more than ``--threads`` cores. ``setup`` and ``argument`` travel pickled and are unpickled
    only after the parent watch runs. The workers are waited for when the block ends normally
    and killed when it ends by an exception.
    """
    payload = pickle.dumps((setup, argument), protocol=pickle.HIGHEST_PROTOCOL)
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=get_context("spawn"),
        initializer=_bootstrap,
        initargs=(os.getpid(), worker_threads(workers), payload),
    )
    finished = False
    try:
        with sigterm_as_exit():
            yield pool
        finished = True
    finally:
        if finished:
            pool.shutdown(wait=True)
        else:
            kill_pool(pool)


def kill_pool(pool: ProcessPoolExecutor, timeout: float = 5.0) -> None:
    """Cancel what has not started, kill the workers and reap them (no wait for running tasks).

    The executor's manager thread is joined too, so every future is settled (cancelled or
    failed with ``BrokenProcessPool``) when this returns.
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(OSError, ValueError):
            process.kill()
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AssertionError):
            process.join(timeout)
    if manager is not None and manager is not threading.current_thread():
        manager.join(timeout)


@contextlib.contextmanager
def sigterm_as_exit() -> Iterator[None]:
    """While the block runs, SIGTERM raises SystemExit(143), so cleanups run before exit.

    A library that turns the exception into an exit of its own (Ray's ``wait`` exits 1)
    does not change the status: a SystemExit after a SIGTERM leaves the block as 143.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received = []

    def terminate(signum: int, frame: object) -> None:
        received.append(signum)
        raise SystemExit(EXIT_TERMINATED)

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    except SystemExit:
        if received:
            raise SystemExit(EXIT_TERMINATED) from None
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)
