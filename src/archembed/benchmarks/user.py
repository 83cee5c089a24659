"""Bring-your-own benchmarks: JSON-lines files of graphs and metrics, imported into the cache.

The lines are read one at a time (:mod:`archembed.benchmarks.records`: node- or edge-labelled
graphs, every numeric field a metric), and only what the table needs is kept per architecture
(its id, native string and first line) and per line (its architecture and metric values, in
flat arrays), so memory stays well under that of the parsed graphs. The result is a benchmark
of a :class:`~archembed.spaces.generic.GenericSpace`, one dataset (``default`` unless given),
metrics without epoch, looked up like the built-in ones by ``load_benchmark(name)``. An
architecture listed on several lines (isomorphic graphs are one architecture) is an error
unless ``duplicates`` is ``first`` (keep the first line) or ``mean`` (average each metric over
the lines; the archs table records how many in ``n_records``).

The table is written to a fresh directory; the registry entry pointing to it is written last
(atomically), so an interrupted import leaves the previous state visible and nothing partial.
"""

from __future__ import annotations

import math
import re
import shutil
import uuid
from array import array
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from archembed.benchmarks.records import GraphRecord, iter_graph_records
from archembed.benchmarks.table import NO_EPOCH, SEED_MEAN, BenchmarkTable
from archembed.errors import ConfigError, CorruptFileError
from archembed.io import read_parquet
from archembed.spaces.generic import GenericSpace
from archembed.user_registry import user_dir, user_entry, write_entry

if TYPE_CHECKING:
    import pandas as pd

    from archembed.benchmarks.lookup import StoredBenchmark

__all__ = ["GraphRecord", "build_user_table", "import_graphs", "prepare_graphs"]

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
DUPLICATE_MODES = ("error", "first", "mean")
RECORD_COUNT = "n_records"
"""Column of the archs table: how many lines were averaged (``duplicates="mean"``)."""


class _Collected:
    """What an import keeps while the lines stream past: per architecture its id, native
    string, first line and count; per kept line its architecture row and metric values."""

    def __init__(self, duplicates: str) -> None:
        self.space = GenericSpace()
        self.duplicates = duplicates
        self.rows: dict[str, int] = {}
        self.natives: list[str] = []
        self.first_lines = array("q")
        self.counts = array("q")
        self.kept = array("q")
        self.metrics: dict[str, array] = {}
        self.ops: set[str] = set()
        self.largest = 0
        self.records = 0
        self.repeat: tuple[int, int] | None = None

    def add(self, record: GraphRecord) -> None:
        """Count one line; keep its metrics when they are the first or are to be averaged."""
        self.records += 1
        key = self.space.identity(record.graph)
        row = self.rows.setdefault(key, len(self.natives))
        if row == len(self.natives):
            self.natives.append(self.space.to_native(record.graph))
            self.first_lines.append(record.line)
            self.counts.append(0)
            self.ops.update(record.graph.ops[1:-1])
            self.largest = max(self.largest, record.graph.n_nodes)
        elif self.repeat is None:
            self.repeat = (record.line, self.first_lines[row])
        self.counts[row] += 1
        if self.counts[row] == 1 or self.duplicates == "mean":
            self._keep(row, record.metrics)

    def _keep(self, row: int, metrics: dict[str, float]) -> None:
        for name in metrics:
            if name not in self.metrics:
                self.metrics[name] = array("d", [math.nan]) * len(self.kept)
        self.kept.append(row)
        for name, column in self.metrics.items():
            column.append(metrics.get(name, math.nan))

    def refuse_duplicates(self) -> None:
        """One line saying how many architectures are listed more than once, and where first."""
        if self.repeat is None:
            return
        repeated = sum(1 for count in self.counts if count > 1)
        count = "1 architecture appears" if repeated == 1 else f"{repeated} architectures appear"
        raise CorruptFileError(
            f"{count} more than once (first: line {self.repeat[0]} repeats the architecture of "
            f"line {self.repeat[1]}; isomorphic graphs are one architecture); pass "
            "--duplicates first or --duplicates mean"
        )

    def values(self, dataset: str) -> pd.DataFrame:
        """The long values table: per metric, each architecture's (mean) value."""
        import numpy as np
        import pandas as pd

        kept = np.frombuffer(self.kept, dtype=np.int64)
        codes, numbers, names = [], [], []
        for column in self.metrics.values():
            values = np.frombuffer(column, dtype=np.float64)
            has = ~np.isnan(values)
            count = np.bincount(kept[has], minlength=len(self.natives))
            share = values[has] / count[kept[has]]  # the mean summed as v/n: no overflow
            mean = np.bincount(kept[has], weights=share, minlength=len(self.natives))
            present = np.flatnonzero(count)
            codes.append(present)
            numbers.append(mean[present])
            names.append(np.full(len(present), len(names), dtype=np.int64))
        size = sum(len(c) for c in codes)
        return pd.DataFrame(
            {
                "arch": pd.Categorical.from_codes(np.concatenate(codes), dtype=self._arch_dtype()),
                "dataset": pd.Categorical.from_codes(np.zeros(size, dtype=np.int64), [dataset]),
                "metric": pd.Categorical.from_codes(np.concatenate(names), list(self.metrics)),
                "epoch": np.full(size, NO_EPOCH, dtype=np.int16),
                "seed": np.full(size, SEED_MEAN, dtype=np.int16),
                "value": np.concatenate(numbers),
            }
        )

    def _arch_dtype(self) -> pd.CategoricalDtype:
        """The ids as categories of plain Python strings: far smaller than Arrow-backed text
        with its hash table, for a million architectures."""
        import pandas as pd

        return pd.CategoricalDtype(pd.Index(list(self.rows), dtype=object))

    def archs(self) -> pd.DataFrame:
        """The archs table: id and native string (and ``n_records`` when averaged)."""
        import pandas as pd

        archs = pd.DataFrame(
            {
                "arch": pd.Series(list(self.rows), dtype=object),
                "native": pd.Series(self.natives, dtype=object),
            }
        )
        if self.duplicates == "mean":
            archs[RECORD_COUNT] = list(self.counts)
        return archs


