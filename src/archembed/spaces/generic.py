"""A user-defined op-on-node space: any DAG from an input to an output over an op vocabulary.

The native format is JSON ``{"adjacency": [[0, 1], [0, 0]], "ops": ["input", "output"]}``;
vertices may be listed in any order as long as the graph is acyclic, the first is the input and
the last the output (they are renumbered in topological order). ``identity`` is the
isomorphism-invariant ``key``: isomorphic graphs are one architecture.

``GenericSpace()`` accepts any op names and sizes; ``GenericSpace(ops, max_nodes)`` restricts
both (and is needed to sample). :func:`user_space` finds the space of a benchmark made by
``archembed data import-graphs`` by its name: the finite space of the benchmark's own cells.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Sequence
from functools import partial

import numpy as np

from archembed.errors import ConfigError, DataNotFoundError, InvalidArchitectureError
from archembed.graph import ArchGraph
from archembed.spaces.base import SearchSpace, parse_json, register_space
from archembed.spaces.restricted import BenchmarkSpace
from archembed.user_registry import user_entry

RESERVED_OPS = ("input", "output")
SPACE_FILE_SUFFIXES = (".yaml", ".yml")
"""A space name ending so is a YAML file describing the space (see :mod:`.described`)."""


def _topological_order(matrix: np.ndarray) -> list[int]:
    """Vertex order with input first, output last, earlier indices first among ready vertices."""
    n = matrix.shape[0]
    if matrix[:, 0].any():
        raise InvalidArchitectureError("the input (first vertex) has incoming edges")
    if matrix[n - 1, :].any():
        raise InvalidArchitectureError("the output (last vertex) has outgoing edges")
    indegree = matrix.sum(axis=0).astype(int)
    ready = [v for v in range(n - 1) if indegree[v] == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        v = heapq.heappop(ready)
        order.append(v)
        for w in np.flatnonzero(matrix[v]):
            indegree[w] -= 1
            if indegree[w] == 0 and w != n - 1:
                heapq.heappush(ready, int(w))
    if len(order) != n - 1 or indegree[n - 1] != 0:
        stuck = sorted(set(range(n)) - set(order) - {n - 1})
        raise InvalidArchitectureError(f"the graph has a cycle through vertices {stuck}")
    return [*order, n - 1]


def graph_from_record(record: object) -> ArchGraph:
    """An ArchGraph from ``{"adjacency": [[...]], "ops": [...]}`` with vertices in any DAG order."""
    if not isinstance(record, dict) or "adjacency" not in record or "ops" not in record:
        raise InvalidArchitectureError(
            'an architecture needs "adjacency" (list of 0/1 rows) and "ops" (list of op names)'
        )
    ops = record["ops"]
    if not isinstance(ops, list) or not all(isinstance(o, str) for o in ops):
        raise InvalidArchitectureError('"ops" must be a list of op names')
    try:
        matrix = np.asarray(record["adjacency"], dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidArchitectureError('"adjacency" must be a square list of 0/1 rows') from None
    n = len(ops)
    if matrix.shape != (n, n):
        raise InvalidArchitectureError(
            f'"adjacency" has shape {matrix.shape} but there are {n} ops; give one row and one '
            "column per op"
        )
    if n < 2 or ops[0] != "input" or ops[-1] != "output":
        raise InvalidArchitectureError('"ops" must start with "input" and end with "output"')
    misplaced = [o for o in ops[1:-1] if o in RESERVED_OPS]
    if misplaced:
        raise InvalidArchitectureError(f"inner vertices cannot be {misplaced[0]!r}")
    if not np.isin(matrix, (0.0, 1.0)).all():
        raise InvalidArchitectureError('"adjacency" entries must be 0 or 1')
    if np.diag(matrix).any():
        raise InvalidArchitectureError("the graph has a cycle: a vertex has an edge to itself")
    order = _topological_order(matrix)
    return ArchGraph(matrix[np.ix_(order, order)], [ops[v] for v in order])


@register_space("generic")
class GenericSpace(SearchSpace):
    """DAGs over an op vocabulary (``inner_ops``) with at most ``max_nodes`` vertices."""

    name = "generic"

    def __init__(
        self,
        ops: Sequence[str] | None = None,
        max_nodes: int | None = None,
        name: str = "generic",
    ) -> None:
        inner = (
            None if ops is None else tuple(dict.fromkeys(o for o in ops if o not in RESERVED_OPS))
        )
        if max_nodes is not None and max_nodes < 2:
            raise ConfigError(f"max_nodes must be at least 2 (input and output), got {max_nodes}")
        self.name = name
        self.inner_ops = inner
        self.ops = ("input", *(inner or ()), "output")
        self.max_nodes = max_nodes or 0

    def problem(self, graph: ArchGraph) -> str | None:
        """Why ``graph`` is not in this space, or None when it is."""
        if graph.ops[0] != "input" or graph.ops[-1] != "output":
            return 'the first op must be "input" and the last "output"'
        if self.max_nodes and graph.n_nodes > self.max_nodes:
            return f"{graph.n_nodes} vertices, more than the space's maximum of {self.max_nodes}"
        for op in graph.ops[1:-1]:
            if op in RESERVED_OPS or (self.inner_ops is not None and op not in self.inner_ops):
                known = ", ".join(self.inner_ops or ())
                return f"unknown op {op!r}; the space's ops are: {known}"
        if not graph.is_connected():
            return "no path leads from the input to the output"
        return None

    def is_valid(self, graph: ArchGraph) -> bool:
        return self.problem(graph) is None

    def check(self, graph: ArchGraph) -> ArchGraph:
        problem = self.problem(graph)
        if problem is not None:
            raise InvalidArchitectureError(f"not in search space {self.name!r}: {problem}")
        return graph

    def _require_bounds(self) -> tuple[tuple[str, ...], int]:
        if not self.inner_ops or not self.max_nodes:
            raise ConfigError(
                f"search space {self.name!r} has no op vocabulary or maximum size; create it "
                "with GenericSpace(ops=[...], max_nodes=N) to sample or edit architectures"
            )
        return self.inner_ops, self.max_nodes

    def sample(self, n: int, rng: np.random.Generator) -> list[ArchGraph]:
        """Random DAGs: size uniform in 2..max_nodes, ops uniform, each forward edge with p=1/2;
        graphs without an input-output path are redrawn, dead vertices pruned."""
        inner_ops, max_nodes = self._require_bounds()
        graphs = []
        while len(graphs) < n:
            size = int(rng.integers(2, max_nodes + 1))
            adj = np.triu(rng.integers(0, 2, size=(size, size)), k=1)
            ops = ["input", *(inner_ops[i] for i in rng.integers(len(inner_ops), size=size - 2))]
            graph = ArchGraph(adj, [*ops, "output"])
            if graph.is_connected():
                graphs.append(graph.prune())
        return graphs

    def neighbours(self, graph: ArchGraph) -> list[ArchGraph]:
        """Valid graphs one edit away: flip an edge, change an op, remove a vertex, or add a
        vertex (any op) fed by one existing vertex and feeding the output."""
        inner_ops, max_nodes = self._require_bounds()
        self.check(graph)
        n = graph.n_nodes
        candidates = [graph.flip_edge(i, j) for i in range(n) for j in range(i + 1, n)]
        for v in range(1, n - 1):
            candidates += [graph.set_op(v, op) for op in inner_ops if op != graph.ops[v]]
            candidates.append(graph.remove_node(v))
        if n < max_nodes:
            for op in inner_ops:
                candidates += [graph.add_node(op, [p], [n - 1]) for p in range(n - 1)]
        unique = {c.exact_key: c for c in candidates if c != graph and self.is_valid(c)}
        return list(unique.values())

    def to_native(self, graph: ArchGraph) -> str:
        return json.dumps(graph.to_dict(), separators=(",", ":"))

    def from_native(self, text: str) -> ArchGraph:
        example = '{"adjacency": [[0, 1], [0, 0]], "ops": ["input", "output"]}'
        record = parse_json(text, f"an architecture of {self.name!r}", example)
        return self.check(graph_from_record(record))


def stored_cells(name: str) -> dict[str, ArchGraph]:
    """The architectures of user benchmark ``name`` by identity, read from its archs table (the
    stored id is the graph's key, so no key is computed again)."""
    from archembed.io import read_parquet
    from archembed.user_registry import user_dir

    entry = user_entry(name)
    if entry is None:
        raise DataNotFoundError(
            f"benchmark {name!r} is no longer imported; run `archembed data import-graphs` again"
        )
    archs = read_parquet(user_dir() / entry["directory"] / f"{name}.archs.parquet")
    cells = {}
    for arch_id, native in zip(archs["arch"], archs["native"], strict=True):
        graph = ArchGraph.from_dict(json.loads(native))
        cells[arch_id] = ArchGraph.from_trusted(graph.adj, graph.ops, arch_id)
    return cells


def user_space(name: str) -> SearchSpace | None:
    """The space of ``name``: the finite space of a user benchmark's own cells (imported by
    ``archembed data import-graphs``), the space a YAML file describes, or None."""
    if name.endswith(SPACE_FILE_SUFFIXES):
        from archembed.spaces.described import read_space_file

        return read_space_file(name)
    entry = user_entry(name)
    if entry is None:
        return None
    spec = entry["space"]
    base = GenericSpace(spec["ops"], spec["max_nodes"], name=name)
    return BenchmarkSpace(base, partial(stored_cells, name))
