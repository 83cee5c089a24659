"""Built-in benchmark importers (importing this package registers them)."""

from archembed.benchmarks.importers import nasbench_graph, naslib, nb101, nb201

__all__ = ["nasbench_graph", "naslib", "nb101", "nb201"]
