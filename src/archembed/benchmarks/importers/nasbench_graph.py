"""Importer for NAS-Bench-Graph, read from the ``nas_bench_graph`` package (no data directory).

The package ships a "light" table per dataset: for every architecture (keyed by the package
hash) ``valid_perf``, ``perf`` (test), ``latency`` and ``para``. Those are the only metrics it
has; per-epoch curves need the full benchmark files, which are not part of the package.

Metric names: ``val_acc`` / ``test_acc`` (accuracy as a fraction) on the eight node
classification datasets; ``val_rocauc`` / ``test_rocauc`` on ``proteins`` (ogbn-proteins is
scored by ROC-AUC, not accuracy); ``latency`` (as stored, seconds) and ``params`` (millions).
The light tables record neither epoch nor seed: values have no epoch (query with epoch=None)
and are stored as the seed mean. They are means over the benchmark's 3 seeds: every cora
validation value times 1500 (3 seeds x 500 validation nodes) is an integer.
``proteins`` covers the 2,021 architectures built from its five ops (gcn, sage, arma, fc, skip).
"""

from __future__ import annotations

from pathlib import Path

from nas_bench_graph.readbench import light_read

from archembed.benchmarks.table import NO_EPOCH, SEED_MEAN, BenchmarkTable, wide_to_long
from archembed.spaces.nasbench_graph import NasBenchGraphSpace

DATASETS = (
    "cora",
    "citeseer",
    "pubmed",
    "cs",
    "physics",
    "photo",
    "computers",
    "arxiv",
    "proteins",
)
ROC_AUC_DATASETS = frozenset({"proteins"})


def _columns(dataset: str) -> dict[str, tuple[str, str, int, int]]:
    score = "rocauc" if dataset in ROC_AUC_DATASETS else "acc"
    return {
        "valid_perf": (dataset, f"val_{score}", NO_EPOCH, SEED_MEAN),
        "perf": (dataset, f"test_{score}", NO_EPOCH, SEED_MEAN),
        "latency": (dataset, "latency", NO_EPOCH, SEED_MEAN),
        "para": (dataset, "params", NO_EPOCH, SEED_MEAN),
    }


def import_nasbench_graph(_root: Path | None) -> BenchmarkTable:
    import pandas as pd

    space = NasBenchGraphSpace()
    graphs = space.enumerate()
    archs = pd.DataFrame(
        {
            "arch": [space.identity(g) for g in graphs],
            "native": [space.to_native(g) for g in graphs],
        }
    )
    parts = []
    for dataset in DATASETS:
        table = light_read(dataset)
        columns = _columns(dataset)
        frame = pd.DataFrame(
            {key: [float(row[key]) for row in table.values()] for key in columns},
        )
        frame["id"] = [str(k) for k in table]
        parts.append(wide_to_long(frame, "id", columns))
    values = pd.concat(parts, ignore_index=True)
    unknown = ~values["arch"].isin(archs["arch"])
    if unknown.any():
        raise ValueError(f"{int(unknown.sum())} package hashes are not in the enumeration")
    return BenchmarkTable(name="nasbench_graph", space="nasbench_graph", archs=archs, values=values)
