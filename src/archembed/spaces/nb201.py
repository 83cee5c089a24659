"""NAS-Bench-201 / NATS-Bench topology space: 5 ops on the 6 edges of a 4-node cell.

Each edge becomes a vertex of an 8-node op-on-node graph (input, six edge vertices in the
order of the official string, output), as arch2vec does.
"""

from __future__ import annotations

import itertools
import re

import numpy as np

from archembed.errors import InvalidArchitectureError
from archembed.graph import ArchGraph
from archembed.spaces.base import SearchSpace, register_space

NB201_OPS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
"""Edge ops in NAS-Bench-201's own index order (used by op codes like ``"012340"``)."""

NASLIB_OPS = ("skip_connect", "none", "nor_conv_3x3", "nor_conv_1x1", "avg_pool_3x3")
"""NASLib's op indices for this space."""

EDGES = ((0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3))
"""Cell edges (from, to) in the order they appear in the official string."""

NASLIB_EDGES = ((0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3))
"""NASLib's edge order, (1,2),(1,3),(1,4),(2,3),(2,4),(3,4) in its 1-based node numbering."""

_NASLIB_TO_STRING = [EDGES.index(e) for e in NASLIB_EDGES]


def _edge_graph_adjacency() -> np.ndarray:
    adj = np.zeros((8, 8), dtype=np.uint8)
    for a, (src, dst) in enumerate(EDGES, start=1):
        if src == 0:
            adj[0, a] = 1
        if dst == 3:
            adj[a, 7] = 1
        for b, (src_b, _) in enumerate(EDGES, start=1):
            if src_b == dst:
                adj[a, b] = 1
    adj.setflags(write=False)
    return adj


ADJACENCY = _edge_graph_adjacency()
_STRING_RE = re.compile(
    r"^\|([a-z0-9_]+)~(\d)\|\+\|([a-z0-9_]+)~(\d)\|([a-z0-9_]+)~(\d)\|\+"
    r"\|([a-z0-9_]+)~(\d)\|([a-z0-9_]+)~(\d)\|([a-z0-9_]+)~(\d)\|$"
)
_EXPECTED_SOURCES = (0, 0, 1, 0, 1, 2)


def graph_from_edge_ops(edge_ops: tuple[str, ...] | list[str]) -> ArchGraph:
    """The 8-node graph of a cell given its six edge ops in string order."""
    return ArchGraph.from_trusted(ADJACENCY, ("input", *edge_ops, "output"))


@register_space("nb201")
class NB201Space(SearchSpace):
    """15,625 cells; native format ``|op~0|+|op~0|op~1|+|op~0|op~1|op~2|``."""

    name = "nb201"
    ops = ("input", *NB201_OPS, "output")
    max_nodes = 8
    max_path_length = 3
    size = len(NB201_OPS) ** 6

    def edge_ops(self, graph: ArchGraph) -> tuple[str, ...]:
        """The six edge ops of a cell, in string order."""
        self.check(graph)
        return graph.ops[1:7]

    def is_valid(self, graph: ArchGraph) -> bool:
        return (
            graph.n_nodes == 8
            and graph.ops[0] == "input"
            and graph.ops[7] == "output"
            and all(op in NB201_OPS for op in graph.ops[1:7])
            and np.array_equal(graph.adj, ADJACENCY)
        )

    def sample(self, n: int, rng: np.random.Generator) -> list[ArchGraph]:
        codes = rng.integers(len(NB201_OPS), size=(n, 6))
        return [graph_from_edge_ops([NB201_OPS[c] for c in row]) for row in codes]

    def enumerate(self) -> list[ArchGraph]:
        """All cells in op-code order (``000000``, ``000001``, ...; NB201_OPS indices)."""
        return [graph_from_edge_ops(ops) for ops in itertools.product(NB201_OPS, repeat=6)]

    def neighbours(self, graph: ArchGraph) -> list[ArchGraph]:
        ops = list(self.edge_ops(graph))
        out = []
        for pos, current in enumerate(ops):
            for op in NB201_OPS:
                if op != current:
                    out.append(graph_from_edge_ops([*ops[:pos], op, *ops[pos + 1 :]]))
        return out

    def identity(self, graph: ArchGraph) -> str:
        """Benchmarks store every string separately (isomorphic cells were trained apart)."""
        return graph.exact_key

    def to_native(self, graph: ArchGraph) -> str:
        ops = self.edge_ops(graph)
        return "|{}~0|+|{}~0|{}~1|+|{}~0|{}~1|{}~2|".format(*ops)

    def from_native(self, text: str) -> ArchGraph:
        match = _STRING_RE.match(text.strip())
        if not match:
            raise InvalidArchitectureError(
                f"not an NB201 architecture string: {text!r}; expected "
                "'|op~0|+|op~0|op~1|+|op~0|op~1|op~2|' with ops " + ", ".join(NB201_OPS)
            )
        parts = match.groups()
        ops, sources = parts[0::2], tuple(int(s) for s in parts[1::2])
        if sources != _EXPECTED_SOURCES:
            raise InvalidArchitectureError(
                f"NB201 string {text!r} has input indices {sources}, expected {_EXPECTED_SOURCES}"
            )
        unknown = [op for op in ops if op not in NB201_OPS]
        if unknown:
            raise InvalidArchitectureError(
                f"unknown NB201 op {unknown[0]!r}; known ops: {', '.join(NB201_OPS)}"
            )
        return graph_from_edge_ops(ops)

    def to_naslib(self, graph: ArchGraph) -> tuple[int, ...]:
        """NASLib's 6-tuple of op indices (its op and edge order)."""
        ops = self.edge_ops(graph)
        return tuple(NASLIB_OPS.index(ops[s]) for s in _NASLIB_TO_STRING)

    def from_naslib(self, codes: tuple[int, ...] | list[int] | str) -> ArchGraph:
        """Inverse of :meth:`to_naslib`; accepts the tuple or its text ``"(4, 0, 3, 1, 4, 3)"``."""
        if isinstance(codes, str):
            try:
                codes = [int(c) for c in codes.strip("()[] ").split(",")]
            except ValueError:
                raise InvalidArchitectureError(f"not a NASLib NB201 tuple: {codes!r}") from None
        if len(codes) != 6 or not all(0 <= int(c) < len(NASLIB_OPS) for c in codes):
            raise InvalidArchitectureError(
                f"a NASLib NB201 tuple has 6 op indices in 0..4, got {tuple(codes)}"
            )
        ops = [""] * 6
        for naslib_pos, string_pos in enumerate(_NASLIB_TO_STRING):
            ops[string_pos] = NASLIB_OPS[int(codes[naslib_pos])]
        return graph_from_edge_ops(ops)

    def from_op_code(self, code: str) -> ArchGraph:
        """Cell from a 6-digit code of NB201_OPS indices in string order (``"012340"``)."""
        if len(code) != 6 or not all(c in "01234" for c in code):
            raise InvalidArchitectureError(f"an NB201 op code has 6 digits in 0..4, got {code!r}")
        return graph_from_edge_ops([NB201_OPS[int(c)] for c in code])
