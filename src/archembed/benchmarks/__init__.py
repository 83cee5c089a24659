"""Tabular benchmark results: one table format, importers, queries by architecture."""

from archembed.benchmarks.base import Benchmark
from archembed.benchmarks.catalog import benchmark_names, import_benchmark, load_benchmark
from archembed.benchmarks.table import BenchmarkTable

__all__ = ["Benchmark", "BenchmarkTable", "benchmark_names", "import_benchmark", "load_benchmark"]
