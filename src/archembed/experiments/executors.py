"""Where seed runs execute: local processes (default) or a Ray cluster.

Both receive the shared read-only inputs (objective and precomputed encoder per run) once,
not once per seed: local workers get them at start-up, Ray through its object store.
Each yields outcomes as seeds finish; a seed that raises comes back as a failed outcome.
"""

from __future__ import annotations

import multiprocessing
from abc import ABC, abstractmethod
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from archembed.errors import ConfigError
from archembed.experiments.tasks import SeedOutcome, SeedTask, failed_outcome, run_task
from archembed.workers import start_worker

_SHARED: dict[str, Any] = {}


def _install(shared: dict[str, Any]) -> None:
    """Worker start-up: keep the shared inputs; one thread, ended with its parent."""
    start_worker()
    _SHARED.update(shared)


def _run_shared(task: SeedTask) -> SeedOutcome:
    objective, encoder = _SHARED[task.shared_key]
    return run_task(task, objective, encoder)


class Executor(ABC):
    @abstractmethod
    def run(self, tasks: list[SeedTask], shared: dict[str, Any]) -> Iterator[SeedOutcome]:
        """Execute ``tasks``; ``shared[task.shared_key]`` is its (objective, encoder)."""


class LocalExecutor(Executor):
    """``workers`` spawned processes; one worker runs in this process (no start-up cost)."""

    def __init__(self, workers: int = 2) -> None:
        self.workers = max(1, workers)

    def run(self, tasks: list[SeedTask], shared: dict[str, Any]) -> Iterator[SeedOutcome]:
        if self.workers == 1 or len(tasks) <= 1:
            for task in tasks:
                objective, encoder = shared[task.shared_key]
                yield run_task(task, objective, encoder)
            return
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            max_workers=min(self.workers, len(tasks)),
            mp_context=context,
            initializer=_install,
            initargs=(shared,),
        ) as pool:
            pending = {pool.submit(_run_shared, task): task for task in tasks}
            try:
                while pending:
                    done, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        task = pending.pop(future)
                        try:
                            yield future.result()
                        except BrokenProcessPool as exc:
                            yield failed_outcome(task, exc)
            finally:
                for future in pending:
                    future.cancel()


class RayExecutor(Executor):
    """Tasks as Ray remote functions (one CPU each) on the cluster at ``address``.

    ``address=None`` starts a local Ray instance; results come back to this process, which
    writes the run directories, so workers need no shared file system.
    """

    def __init__(self, address: str | None = None) -> None:
        try:
            import ray
        except ImportError:
            raise ConfigError("the ray executor needs Ray: pip install 'archembed[ray]'") from None
        self.ray = ray
        self.address = address

    def run(self, tasks: list[SeedTask], shared: dict[str, Any]) -> Iterator[SeedOutcome]:
        ray = self.ray
        if not ray.is_initialized():
            try:
                ray.init(address=self.address, log_to_driver=False, include_dashboard=False)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise ConfigError(f"cannot connect to Ray at {self.address!r}: {exc}") from None
        remote = ray.remote(num_cpus=1)(_ray_task)
        refs = {key: ray.put(value) for key, value in shared.items()}
        futures = {remote.remote(task, refs[task.shared_key]): task for task in tasks}
        try:
            while futures:
                done, _ = ray.wait(list(futures), num_returns=1)
                for ref in done:
                    task = futures.pop(ref)
                    try:
                        yield ray.get(ref)
                    except Exception as exc:  # a worker died or could not unpickle the task
                        yield failed_outcome(task, exc)
        finally:
            for ref in futures:
                ray.cancel(ref, force=True)


def _ray_task(task: SeedTask, inputs: tuple[Any, Any]) -> SeedOutcome:
    import torch

    torch.set_num_threads(1)
    return run_task(task, *inputs)


def make_executor(kind: str, workers: int = 2, address: str | None = None) -> Executor:
    if kind == "local":
        if address is not None:
            raise ConfigError("--address is for the ray executor; add --executor ray")
        return LocalExecutor(workers)
    if kind == "ray":
        return RayExecutor(address)
    raise ConfigError(f"unknown executor {kind!r}; choose local or ray")
