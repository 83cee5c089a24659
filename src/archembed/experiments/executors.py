"""Where seed runs execute: local processes (default) or a Ray cluster.

Both receive the shared read-only inputs (objective and precomputed encoder per run) once,
not once per seed: local workers get them at start-up, Ray through its object store.
Each yields outcomes as seeds finish; a seed that raises comes back as a failed outcome.
Workers get ``--threads`` split between them and never outlive the run (see
:mod:`archembed.workers`); a local Ray instance listens on 127.0.0.1 only and is shut down
when the run ends (a watcher process kills its daemons if this process is killed outright).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from abc import ABC, abstractmethod
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from archembed.errors import ConfigError
from archembed.experiments.tasks import SeedOutcome, SeedTask, failed_outcome, run_task
from archembed.reaper import reap_on_exit
from archembed.threads import set_threads, torch_threads, worker_threads
from archembed.workers import process_pool, sigterm_as_exit

RAY_LOOPBACK_ENV = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"
"""Ray's switch for single-machine mode: "0" makes a local instance use (and listen on) the
loopback address instead of the machine's network address."""
_SHARED: dict[str, Any] = {}


def _install(shared: dict[str, Any]) -> None:
    """Worker start-up (after the parent watch): keep the shared inputs."""
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
        workers = min(self.workers, len(tasks))
        with process_pool(workers, _install, shared) as pool, _parent_at_rest():
            pending = {pool.submit(_run_shared, task): task for task in tasks}
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield _outcome(future, pending.pop(future))


def _outcome(future: Future, task: SeedTask) -> SeedOutcome:
    try:
        return future.result()
    except BrokenProcessPool as exc:
        return failed_outcome(task, exc)


@contextlib.contextmanager
def _parent_at_rest() -> Iterator[None]:
    """One torch thread in this process while its workers compute (it only waits for them)."""
    with torch_threads(1 if "torch" in sys.modules else None):
        yield


class RayExecutor(Executor):
    """Tasks as Ray remote functions (one CPU each) on the cluster at ``address``.

    ``address=None`` starts a local Ray instance with ``workers`` CPUs, bound to 127.0.0.1,
    for this run only; results come back to this process, which writes the run directories,
    so workers need no shared file system.
    """

    def __init__(self, address: str | None = None, workers: int = 2) -> None:
        try:
            import ray
        except ImportError:
            raise ConfigError("the ray executor needs Ray: pip install 'archembed[ray]'") from None
        self.ray = ray
        self.address = address
        self.workers = max(1, workers)

    def run(self, tasks: list[SeedTask], shared: dict[str, Any]) -> Iterator[SeedOutcome]:
        ray = self.ray
        started = not ray.is_initialized()
        # Ray's daemons do not watch this process: a watcher kills them if it is SIGKILLed
        with reap_on_exit() if started and self.address is None else contextlib.nullcontext():
            if started:
                self._start()
            try:
                with sigterm_as_exit():  # instead of Ray's handler, which exits at once
                    yield from self._run(tasks, shared)
            finally:
                if started:
                    ray.shutdown()

    def _start(self) -> None:
        """Connect to ``address``, or start a local instance on the loopback address."""
        options: dict[str, Any] = {"address": self.address}
        if self.address is None:
            options.update(num_cpus=self.workers, _node_ip_address="127.0.0.1")
        try:
            with _loopback(self.address is None):
                self.ray.init(
                    **options,
                    log_to_driver=False,
                    include_dashboard=False,
                    logging_level=logging.ERROR,
                )
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise ConfigError(f"cannot connect to Ray at {self.address!r}: {exc}") from None

    def _run(self, tasks: list[SeedTask], shared: dict[str, Any]) -> Iterator[SeedOutcome]:
        ray = self.ray
        threads = worker_threads(self.workers) if self.address is None else 1
        remote = ray.remote(num_cpus=1)(_ray_task)
        refs = {key: ray.put(value) for key, value in shared.items()}
        futures = {remote.remote(task, refs[task.shared_key], threads): task for task in tasks}
        try:
            while futures:
                done, _ = ray.wait(list(futures), num_returns=1)
                for ref in done:
                    task = futures.pop(ref)
                    try:
                        outcome = ray.get(ref)
                    except Exception as exc:  # a worker died or could not unpickle the task
                        outcome = failed_outcome(task, exc)
                    yield outcome
        finally:
            for ref in futures:
                ray.cancel(ref, force=True)


@contextlib.contextmanager
def _loopback(active: bool) -> Iterator[None]:
    """While a local Ray instance starts, make Ray resolve this node to 127.0.0.1.

    Ray replaces a loopback ``_node_ip_address`` by the machine's network address unless
    its single-machine switch is off; the switch is read when ray is imported (so the flag
    it set is changed too) and by the processes the instance starts (the environment).
    """
    if not active:
        yield
        return
    from ray._private import ray_constants

    saved = os.environ.get(RAY_LOOPBACK_ENV), ray_constants.ENABLE_RAY_CLUSTER
    os.environ[RAY_LOOPBACK_ENV] = "0"
    ray_constants.ENABLE_RAY_CLUSTER = False
    try:
        yield
    finally:
        ray_constants.ENABLE_RAY_CLUSTER = saved[1]
        if saved[0] is None:
            os.environ.pop(RAY_LOOPBACK_ENV, None)
        else:
            os.environ[RAY_LOOPBACK_ENV] = saved[0]


def _ray_task(task: SeedTask, inputs: tuple[Any, Any], threads: int) -> SeedOutcome:
    set_threads(threads)
    return run_task(task, *inputs)


def make_executor(kind: str, workers: int = 2, address: str | None = None) -> Executor:
    if kind == "local":
        if address is not None:
            raise ConfigError("--address is for the ray executor; add --executor ray")
        return LocalExecutor(workers)
    if kind == "ray":
        return RayExecutor(address, workers)
    raise ConfigError(f"unknown executor {kind!r}; choose local or ray")
