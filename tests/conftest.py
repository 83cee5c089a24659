"""Shared fixtures: the real data directory and a per-session cache directory.

A test that needs benchmark data is skipped, naming the missing file or directory and pointing
to docs/DATA.md, when the data is absent; under CI (``CI`` set) it fails instead.
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

from archembed.errors import DataNotFoundError
from archembed.io import CACHE_ENV, DATA_ENV

REPO = Path(__file__).resolve().parents[1]
DATA_DOCS = "docs/DATA.md"


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


@pytest.fixture(autouse=True)
def _fresh_progress_state():
    """A command run in-process with --quiet must not silence the progress of later tests."""
    from archembed.progress import set_quiet

    set_quiet(False)
    yield
    set_quiet(False)


def _missing_data(reason: str) -> None:
    """Skip with ``reason`` (see docs/DATA.md); fail instead under CI, which must have the data."""
    if os.environ.get("CI"):
        pytest.fail(f"CI {reason}")
    pytest.skip(f"{reason} (see {DATA_DOCS})")


def require_data(root: Path, *relative: str) -> None:
    """Skip unless every ``relative`` file exists in the data directory ``root``."""
    for name in relative:
        if not (root / name).is_file():
            _missing_data(f"needs {name} in the data directory {root}")


@pytest.fixture
def one_thread():
    """torch on one thread for the test: small models only add contention with more."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def data_root() -> Path:
    """The real benchmark data (../shared/data or $ARCHEMBED_DATA); skips when absent."""
    root = _data_root()
    if root is None:
        _missing_data(
            f"needs the benchmark data directory: set {DATA_ENV} or put it at "
            f"{REPO.parent / 'shared' / 'data'}"
        )
    os.environ[DATA_ENV] = str(root)
    return root


@pytest.fixture(scope="session")
def nb201_bench(data_root: Path):
    from archembed.benchmarks import load_benchmark
    from archembed.benchmarks.importers.nb201 import SOURCES

    require_data(data_root, *SOURCES)
    return load_benchmark("nb201", data_root)


def _missing_in(root: Path, exc: BaseException) -> str | None:
    """The data-directory file an exception says is missing, if it is really absent."""
    text = exc.filename if isinstance(exc, FileNotFoundError) else str(exc)
    match = re.search(re.escape(str(root)) + r"/([^\s;,:'\"]+)", str(text or ""))
    if match is None or (root / match.group(1)).exists():
        return None
    return match.group(1)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    return (yield from _skip_when_data_is_missing(item))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    return (yield from _skip_when_data_is_missing(item))


def _skip_when_data_is_missing(item: pytest.Item) -> Iterator[None]:
    """A data test stopped by an absent data file is skipped, naming the file (CI: fails)."""
    try:
        return (yield)
    except (FileNotFoundError, DataNotFoundError) as exc:
        root = _data_root()
        missing = None
        if "data_root" in getattr(item, "fixturenames", ()) and root is not None:
            missing = _missing_in(root, exc)
        if missing is None or os.environ.get("CI"):
            raise
        pytest.skip(f"needs {missing} in the data directory {root} (see {DATA_DOCS})")


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


@pytest.fixture(scope="session")
def load_file_module() -> Callable[[Path], ModuleType]:
    """Import a Python file that is not a package module (an experiment script) by its path."""

    def load(path: Path) -> ModuleType:
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load
