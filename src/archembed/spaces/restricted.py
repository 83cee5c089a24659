"""A search space limited to a fixed list of architectures (e.g. those a benchmark labels).

:class:`BenchmarkSpace` is the finite space of an imported benchmark's own cells, read from the
benchmark's table the first time they are needed (so naming the space costs nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any

import numpy as np

from archembed.errors import InvalidArchitectureError
from archembed.graph import ArchGraph
from archembed.spaces.base import SearchSpace


class RestrictedSpace(SearchSpace):
    """A space limited to a fixed list of architectures (e.g. those a benchmark has labels for).

    Sampling is uniform over the list, ``neighbours`` keeps only listed architectures;
    everything else (native format, identity, ops) is the base space's.
    """

    def __init__(self, base: SearchSpace, graphs: Sequence[ArchGraph]) -> None:
        self.base = base
        self.name = base.name
        self.ops = base.ops
        self.max_nodes = base.max_nodes
        self._graphs = list(graphs)
        self._ids = {base.identity(g): i for i, g in enumerate(self._graphs)}
        self.size = len(self._ids)

    def __getattr__(self, name: str) -> Any:
        if name == "base":
            raise AttributeError(name)
        return getattr(self.base, name)

    def __getstate__(self) -> dict[str, Any]:
        return self.__dict__

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def sample(self, n: int, rng: np.random.Generator) -> list[ArchGraph]:
        return [self._graphs[i] for i in rng.integers(len(self._graphs), size=n)]

    def is_valid(self, graph: ArchGraph) -> bool:
        return self.base.is_valid(graph) and self.base.identity(graph) in self._ids

    @cached_property
    def _neighbour_cache(self) -> dict[str, list[ArchGraph]]:
        return {}

    def neighbours(self, graph: ArchGraph) -> list[ArchGraph]:
        """The listed architectures one edit away; remembered per architecture, since edit
        search on a sparse list asks again for the same parents (large graphs have hundreds
        of candidate edits, each hashed)."""
        key = self.base.identity(graph)
        if key not in self._neighbour_cache:
            self._neighbour_cache[key] = [
                g for g in self.base.neighbours(graph) if self.base.identity(g) in self._ids
            ]
        return list(self._neighbour_cache[key])

    def enumerate(self) -> list[ArchGraph]:
        return list(self._graphs)

    def identity(self, graph: ArchGraph) -> str:
        return self.base.identity(graph)

    def to_native(self, graph: ArchGraph) -> str:
        return self.base.to_native(graph)

    def from_native(self, text: str) -> ArchGraph:
        return self.base.from_native(text)

    def from_stored(self, arch_id: str, native: str) -> ArchGraph:
        return self.base.from_stored(arch_id, native)

    def index(self, graph: ArchGraph) -> int:
        """Position of ``graph`` in the list (InvalidArchitectureError when absent)."""
        try:
            return self._ids[self.base.identity(graph)]
        except KeyError:
            raise InvalidArchitectureError(
                f"architecture {self.base.to_native(graph)} is outside the searched set"
            ) from None


class BenchmarkSpace(RestrictedSpace):
    """The architectures of one benchmark as a finite space, read on first use by ``load``.

    ``load`` returns the architectures by identity, in the benchmark's order; it must be
    picklable (a module-level function or a partial of one): the space travels to workers.
    """

    def __init__(self, base: SearchSpace, load: Callable[[], dict[str, ArchGraph]]) -> None:
        self.base = base
        self.name = base.name
        self.ops = base.ops
        self.max_nodes = base.max_nodes
        self._load = load

    @cached_property
    def _cells(self) -> dict[str, ArchGraph]:
        return self._load()

    @cached_property
    def _graphs(self) -> list[ArchGraph]:
        return list(self._cells.values())

    @cached_property
    def _ids(self) -> dict[str, int]:
        return {arch_id: i for i, arch_id in enumerate(self._cells)}

    @cached_property
    def max_path_length(self) -> int:
        """Inner vertices on the longest path of any cell: GATES stacks one flow pass per hop,
        so a benchmark of 23-vertex cells whose paths have at most 12 hops gets 12, not 22."""
        return max(1, max(graph.longest_path() for graph in self._graphs) - 1)

    @property
    def size(self) -> int:  # type: ignore[override]
        """Number of architectures (reads the benchmark's cells)."""
        return len(self._cells)

    def mutate(self, graph: ArchGraph, rng: np.random.Generator) -> ArchGraph:
        """A random neighbour among the cells; a cell with none gets one of the base space (a
        graph one edit away, outside the benchmark), so edit-based sampling never stalls."""
        options = self.neighbours(graph)
        if options:
            return options[int(rng.integers(len(options)))]
        return self.base.mutate(graph, rng)
