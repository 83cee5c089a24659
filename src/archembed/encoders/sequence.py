"""Architectures as fixed-length token sequences for sequence models (the NAO controller).

Each position of a sequence admits only some tokens (a connection slot takes "0"/"1", an op
slot takes an op), so a decoder can mask its logits per position and always emit a
well-formed sequence; whether the decoded cell belongs to the space is checked afterwards.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np

from archembed.errors import ConfigError
from archembed.graph import ArchGraph
from archembed.spaces.base import SearchSpace
from archembed.spaces.nb201 import NB201_OPS, graph_from_edge_ops

PAD_OP = "pad"
"""Op of the isolated vertices that grow a small cell to the space's ``max_nodes``."""


class SequenceCodec(ABC):
    """Two-way map between the cells of one space and integer token sequences.

    ``tokens`` is the vocabulary, ``length`` the sequence length and ``allowed`` a boolean
    ``(length, len(tokens))`` mask of the tokens each position may hold.
    """

    tokens: tuple[str, ...]
    allowed: np.ndarray

    @property
    def length(self) -> int:
        return int(self.allowed.shape[0])

    @abstractmethod
    def encode(self, graph: ArchGraph) -> list[int]:
        """Token ids of ``graph``."""

    @abstractmethod
    def decode(self, ids: Sequence[int]) -> ArchGraph | None:
        """The cell a sequence describes, or None when it is not a cell of the space."""

    def encode_batch(self, graphs: Sequence[ArchGraph]) -> np.ndarray:
        """``(n, length)`` int64 array of token ids."""
        return np.asarray([self.encode(g) for g in graphs], dtype=np.int64).reshape(
            len(graphs), self.length
        )


class AdjacencyCodec(SequenceCodec):
    """For each non-input vertex j of the padded cell: j connection tokens, then its op.

    This is NAO's NAS-Bench-101 encoding: 7 vertices give 2+3+4+5+6+7 = 27 tokens. Cells with
    fewer vertices are padded with isolated ``pad`` vertices before the output; decoding drops
    them, prunes when needed and keeps the result only if the space accepts it.
    """

    def __init__(self, space: SearchSpace) -> None:
        if space.max_nodes < 2 or len(space.ops) < 3:
            raise ConfigError(
                f"space {space.name!r} has no op vocabulary or vertex bound; give its ops and "
                "max_nodes to use it with a sequence model"
            )
        self.space = space
        self.max_nodes = space.max_nodes
        inner = tuple(space.ops[1:-1])
        self.tokens = ("0", "1", *inner, PAD_OP, space.ops[-1])
        self._index = {tok: i for i, tok in enumerate(self.tokens)}
        slots: list[tuple[int, ...]] = []
        for j in range(1, self.max_nodes):
            slots += [(0, 1)] * j
            last = j == self.max_nodes - 1
            slots.append((len(self.tokens) - 1,) if last else tuple(range(2, 3 + len(inner))))
        self.allowed = np.zeros((len(slots), len(self.tokens)), dtype=bool)
        for pos, ok in enumerate(slots):
            self.allowed[pos, list(ok)] = True

    def encode(self, graph: ArchGraph) -> list[int]:
        adj, ops = graph.padded(self.max_nodes, PAD_OP)
        ids: list[int] = []
        for j in range(1, self.max_nodes):
            ids += [int(adj[i, j]) for i in range(j)]
            ids.append(self._index[ops[j]])
        return ids

    def decode(self, ids: Sequence[int]) -> ArchGraph | None:
        n = self.max_nodes
        adj = np.zeros((n, n), dtype=np.uint8)
        ops = [self.space.ops[0]]
        pos = 0
        for j in range(1, n):
            adj[:j, j] = [1 if ids[pos + i] == 1 else 0 for i in range(j)]
            pos += j
            ops.append(self.tokens[ids[pos]])
            pos += 1
        keep = [v for v, op in enumerate(ops) if op != PAD_OP]
        graph = ArchGraph.from_trusted(adj[np.ix_(keep, keep)].copy(), tuple(ops[v] for v in keep))
        if self.space.is_valid(graph):
            return graph
        pruned = graph.prune()
        return pruned if self.space.is_valid(pruned) else None


class NB201Codec(SequenceCodec):
    """NAS-Bench-201: the six edge ops in the order of the official string (6 tokens)."""

    def __init__(self, space: SearchSpace) -> None:
        self.space = space
        self.tokens = NB201_OPS
        self.allowed = np.ones((6, len(NB201_OPS)), dtype=bool)
        self._index = {op: i for i, op in enumerate(NB201_OPS)}

    def encode(self, graph: ArchGraph) -> list[int]:
        return [self._index[op] for op in self.space.edge_ops(graph)]  # type: ignore[attr-defined]

    def decode(self, ids: Sequence[int]) -> ArchGraph | None:
        graph = graph_from_edge_ops([NB201_OPS[int(i)] for i in ids])
        return graph if self.space.is_valid(graph) else None


def sequence_codec(space: SearchSpace) -> SequenceCodec:
    """The token form of ``space``: NB201's edge ops, else the padded adjacency + ops form."""
    if space.name == "nb201":
        return NB201Codec(space)
    return AdjacencyCodec(space)