def check_duplicates_mode(duplicates: str) -> None:
    """Refuse a ``duplicates`` mode other than error, first or mean (before any work)."""
    if duplicates not in DUPLICATE_MODES:
        raise ConfigError(
            f"--duplicates {duplicates!r} is not a mode; choose one of: "
            f"{', '.join(DUPLICATE_MODES)}"
        )


def build_user_table(
    name: str,
    records: Iterable[GraphRecord],
    ops: list[str] | None = None,
    max_nodes: int | None = None,
    dataset: str = "default",
    duplicates: str = "error",
) -> tuple[BenchmarkTable, GenericSpace]:
    """The benchmark table and generic space of streamed records (vocabulary/size inferred);
    repeated architectures are refused, or merged as ``duplicates`` says."""
    check_duplicates_mode(duplicates)
    collected = _Collected(duplicates)
    for record in records:
        collected.add(record)
    if duplicates == "error":
        collected.refuse_duplicates()
    inner = ops if ops is not None else sorted(collected.ops)
    space = GenericSpace(inner, max_nodes or collected.largest, name=name)
    table = BenchmarkTable(
        name=name, space=name, archs=collected.archs(), values=collected.values(dataset)
    )
    table.meta.update({"duplicates": duplicates, "records": collected.records})
    return table, space


def check_name(name: str) -> None:
    """A user benchmark name must be a plain word that no built-in benchmark or space uses."""
    from archembed import spaces  # noqa: F401  (registers the built-in spaces)
    from archembed.benchmarks import importers  # noqa: F401  (registers the built-in importers)
    from archembed.benchmarks.catalog import IMPORTERS
    from archembed.spaces.base import SPACES

    if not NAME_PATTERN.match(name):
        raise ConfigError(
            f"benchmark name {name!r} must be 1-64 letters, digits, '_', '-' or '.', "
            "starting with a letter or digit"
        )
    if name in IMPORTERS or name in SPACES:
        raise ConfigError(f"{name!r} is a built-in benchmark or space name; choose another --name")


def prepare_graphs(
    path: str | Path,
    name: str,
    ops: list[str] | None = None,
    max_nodes: int | None = None,
    dataset: str = "default",
    duplicates: str = "error",
) -> tuple[BenchmarkTable, GenericSpace]:
    """Validate and parse a JSON-lines graph file into user benchmark ``name`` (nothing written)."""
    check_name(name)
    check_duplicates_mode(duplicates)
    if max_nodes is not None and max_nodes < 2:
        raise ConfigError(f"--max-nodes must be at least 2, got {max_nodes}")
    if not dataset.strip():
        raise ConfigError("--dataset must not be empty")
    records = iter_graph_records(Path(path), ops, max_nodes)
    table, space = build_user_table(name, records, ops, max_nodes, dataset, duplicates)
    table.meta.update({"source": str(Path(path).resolve()), "sources": {}})
    return table, space


def save_user_table(table: BenchmarkTable, space: GenericSpace) -> None:
    """Write a prepared user benchmark to a fresh directory, then register it (the commit)."""
    previous = user_entry(table.name)
    directory = f"{table.name}-{uuid.uuid4().hex[:12]}"
    table.save(user_dir() / directory)
    write_entry(
        table.name,
        {
            "space": {"ops": list(space.inner_ops or ()), "max_nodes": space.max_nodes},
            "directory": directory,
            "source": table.meta["source"],
        },
    )
    if previous is not None:
        shutil.rmtree(user_dir() / previous["directory"], ignore_errors=True)


def import_graphs(
    path: str | Path,
    name: str,
    ops: list[str] | None = None,
    max_nodes: int | None = None,
    dataset: str = "default",
    duplicates: str = "error",
) -> BenchmarkTable:
    """Import a JSON-lines graph file as user benchmark ``name`` (replacing an older one);
    ``duplicates``: error, first or mean (see the module docstring)."""
    table, space = prepare_graphs(path, name, ops, max_nodes, dataset, duplicates)
    save_user_table(table, space)
    return table


def load_user_table(name: str) -> BenchmarkTable | None:
    """The table of user benchmark ``name``, or None when no such benchmark was imported."""
    entry = user_entry(name)
    if entry is None:
        return None
    directory = user_dir() / entry["directory"]
    table = BenchmarkTable.load(directory, name)
    if "groups" not in table.meta:  # imported before the look-up grid existed
        table.save(directory)
    return table


def record_count(bench: StoredBenchmark, arch_id: str) -> int | None:
    """How many lines were averaged into ``arch_id``'s values, for a benchmark imported with
    ``duplicates="mean"``; None for any other benchmark."""
    if bench.meta.get("duplicates") != "mean":
        return None
    archs = read_parquet(bench.directory / f"{bench.name}.archs.parquet")
    if RECORD_COUNT not in archs.columns:
        raise CorruptFileError(
            f"benchmark {bench.name!r} lacks its {RECORD_COUNT} column; re-run its import"
        )
    counts = archs.loc[archs["arch"] == arch_id, RECORD_COUNT]
    return int(counts.iloc[0]) if len(counts) else None
