"""Built-in benchmark importers (importing this package registers them)."""

from archembed.benchmarks.importers import nb201

__all__ = ["nb201"]
