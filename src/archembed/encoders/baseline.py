"""Hand-crafted baseline encodings: adjacency + one-hot ops, and path encoding."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from archembed.encoders.base import Encoder, register_encoder
from archembed.errors import CorruptFileError
from archembed.graph import ArchGraph, batch_tensors

MAX_EXHAUSTIVE_PATHS = 1 << 16


@register_encoder("onehot")
class OneHotEncoder(Encoder):
    """Upper-triangular adjacency entries followed by one-hot ops, padded to the space's size."""

    name = "onehot"

    def fit(self, graphs: Sequence[ArchGraph], y: np.ndarray | None = None) -> OneHotEncoder:
        return self

    def transform(self, graphs: Sequence[ArchGraph]) -> np.ndarray:
        adj, ops = batch_tensors(graphs, self.space.ops, self.space.max_nodes)
        rows, cols = np.triu_indices(self.space.max_nodes, k=1)
        return np.concatenate([adj[:, rows, cols], ops.reshape(len(graphs), -1)], axis=1)


def graph_paths(graph: ArchGraph) -> list[tuple[str, ...]]:
    """Op sequences of all input-to-output paths of the pruned graph (inner vertices only)."""
    pruned = graph.prune()
    if not pruned.is_connected():
        return []
    n = pruned.n_nodes
    succs = [np.flatnonzero(pruned.adj[v]).tolist() for v in range(n)]
    paths: list[tuple[str, ...]] = []
    stack: list[tuple[int, tuple[str, ...]]] = [(0, ())]
    while stack:
        vertex, ops = stack.pop()
        for nxt in succs[vertex]:
            if nxt == n - 1:
                paths.append(ops)
            else:
                stack.append((nxt, (*ops, pruned.ops[nxt])))
    return paths


@register_encoder("path")
class PathEncoder(Encoder):
    """Binary indicator of which input-to-output op paths a cell contains (BANANAS encoding).

    Indexing is exhaustive over all op sequences up to the longest possible path when that is
    at most 65,536 features (NB101: 364, NB201: 156); otherwise the paths seen in ``fit``.
    """

    name = "path"

    def __init__(self, space: Any, vocabulary: list[list[str]] | None = None) -> None:
        super().__init__(space)
        inner = [op for op in self.space.ops[1:-1] if op not in ("none", "zero")]
        self.inner_ops_ = inner
        self.max_length_ = getattr(self.space, "max_path_length", self.space.max_nodes - 2)
        self.exhaustive_ = (
            sum(len(inner) ** k for k in range(self.max_length_ + 1)) <= MAX_EXHAUSTIVE_PATHS
        )
        self.vocabulary_: dict[tuple[str, ...], int] = {}
        if self.exhaustive_:
            sequences = itertools.chain.from_iterable(
                itertools.product(inner, repeat=k) for k in range(self.max_length_ + 1)
            )
            self.vocabulary_ = {seq: i for i, seq in enumerate(sequences)}
        elif vocabulary is not None:
            self.vocabulary_ = {tuple(p): i for i, p in enumerate(vocabulary)}

    def fit(self, graphs: Sequence[ArchGraph], y: np.ndarray | None = None) -> PathEncoder:
        if not self.exhaustive_:
            seen = sorted({p for g in graphs for p in graph_paths(g)})
            self.vocabulary_ = {p: i for i, p in enumerate(seen)}
        return self

    def transform(self, graphs: Sequence[ArchGraph]) -> np.ndarray:
        if not self.vocabulary_:
            raise CorruptFileError("path encoder has no vocabulary: call fit() first")
        out = np.zeros((len(graphs), len(self.vocabulary_)), dtype=np.float32)
        for row, graph in enumerate(graphs):
            for path in graph_paths(graph):
                column = self.vocabulary_.get(path)
                if column is not None:
                    out[row, column] = 1.0
        return out

    def save_state(self, directory: Path) -> None:
        if not self.exhaustive_:
            (directory / "vocabulary.json").write_text(
                json.dumps([list(p) for p in self.vocabulary_])
            )

    def load_state(self, directory: Path) -> None:
        if not self.exhaustive_:
            from archembed.io import read_json

            self.vocabulary_ = {
                tuple(p): i for i, p in enumerate(read_json(directory / "vocabulary.json"))
            }
