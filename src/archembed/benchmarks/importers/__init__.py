"""Built-in benchmark importers (importing this package registers them)."""

from archembed.benchmarks.importers import nb101, nb201

__all__ = ["nb101", "nb201"]
