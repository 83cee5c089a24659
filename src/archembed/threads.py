"""One place that decides how many CPU threads torch, NumPy's BLAS and LightGBM use.

Torch's default OpenMP pool (one thread per core, spinning while it waits at each barrier)
collapses on a shared machine: with another process busy on the cores, a job that needs
seconds takes minutes, because every parallel region waits for a thread the kernel has put
to sleep. Every command resolves ``--threads`` here once, before it imports torch, and puts
the count in the environment that torch, MKL and OpenBLAS read when they load; worker
processes get ``total // workers``.

The default follows the machine (measured by ``bench/threads.py``, table in
docs/BENCHMARKS.md): on an idle machine a second thread makes training 10-30 % faster, but
with other processes busy on the cores two threads take 2-3x as long as one. So without
``--threads`` the count is the number of cores left idle by other processes, sampled from
/proc/stat for 0.1 s at start (at least 1, at most :data:`AUTO_MAX`), and re-sampled while
the command runs: :func:`adapt`, called from every progress update, lowers or raises torch's
pool when the other processes' load changes. ``--threads N`` or $ARCHEMBED_THREADS fixes
the count.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Iterator

from archembed.errors import ConfigError

THREADS_ENV = "ARCHEMBED_THREADS"
POOL_SIZE_ENVS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
AUTO_MAX = 4
SAMPLE_SECONDS = 0.1
ADAPT_INTERVAL = 2.0
IDLE_MARGIN = 0.3
_chosen: int | None = None
_auto = False
_last_sample: tuple[float, float, float] | None = None
_pinned: int | None = None


def cpu_count() -> int:
    """CPUs this process may run on (the affinity mask, not the machine's total)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def default_threads() -> int:
    """The thread count used when ``--threads`` is not given: cores idle right now."""
    first = _sample()
    if first is None:
        return 1
    time.sleep(SAMPLE_SECONDS)
    return _idle_threads(first)


def _sample() -> tuple[float, float, float] | None:
    """(wall time, CPU seconds busy on the whole machine, CPU seconds of this process)."""
    try:
        with open("/proc/stat") as stat:
            ticks = [int(field) for field in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    if len(ticks) < 5:
        return None
    busy = sum(ticks) - ticks[3] - ticks[4]  # everything but idle and iowait
    own = os.times()
    global _last_sample
    _last_sample = (time.monotonic(), busy / os.sysconf("SC_CLK_TCK"), own.user + own.system)
    return _last_sample


def _idle_threads(since: tuple[float, float, float]) -> int:
    """Threads for the cores that other processes left idle since the sample ``since``."""
    now = _sample()
    if now is None or now[0] <= since[0]:
        return 1
    wall = now[0] - since[0]
    others = max(0.0, (now[1] - since[1]) - (now[2] - since[2])) / wall
    idle = _machine_cpus() - others
    return max(1, min(cpu_count(), AUTO_MAX, int(idle + IDLE_MARGIN)))


def _machine_cpus() -> int:
    """All CPUs of the machine, the ones /proc/stat sums over."""
    return max(1, os.cpu_count() or 1)


def adapt() -> int:
    """Under the default policy, resize torch's pool to the cores idle since the last check.

    Cheap enough to call often (it acts at most every :data:`ADAPT_INTERVAL` s) and only in
    the main thread, where torch's OpenMP setting applies; returns the current count.
    """
    global _chosen
    if _pinned is not None:
        return _pinned
    if not _auto or _last_sample is None or "torch" not in sys.modules:
        return current_threads()
    if threading.current_thread() is not threading.main_thread():
        return current_threads()
    if time.monotonic() - _last_sample[0] < ADAPT_INTERVAL:
        return current_threads()
    count = _idle_threads(_last_sample)
    if count != _chosen:
        _chosen = count
        _apply_torch(count)
    return count


def resolve_threads(requested: int | None = None) -> int:
    """``requested``, else $ARCHEMBED_THREADS, else :func:`default_threads`; at least 1."""
    if requested is None:
        text = os.environ.get(THREADS_ENV)
        if not text:
            return default_threads()
        try:
            requested = int(text)
        except ValueError:
            raise ConfigError(f"${THREADS_ENV} must be a whole number, got {text!r}") from None
    if requested < 1:
        raise ConfigError(f"--threads must be at least 1, got {requested}")
    return requested


def set_threads(requested: int | None = None) -> int:
    """Resolve the thread count and apply it to torch (now or when it is imported); return it."""
    global _chosen, _auto
    _auto = requested is None and not os.environ.get(THREADS_ENV)
    _chosen = resolve_threads(requested)
    configure_libraries(_chosen)
    return _chosen


def configure_libraries(threads: int) -> None:
    """Size the OpenMP, MKL and OpenBLAS pools to ``threads``.

    Libraries not imported yet read the environment when they load; those already loaded
    (numpy's BLAS once numpy is imported, torch) are resized directly.
    """
    for name in POOL_SIZE_ENVS:
        os.environ[name] = str(threads)
    if "numpy" in sys.modules:
        _limit_loaded_pools(threads)
    if "torch" in sys.modules:
        _apply_torch(threads)


def _limit_loaded_pools(threads: int) -> None:
    """Resize the BLAS/OpenMP pools of libraries already loaded (they read no env var again)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads)


def current_threads() -> int:
    """The thread count set by :func:`set_threads`; resolved (and applied) on first use."""
    return _chosen if _chosen is not None else set_threads()


def worker_threads(workers: int) -> int:
    """Threads for each of ``workers`` processes: the total split so they never oversubscribe."""
    return max(1, current_threads() // max(1, workers))


def apply_torch_threads(threads: int | None = None) -> None:
    """Set torch's intra-op threads to ``threads`` (default: the chosen count)."""
    _apply_torch(threads if threads is not None else current_threads())


def _apply_torch(threads: int) -> None:
    import torch

    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)


@contextlib.contextmanager
def torch_threads(count: int | None) -> Iterator[None]:
    """Pin torch's intra-op threads to ``count`` for the block (None: leave them), then restore.

    Tiny models train fastest on one thread; :func:`adapt` leaves a pinned count alone.
    """
    global _pinned
    if count is None:
        yield
        return
    import torch

    previous, outer = torch.get_num_threads(), _pinned
    _pinned = count
    _apply_torch(count)
    try:
        yield
    finally:
        _pinned = outer
        _apply_torch(previous)
