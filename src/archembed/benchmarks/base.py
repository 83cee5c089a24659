"""Benchmark: a results table plus its search space, queried by architecture."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from archembed.benchmarks.groups import GroupIndex
from archembed.benchmarks.table import BenchmarkTable
from archembed.errors import InvalidArchitectureError, UnknownNameError
from archembed.graph import ArchGraph
from archembed.spaces.base import SearchSpace, get_space

TRAIN_TIME = "train_time"
"""Metric holding training seconds; :meth:`Benchmark.cost` reads it."""


class Benchmark:
    """Vectorised look-ups of a :class:`BenchmarkTable` by ArchGraph.

    Metric, split, epoch and seed are always explicit: ``epoch=None`` is accepted only when the
    metric exists at a single epoch, ``seed=None`` means the mean over training seeds.
    An unavailable combination raises UnknownNameError; it is never mapped onto another one.
    """

    def __init__(self, table: BenchmarkTable, space: SearchSpace | None = None) -> None:
        self.table = table
        self.name = table.name
        self.space = space if space is not None else get_space(table.space)
        values = table.values
        self._groups = values.groupby(
            ["dataset", "metric", "epoch", "seed"], observed=True, sort=True
        ).indices
        self._arch_codes = values["arch"].cat.codes.to_numpy()
        self._arch_names = values["arch"].cat.categories
        self._value_array = values["value"].to_numpy()
        self.index = GroupIndex(self.name, ((k, len(v)) for k, v in self._groups.items()))
        self._lookups: dict[tuple[str, str, int, int], tuple[pd.Index, np.ndarray]] = {}
        self._native = dict(zip(table.archs["arch"], table.archs["native"]))

    def __repr__(self) -> str:
        return f"Benchmark({self.name!r}, space={self.space.name!r}, archs={len(self._native)})"

    def datasets(self) -> list[str]:
        return self.index.datasets()

    def metrics(self, dataset: str) -> list[str]:
        return self.index.metrics(dataset)

    def epochs(self, dataset: str, metric: str) -> list[int]:
        """Epochs at which ``metric`` exists (-1 for epoch-independent quantities)."""
        return self.index.epochs(dataset, metric)

    def seeds(self, dataset: str, metric: str, epoch: int) -> list[int]:
        """Training seeds stored for a metric (-1 is the seed mean)."""
        return self.index.seeds(dataset, metric, epoch)

    def describe(self) -> list[dict[str, object]]:
        """One row per dataset/metric: epochs, seeds and number of architectures."""
        return self.index.describe()

    def resolve(
        self, dataset: str, metric: str, epoch: int | None = None, seed: int | None = None
    ) -> tuple[str, str, int, int]:
        """Validate a (dataset, metric, epoch, seed) request and fill in the unambiguous parts."""
        return self.index.resolve(dataset, metric, epoch, seed)

    def _lookup(self, request: tuple[str, str, int, int]) -> tuple[pd.Index, np.ndarray]:
        if request not in self._lookups:
            rows = self._groups[request]
            index = pd.Index(self._arch_names[self._arch_codes[rows]])
            self._lookups[request] = (index, self._value_array[rows])
        return self._lookups[request]

    def query(
        self,
        graphs: Sequence[ArchGraph],
        dataset: str,
        metric: str = "val_acc",
        epoch: int | None = None,
        seed: int | None = None,
    ) -> np.ndarray:
        """Values for ``graphs`` (float64 array); an architecture without a value is an error."""
        index, values = self._lookup(self.resolve(dataset, metric, epoch, seed))
        ids = [self.space.identity(g) for g in graphs]
        positions = index.get_indexer(ids)
        if (positions < 0).any():
            raise self.index.missing_error(int((positions < 0).sum()), len(ids), dataset, metric)
        return values[positions]

    def has(
        self, graphs: Sequence[ArchGraph], dataset: str, metric: str, epoch: int | None = None
    ) -> np.ndarray:
        """Boolean mask: which graphs have a value for this metric."""
        index, _ = self._lookup(self.resolve(dataset, metric, epoch))
        return index.get_indexer([self.space.identity(g) for g in graphs]) >= 0

    def cost(self, graphs: Sequence[ArchGraph], dataset: str) -> np.ndarray:
        """Training seconds of ``graphs``; an error when the benchmark records no training time."""
        if TRAIN_TIME not in self.metrics(dataset):
            raise UnknownNameError(
                f"training-time metric of {self.name}/{dataset} (no cost known; "
                "use a query budget)",
                TRAIN_TIME,
                [],
            )
        return self.query(graphs, dataset, TRAIN_TIME, epoch=None)

    def labels(
        self,
        dataset: str,
        metric: str = "val_acc",
        epoch: int | None = None,
        seed: int | None = None,
    ) -> tuple[list[ArchGraph], np.ndarray]:
        """All architectures with a value for the request, and the values, in table order."""
        index, values = self._lookup(self.resolve(dataset, metric, epoch, seed))
        return [self.graph(arch_id) for arch_id in index], values.copy()

    def graph(self, arch_id: str) -> ArchGraph:
        """The ArchGraph stored under an arch id."""
        try:
            native = self._native[arch_id]
        except KeyError:
            raise InvalidArchitectureError(
                f"benchmark {self.name!r} has no arch {arch_id!r}"
            ) from None
        return self.space.from_stored(arch_id, native)

    def graphs(self) -> list[ArchGraph]:
        """Every architecture of the table."""
        archs = self.table.archs
        return [self.space.from_stored(a, n) for a, n in zip(archs["arch"], archs["native"])]
