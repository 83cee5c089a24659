"""One place that decides how many CPU threads torch and LightGBM use.

Torch's default pool (one thread per core, spinning while it waits) collapses on a shared
machine: with another process busy on the cores, a job that needs seconds takes minutes.
Every command resolves ``--threads`` here once; worker processes get ``total // workers``.
"""

from __future__ import annotations

import os
import sys

from archembed.errors import ConfigError

THREADS_ENV = "ARCHEMBED_THREADS"
_chosen: int | None = None


def cpu_count() -> int:
    """CPUs this process may run on (the affinity mask, not the machine's total)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def default_threads() -> int:
    """The thread count used when ``--threads`` is not given."""
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
    if "torch" in sys.modules:
        _apply_torch(_chosen)
    return _chosen


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
