"""Candidate architectures for model-based strategies, each embedded once.

Finite spaces up to ``max_enumerate`` architectures are scored exhaustively: every unseen
architecture is a candidate and the whole space is embedded once, when the pool is built
(with a precomputed encoder that is a table look-up). Larger spaces get a fresh random sample
plus mutations of the incumbents each round.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from archembed.errors import ConfigError, InvalidArchitectureError
from archembed.graph import ArchGraph
from archembed.spaces.base import SearchSpace

MAX_ENUMERATE = 100_000
"""Largest finite space whose every architecture is a candidate."""
EMBED_BATCH = 4096
"""Architectures embedded per call when a whole space is embedded."""


class Embedder(Protocol):
    """What a pool needs of an encoder: architectures to an ``(n, dim)`` array."""

    def transform(self, graphs: Sequence[ArchGraph]) -> np.ndarray: ...


def is_enumerable(space: SearchSpace) -> bool:
    """True when every architecture of ``space`` can be a candidate (finite and small enough)."""
    return space.finite and space.size is not None and space.size <= MAX_ENUMERATE


def embed_all(encoder: Embedder, graphs: Sequence[ArchGraph]) -> np.ndarray:
    """The float32 embeddings of ``graphs``, computed :data:`EMBED_BATCH` at a time."""
    parts = [
        np.asarray(encoder.transform(graphs[i : i + EMBED_BATCH]), dtype=np.float32)
        for i in range(0, len(graphs), EMBED_BATCH)
    ]
    return np.concatenate(parts, axis=0)


class CandidatePool:
    """Unseen architectures to score each round, with their embeddings.

    Exhaustive for small finite spaces; otherwise ``sample_size`` random architectures plus
    ``mutations`` random neighbours of each of the incumbents passed to :meth:`candidates`.
    """

    def __init__(
        self,
        space: SearchSpace,
        encoder: Embedder,
        rng: np.random.Generator,
        sample_size: int = 2000,
        mutations: int = 20,
    ) -> None:
        if sample_size < 1 or mutations < 0:
            raise ConfigError("candidate pool needs sample_size >= 1 and mutations >= 0")
        self.space = space
        self.encoder = encoder
        self.rng = rng
        self.sample_size = sample_size
        self.mutations = mutations
        self.seen: set[str] = set()
        self.exhaustive = is_enumerable(space)
        if self.exhaustive:
            self.graphs = space.enumerate()
            self.matrix = embed_all(encoder, self.graphs)
            self._unseen = np.ones(len(self.graphs), dtype=bool)
            self._row = {space.identity(g): i for i, g in enumerate(self.graphs)}

    def mark_seen(self, graphs: Sequence[ArchGraph]) -> None:
        for graph in graphs:
            key = self.space.identity(graph)
            self.seen.add(key)
            if self.exhaustive and key in self._row:
                self._unseen[self._row[key]] = False

    def is_seen(self, graph: ArchGraph) -> bool:
        return self.space.identity(graph) in self.seen

    @property
    def unseen_mask(self) -> np.ndarray:
        """Boolean mask over ``graphs`` of exhaustive pools: True where not yet proposed."""
        return self._unseen

    @property
    def exhausted(self) -> bool:
        return self.exhaustive and not self._unseen.any()

    def embed(self, graphs: Sequence[ArchGraph]) -> np.ndarray:
        """Embeddings (float64) of ``graphs``: rows of the table when the pool has them all."""
        if self.exhaustive:
            rows = [self._row.get(self.space.identity(g), -1) for g in graphs]
            if min(rows, default=0) >= 0:
                return self.matrix[rows].astype(np.float64)
        return np.asarray(self.encoder.transform(graphs), dtype=np.float64)

    def candidates(
        self, incumbents: Sequence[ArchGraph] = ()
    ) -> tuple[list[ArchGraph], np.ndarray]:
        """Unseen candidate architectures and their embeddings (float64)."""
        if self.exhaustive:
            rows = np.flatnonzero(self._unseen)
            return [self.graphs[i] for i in rows], self.matrix[rows].astype(np.float64)
        found: dict[str, ArchGraph] = {}
        for graph in self.space.sample(self.sample_size, self.rng):
            found.setdefault(self.space.identity(graph), graph)
        for graph in incumbents:
            for _ in range(self.mutations):
                try:
                    mutant = self.space.mutate(graph, self.rng)
                except InvalidArchitectureError:
                    break
                found.setdefault(self.space.identity(mutant), mutant)
        graphs = [g for key, g in found.items() if key not in self.seen]
        return graphs, self.embed(graphs) if graphs else np.zeros((0, 0))

    def unseen_sample(self, n: int) -> list[ArchGraph]:
        """Up to ``n`` distinct unseen architectures drawn uniformly (for initial designs)."""
        if self.exhaustive:
            rows = np.flatnonzero(self._unseen)
            take = self.rng.choice(rows, size=min(n, len(rows)), replace=False)
            return [self.graphs[i] for i in take]
        return draw_unseen(self.space, self.rng, n, self.seen)


def draw_unseen(
    space: SearchSpace, rng: np.random.Generator, n: int, seen: set[str], tries: int = 50
) -> list[ArchGraph]:
    """Up to ``n`` distinct architectures not in ``seen``, sampled uniformly from ``space``."""
    out: dict[str, ArchGraph] = {}
    for _ in range(tries):
        if len(out) >= n:
            break
        for graph in space.sample(2 * (n - len(out)), rng):
            key = space.identity(graph)
            if key not in seen and key not in out:
                out[key] = graph
                if len(out) >= n:
                    break
    return list(out.values())
