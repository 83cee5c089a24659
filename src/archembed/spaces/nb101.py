"""NAS-Bench-101 space: cells of <= 7 vertices and <= 9 edges with three ops on inner vertices.

Graphs are kept pruned, as NAS-Bench-101 stores them (every vertex on an input-to-output path),
so ``graph.key`` is the official module hash. The native format is JSON
``{"adjacency": [[...]], "ops": ["input", ..., "output"]}``; like NAS-Bench-101's ``ModelSpec``
it accepts an unpruned 7-vertex spec and prunes it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np

from archembed.errors import InvalidArchitectureError, UnknownNameError
from archembed.graph import ArchGraph
from archembed.spaces.base import SearchSpace, parse_json, register_space
from archembed.spaces.nb101_cells import (
    INNER_OPS,
    MAX_EDGES,
    MAX_VERTICES,
    N_CELLS,
    NB101Cells,
    load_cells,
)

SAMPLING = ("specs", "cells")
NATIVE_EXAMPLE = '{"adjacency": [[0, 1], [0, 0]], "ops": ["input", "output"]}'


@register_space("nb101")
class NB101Space(SearchSpace):
    """The 423,624 unique NAS-Bench-101 cells.

    ``sampling="specs"`` (default) draws like NAS-Bench-101's random search: a random 7x7
    upper-triangular matrix and random ops, pruned, redrawn until valid (uniform over valid
    specs, so cells with many equivalent specs come up more often). ``sampling="cells"`` draws
    uniformly over the 423,624 cells (needs the cached enumeration).
    """

    name = "nb101"
    ops = ("input", *INNER_OPS, "output")
    max_nodes = MAX_VERTICES
    max_edges = MAX_EDGES
    size = N_CELLS

    def __init__(self, sampling: str = "specs") -> None:
        if sampling not in SAMPLING:
            raise UnknownNameError("nb101 sampling mode", sampling, SAMPLING)
        self.sampling = sampling

    def problem(self, graph: ArchGraph) -> str | None:
        """Why ``graph`` is not a (pruned) NAS-Bench-101 cell, or None when it is one."""
        return _spec_problem(graph) or _cell_problem(graph)

    def is_valid(self, graph: ArchGraph) -> bool:
        return self.problem(graph) is None

    def check(self, graph: ArchGraph) -> ArchGraph:
        reason = self.problem(graph)
        if reason is not None:
            raise InvalidArchitectureError(f"not a NAS-Bench-101 cell: {reason}")
        return graph

    def from_spec(
        self, adjacency: np.ndarray | Sequence[Sequence[int]], ops: Sequence[str]
    ) -> ArchGraph:
        """The pruned cell of a NAS-Bench-101 spec (adjacency + op names), or a fix-it error."""
        graph = ArchGraph(adjacency, ops)
        reason = _spec_problem(graph)
        if reason is not None:
            raise InvalidArchitectureError(f"not a NAS-Bench-101 cell: {reason}")
        return self.check(graph.prune())

    def to_native(self, graph: ArchGraph) -> str:
        return json.dumps(self.check(graph).to_dict(), separators=(",", ":"))

    def from_native(self, text: str) -> ArchGraph:
        data = parse_json(text, "a NAS-Bench-101 architecture", NATIVE_EXAMPLE)
        graph = ArchGraph.from_dict(data)  # type: ignore[arg-type]
        return self.from_spec(graph.adj, graph.ops)

    def from_stored(self, arch_id: str, native: str) -> ArchGraph:
        """A cell stored by a benchmark importer (validated on import): key attached, no rehash."""
        data = json.loads(native)
        adj = np.asarray(data["adjacency"], dtype=np.uint8)
        return ArchGraph.from_trusted(adj, tuple(data["ops"]), arch_id)

    def sample(self, n: int, rng: np.random.Generator) -> list[ArchGraph]:
        if self.sampling == "cells":
            return load_cells().graphs(rng.integers(N_CELLS, size=n))
        out: list[ArchGraph] = []
        rows, cols = np.triu_indices(MAX_VERTICES, k=1)
        while len(out) < n:
            adj = np.zeros((MAX_VERTICES, MAX_VERTICES), dtype=np.uint8)
            adj[rows, cols] = rng.integers(2, size=len(rows))
            inner = [INNER_OPS[i] for i in rng.integers(len(INNER_OPS), size=MAX_VERTICES - 2)]
            graph = ArchGraph(adj, ("input", *inner, "output")).prune()
            if self.is_valid(graph):
                out.append(graph)
        return out

    def enumerate(self) -> list[ArchGraph]:
        """Every cell, sorted by key (computed once, then read from the cache directory)."""
        return load_cells().graphs()

    def arrays(self) -> NB101Cells:
        """Every cell as arrays (adjacency, labels, keys) without building ArchGraphs."""
        return load_cells()

    def neighbours(self, graph: ArchGraph) -> list[ArchGraph]:
        """Cells one edit away: an edge flipped, an op changed, a vertex added or removed.

        An added vertex takes one existing vertex as input and feeds the output; every result
        is pruned, kept when valid, and deduplicated by key.
        """
        self.check(graph)
        n = graph.n_nodes
        candidates = [graph.flip_edge(i, j) for i in range(n) for j in range(i + 1, n)]
        for v in range(1, n - 1):
            candidates += [graph.set_op(v, op) for op in INNER_OPS if op != graph.ops[v]]
            candidates.append(graph.remove_node(v))
        if n < MAX_VERTICES:
            candidates += [
                graph.add_node(op, [p], [n - 1]) for op in INNER_OPS for p in range(n - 1)
            ]
        seen = {graph.key}
        out = []
        for candidate in candidates:
            pruned = candidate.prune()
            if self.is_valid(pruned) and pruned.key not in seen:
                seen.add(pruned.key)
                out.append(pruned)
        return out


def _spec_problem(graph: ArchGraph) -> str | None:
    """Size and op errors, which pruning cannot fix."""
    if graph.n_nodes > MAX_VERTICES:
        return f"it has {graph.n_nodes} vertices, more than {MAX_VERTICES}"
    if graph.ops[0] != "input" or graph.ops[-1] != "output":
        return 'the first op must be "input" and the last "output"'
    unknown = [op for op in graph.ops[1:-1] if op not in INNER_OPS]
    if unknown:
        return f"unknown op {unknown[0]!r} (inner ops: {', '.join(INNER_OPS)})"
    return None


def _cell_problem(graph: ArchGraph) -> str | None:
    """Connectivity and edge-count errors of a graph that should already be pruned."""
    if not graph.is_connected():
        return "no path leads from the input to the output"
    if not graph.live_mask().all():
        return "some vertices are not on an input-to-output path (prune it first)"
    if graph.n_edges > MAX_EDGES:
        return f"it has {graph.n_edges} edges, more than {MAX_EDGES} (after pruning)"
    return None
