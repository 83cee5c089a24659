"""Start-up of spawned worker processes: one torch thread each, and no life after the parent.

Pool workers outlive a parent killed by a signal it cannot clean up after (SIGKILL, or a
SIGTERM with no handler) and would keep computing for nobody. A daemon thread in each worker
watches its parent and ends the worker as soon as the parent is gone.
"""

from __future__ import annotations

import os
import threading
import time


def exit_when_orphaned(parent: int, interval: float = 1.0) -> None:
    """Block while ``parent`` is this process's parent; exit the process at once when it is not."""
    while os.getppid() == parent:
        time.sleep(interval)
    os._exit(1)


def start_worker(interval: float = 1.0) -> None:
    """Pool initialiser: one torch thread (workers are the parallelism) and the parent watch."""
    import torch

    torch.set_num_threads(1)
    watcher = threading.Thread(
        target=exit_when_orphaned, args=(os.getppid(), interval), name="parent-watch", daemon=True
    )
    watcher.start()
