"""One place that decides how many CPU threads torch, NumPy's BLAS and LightGBM use.

Torch's default OpenMP pool (one thread per core, spinning while it waits at each barrier)
collapses on a shared machine: with another process busy on the cores, a job that needs
seconds takes minutes, because every parallel region waits for a thread the kernel has put
to sleep. Every command resolves ``--threads`` here once, before it imports torch, and puts
the count in the environment that torch, MKL and OpenBLAS read when they load; worker
processes get ``total // workers``.

The default is one thread, chosen by measurement (``bench/threads.py``, table in
docs/BENCHMARKS.md). archembed's models are small (cell graphs, GP surrogates, the networks
of zero-cost proxies): a second thread gained nothing on a quiet machine, and with other
processes busy on the cores two threads took 3-5x as long as one. Two adaptive policies were
measured and dropped: OpenMP's passive wait policy (no spinning, so no collapse under load,
but up to 1.5x slower than one thread when idle) and as many threads as cores found idle at
start (wrong as soon as the load changes). Pass ``--threads`` for larger networks on an idle
machine.
"""

from __future__ import annotations

import os
import sys

from archembed.errors import ConfigError

THREADS_ENV = "ARCHEMBED_THREADS"
POOL_SIZE_ENVS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
_chosen: int | None = None


def cpu_count() -> int:
    """CPUs this process may run on (the affinity mask, not the machine's total)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def default_threads() -> int:
    """The thread count used when ``--threads`` is not given (see the module docstring)."""
    return 1


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
    global _chosen
    _chosen = resolve_threads(requested)
    configure_libraries(_chosen)
    return _chosen


def configure_libraries(threads: int) -> None:
    """Size the OpenMP, MKL and OpenBLAS pools to ``threads``.

    Libraries not imported yet read the environment when they load; torch, if already
    imported, is set directly.
    """
    for name in POOL_SIZE_ENVS:
        os.environ[name] = str(threads)
    if "torch" in sys.modules:
        _apply_torch(threads)


def current_threads() -> int:
    """The thread count set by :func:`set_threads`, else the default."""
    return _chosen if _chosen is not None else resolve_threads()


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
