"""The thread policy: one resolution per process, applied before torch loads, split by workers."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archembed import threads
from archembed.errors import ConfigError


@pytest.fixture
def policy(monkeypatch):
    """The module's state and the variables it sets, restored after the test."""
    for name in (threads.THREADS_ENV, *threads.POOL_SIZE_ENVS):
        monkeypatch.setenv(name, "0")  # records the original, restored at teardown
        monkeypatch.delenv(name)
    monkeypatch.setattr(threads, "_chosen", None)
    monkeypatch.setattr(threads, "_apply_torch", lambda count: None)
    return monkeypatch


def test_option_then_environment_then_default(policy):
    assert 1 <= threads.resolve_threads() <= min(threads.cpu_count(), threads.AUTO_MAX)
    policy.setenv(threads.THREADS_ENV, "3")
    assert threads.resolve_threads() == 3
    assert threads.resolve_threads(5) == 5


@pytest.mark.parametrize(("requested", "env"), [(0, None), (-2, None), (None, "two")])
def test_bad_counts_are_input_errors(policy, requested, env):
    if env is not None:
        policy.setenv(threads.THREADS_ENV, env)
    with pytest.raises(ConfigError, match=r"(?i)threads"):
        threads.resolve_threads(requested)


def test_set_threads_sizes_the_pools_of_libraries_not_loaded_yet(policy):
    assert threads.set_threads(3) == 3
    assert threads.current_threads() == 3
    assert {os.environ[name] for name in threads.POOL_SIZE_ENVS} == {"3"}


@given(total=st.integers(1, 256), workers=st.integers(1, 64))
def test_workers_never_oversubscribe(total, workers):
    threads._chosen = total
    try:
        each = threads.worker_threads(workers)
    finally:
        threads._chosen = None
    assert each >= 1
    assert each * min(workers, total) <= total


def test_torch_imported_afterwards_uses_the_count():
    """In a fresh process, as a command does: options first, torch later."""
    code = (
        "from archembed.threads import set_threads\n"
        "set_threads()\n"
        "import torch\n"
        "print(torch.get_num_threads())\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OMP_", "MKL_"))}
    env[threads.THREADS_ENV] = "1"  # torch's own default is one per core
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert int(done.stdout) == 1


def test_blas_loaded_before_the_option_is_resized():
    """A script that imports numpy before ``set_threads`` still gets one BLAS thread."""
    code = (
        "import numpy\n"
        "from threadpoolctl import threadpool_info, threadpool_limits\n"
        "threadpool_limits(limits=3)\n"
        "from archembed.threads import set_threads\n"
        "set_threads(1)\n"
        "print(max(pool['num_threads'] for pool in threadpool_info()))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in threads.POOL_SIZE_ENVS}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert int(done.stdout) == 1


def fake_machine(policy, cpus: int, samples: list[tuple[float, float, float]]) -> None:
    """A machine of ``cpus`` CPUs whose /proc/stat samples are ``samples``, in order."""
    feed = iter(samples)

    def sample():
        threads._last_sample = next(feed)
        return threads._last_sample

    policy.setattr(threads, "_sample", sample)
    policy.setattr(threads, "_machine_cpus", lambda: cpus)
    policy.setattr(threads, "cpu_count", lambda: cpus)
    policy.setattr(threads.time, "sleep", lambda seconds: None)


@pytest.mark.parametrize(
    ("others_busy", "expected"),
    [(0.0, 2), (0.2, 2), (0.8, 1), (1.0, 1), (2.0, 1)],
)
def test_default_takes_the_cores_other_processes_leave_idle(policy, others_busy, expected):
    # 0.1 s sampled; this process used nothing, the others ``others_busy`` cores
    fake_machine(policy, 2, [(0.0, 0.0, 0.0), (0.1, 0.1 * others_busy, 0.0)])
    assert threads.default_threads() == expected


def test_default_is_capped_on_large_machines(policy):
    fake_machine(policy, 64, [(0.0, 0.0, 0.0), (0.1, 0.0, 0.0)])
    assert threads.default_threads() == threads.AUTO_MAX


def test_own_work_does_not_count_as_load(policy):
    # the whole machine was busy, but with this process's own two threads
    fake_machine(policy, 2, [(0.0, 0.0, 0.0), (0.1, 0.2, 0.2)])
    assert threads.default_threads() == 2


def test_adapt_follows_the_load_only_under_the_default(policy):
    applied = []
    policy.setattr(threads, "_apply_torch", applied.append)
    policy.setitem(sys.modules, "torch", sys.modules.get("torch", object()))
    fake_machine(
        policy,
        2,
        [
            (0.0, 0.0, 0.0),
            (0.1, 0.0, 0.0),  # idle at start: 2 threads
            (5.0, 9.8, 4.9),  # then another process took one core: 1 thread
            (10.0, 19.6, 9.8),
        ],
    )
    assert threads.set_threads() == 2
    assert threads.adapt() == 1
    assert threads.adapt() == 1
    assert applied[-1] == 1
    threads.set_threads(2)  # an explicit count is never changed
    threads._last_sample = (0.0, 0.0, 0.0)
    assert threads.adapt() == 2
