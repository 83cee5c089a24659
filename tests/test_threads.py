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
    assert threads.resolve_threads() == threads.default_threads() == 1
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
