"""Built-in benchmark importers (importing this package registers them)."""

from archembed.benchmarks.importers import naslib, nb201

__all__ = ["naslib", "nb201"]
