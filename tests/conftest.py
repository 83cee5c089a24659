"""Shared fixtures: the real data directory and a per-session cache directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from archembed.io import CACHE_ENV, DATA_ENV

REPO = Path(__file__).resolve().parents[1]


def _data_root() -> Path | None:
    value = os.environ.get(DATA_ENV)
    candidates = [Path(value)] if value else []
    candidates.append(REPO.parent / "shared" / "data")
    return next((p for p in candidates if p.is_dir()), None)


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never touch the user's cache: imports go to a session temp dir (or $ARCHEMBED_CACHE)."""
    if not os.environ.get(CACHE_ENV):
        os.environ[CACHE_ENV] = str(tmp_path_factory.mktemp("archembed-cache"))


@pytest.fixture(scope="session")
def data_root() -> Path:
    """The real benchmark data (../shared/data or $ARCHEMBED_DATA); skips when absent."""
    root = _data_root()
    if root is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the benchmark data: set {DATA_ENV}")
        pytest.skip(f"no benchmark data: set {DATA_ENV}")
    os.environ[DATA_ENV] = str(root)
    return root


@pytest.fixture(scope="session")
def nb201_bench(data_root: Path):
    from archembed.benchmarks import load_benchmark

    return load_benchmark("nb201", data_root)


@pytest.fixture(scope="session")
def run_cli():
    """Run ``python -m archembed ARGS`` on this checkout's sources; returns CompletedProcess."""
    import subprocess
    import sys

    def run(*args: str, env: dict[str, str] | None = None, timeout: float = 600):
        full_env = {**os.environ, **(env or {})}
        full_env["PYTHONPATH"] = os.pathsep.join(
            [str(REPO / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]
        )
        return subprocess.run(
            [sys.executable, "-m", "archembed", *args],
            capture_output=True,
            text=True,
            env=full_env,
            timeout=timeout,
        )

    return run


@pytest.fixture(scope="session")
def nb101_cells():
    """All NAS-Bench-101 cells as arrays; enumerated once into the session cache (~1 min cold)."""
    from archembed.spaces.nb101_cells import load_cells

    return load_cells(progress=False)
