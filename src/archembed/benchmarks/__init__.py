"""Tabular benchmark results: one table format, importers, queries by architecture.

The names below are imported on first access, so ``import archembed.benchmarks.catalog`` (the
CLI's start-up path) does not pull in pandas.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from archembed.benchmarks.base import Benchmark
    from archembed.benchmarks.catalog import benchmark_names, import_benchmark, load_benchmark
    from archembed.benchmarks.table import BenchmarkTable

__all__ = ["Benchmark", "BenchmarkTable", "benchmark_names", "import_benchmark", "load_benchmark"]

_HOMES = {
    "Benchmark": "archembed.benchmarks.base",
    "BenchmarkTable": "archembed.benchmarks.table",
    "benchmark_names": "archembed.benchmarks.catalog",
    "import_benchmark": "archembed.benchmarks.catalog",
    "load_benchmark": "archembed.benchmarks.catalog",
}


def __getattr__(name: str) -> Any:
    """Import an exported name from its module on first use."""
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_HOMES[name]), name)
