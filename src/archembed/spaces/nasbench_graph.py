"""NAS-Bench-Graph: the 26,206 GNN architectures of the ``nas_bench_graph`` package.

An architecture has 4 computing nodes; ``link[i]`` is the input of node ``i`` (0 = the raw
input, k = computing node k) and ``ops[i]`` its GNN layer. Nodes without successors feed the
output. As an op-on-node ArchGraph (6 vertices): vertex 0 is the input, vertex ``i + 1`` is
computing node ``i`` (op ``ops[i]``, one edge from vertex ``link[i]``), vertex 5 the output,
fed by every leaf.

Many (link, ops) pairs describe the same network (node order, and skip layers that only move
data); the package maps each to one canonical pair and its integer hash (``Arch.valid_hash``),
and its enumeration (``all_archs``) lists the 26,206 canonical pairs. Graphs made by this space
are canonical; ``identity`` is the package's hash, so any valid (link, ops) finds its entry.
Native format: ``{"link": [0, 0, 1, 2], "ops": ["cheb", "graph", "cheb", "gin"]}``.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from nas_bench_graph.architecture import Arch, all_archs, gnn_list, link_list

from archembed.errors import InvalidArchitectureError
from archembed.graph import ArchGraph
from archembed.spaces.base import SearchSpace, parse_json, register_space

NBG_OPS = tuple(gnn_list)
"""Layer choices, in the package's order (its hash digits index this list)."""
N_LAYERS = 4
SIZE = 26206
_HASH_BASE = len(NBG_OPS) + 1

Layout = tuple[tuple[int, ...], tuple[str, ...]]


@lru_cache(maxsize=64)
def _link_adjacency(link: tuple[int, ...]) -> np.ndarray:
    adj = np.zeros((N_LAYERS + 2, N_LAYERS + 2), dtype=np.uint8)
    for node, source in enumerate(link):
        adj[source, node + 1] = 1
    has_child = adj[1 : N_LAYERS + 1, 1 : N_LAYERS + 1].any(axis=1)
    adj[1 : N_LAYERS + 1, N_LAYERS + 1] = ~has_child
    adj.setflags(write=False)
    return adj


def graph_from_layout(link: Sequence[int], ops: Sequence[str]) -> ArchGraph:
    """The 6-vertex graph of a (link, ops) pair (not canonicalised)."""
    return ArchGraph.from_trusted(_link_adjacency(tuple(link)), ("input", *ops, "output"))


def check_layout(link: Sequence[object], ops: Sequence[object]) -> Layout:
    """Validate a (link, ops) pair; raise InvalidArchitectureError saying what is wrong."""
    if len(link) != N_LAYERS or len(ops) != N_LAYERS:
        raise InvalidArchitectureError(
            f"a NAS-Bench-Graph architecture has {N_LAYERS} links and {N_LAYERS} ops"
        )
    for node, source in enumerate(link):
        if not isinstance(source, int) or isinstance(source, bool) or not 0 <= source <= node:
            raise InvalidArchitectureError(
                f"link[{node}] must be an input index in 0..{node}, got {source!r}"
            )
    unknown = [op for op in ops if op not in NBG_OPS]
    if unknown:
        raise InvalidArchitectureError(
            f"unknown NAS-Bench-Graph op {unknown[0]!r}; known ops: {', '.join(NBG_OPS)}"
        )
    if all(op == "skip" for op in ops):
        raise InvalidArchitectureError("an architecture of only skip layers is not in the space")
    return tuple(link), tuple(ops)  # type: ignore[arg-type]


def package_hash(link: Sequence[int], ops: Sequence[str]) -> int:
    """The package's canonical hash of a valid (link, ops) pair (its benchmark key)."""
    return int(Arch(list(link), list(ops)).valid_hash())


def layout_from_hash(value: int) -> Layout:
    """The canonical (link, ops) pair encoded by a package hash."""
    digits = []
    for _ in range(N_LAYERS):
        value, digit = divmod(value, _HASH_BASE)
        digits.append(digit)
    return tuple(link_list[value]), tuple(NBG_OPS[d] for d in reversed(digits))


def layout_from_graph(graph: ArchGraph) -> Layout | None:
    """The (link, ops) pair of a graph of this space, or None when it is not one."""
    n = N_LAYERS + 2
    if graph.n_nodes != n or graph.ops[0] != "input" or graph.ops[-1] != "output":
        return None
    link = []
    for vertex in range(1, n - 1):
        preds = np.flatnonzero(graph.adj[:, vertex])
        if len(preds) != 1:
            return None
        link.append(int(preds[0]))
    ops = graph.ops[1:-1]
    try:
        layout = check_layout(link, ops)
    except InvalidArchitectureError:
        return None
    return layout if graph_from_layout(*layout) == graph else None


@lru_cache(maxsize=1)
def _enumeration() -> tuple[tuple[ArchGraph, ...], dict[str, int]]:
    """All canonical graphs in the package's order, and exact_key -> package hash."""
    with contextlib.redirect_stdout(io.StringIO()):  # all_archs() prints its count
        archs = all_archs()
    graphs, ids = [], {}
    for arch in archs:
        graph = graph_from_layout(arch.link, arch.ops)
        graphs.append(graph)
        ids[graph.exact_key] = int(arch.hash_arch())  # canonical already: no valid_hash needed
    return tuple(graphs), ids


@register_space("nasbench_graph")
class NasBenchGraphSpace(SearchSpace):
    """26,206 GNN architectures (4 layers + links); native format JSON ``{"link", "ops"}``."""

    name = "nasbench_graph"
    ops = ("input", *NBG_OPS, "output")
    max_nodes = N_LAYERS + 2
    size = SIZE

    def layout(self, graph: ArchGraph) -> Layout:
        """(link, ops) of a graph of this space."""
        known = _enumeration()[1].get(graph.exact_key)
        if known is not None:
            return layout_from_hash(known)
        layout = layout_from_graph(graph)
        if layout is None:
            raise InvalidArchitectureError(
                "architecture is not a NAS-Bench-Graph graph (6 vertices: input, 4 layers with "
                "one input each, output fed by the leaves)"
            )
        return layout

    def canonical(self, link: Sequence[int], ops: Sequence[str]) -> ArchGraph:
        """The canonical graph of any valid (link, ops) pair."""
        return graph_from_layout(*layout_from_hash(package_hash(*check_layout(link, ops))))

    def is_valid(self, graph: ArchGraph) -> bool:
        return layout_from_graph(graph) is not None

    def enumerate(self) -> list[ArchGraph]:
        """The 26,206 canonical architectures, in the package's enumeration order."""
        return list(_enumeration()[0])

    def sample(self, n: int, rng: np.random.Generator) -> list[ArchGraph]:
        """Uniform over the 26,206 architectures."""
        graphs = _enumeration()[0]
        return [graphs[i] for i in rng.integers(len(graphs), size=n)]

    def neighbours(self, graph: ArchGraph) -> list[ArchGraph]:
        """Canonical architectures one change away: another op or another input of one layer."""
        link, ops = self.layout(graph)
        variants: list[tuple[tuple[int, ...], tuple[str, ...]]] = []
        for node in range(N_LAYERS):
            for op in NBG_OPS:
                if op != ops[node]:
                    variants.append((link, (*ops[:node], op, *ops[node + 1 :])))
            for source in range(node + 1):
                if source != link[node]:
                    variants.append(((*link[:node], source, *link[node + 1 :]), ops))
        own = self.identity(graph)
        seen: dict[int, None] = {}
        for new_link, new_ops in variants:
            if all(op == "skip" for op in new_ops):
                continue
            value = package_hash(new_link, new_ops)
            if str(value) != own:
                seen[value] = None
        return [graph_from_layout(*layout_from_hash(v)) for v in seen]

    def identity(self, graph: ArchGraph) -> str:
        """The package's hash (its benchmark key), shared by all equivalent (link, ops) pairs."""
        known = _enumeration()[1].get(graph.exact_key)
        if known is not None:
            return str(known)
        return str(package_hash(*self.layout(graph)))

    def to_native(self, graph: ArchGraph) -> str:
        link, ops = self.layout(graph)
        return json.dumps({"link": list(link), "ops": list(ops)})

    def from_native(self, text: str) -> ArchGraph:
        """Parse ``{"link": [...], "ops": [...]}``; returns the canonical graph."""
        example = '{"link": [0, 0, 1, 2], "ops": ["gcn", "gat", "gin", "skip"]}'
        data = parse_json(text, "a NAS-Bench-Graph architecture", example)
        if not isinstance(data, dict) or not {"link", "ops"} <= set(data):
            raise InvalidArchitectureError(
                f"not a NAS-Bench-Graph architecture: {text[:60]!r}; expected {example}"
            )
        link, ops = data["link"], data["ops"]
        if not isinstance(link, list) or not isinstance(ops, list):
            raise InvalidArchitectureError('"link" and "ops" must be lists')
        return self.canonical(link, ops)
