"""Candidate architectures for model-based strategies, and embeddings shared across seeds.

Finite spaces up to ``max_enumerate`` architectures are scored exhaustively: every unseen
architecture is a candidate and its embedding is computed once (:func:`precompute`, which the
experiment runner does once per encoder and ships to every seed). Larger spaces get a fresh
random sample plus mutations of the incumbents each round.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from archembed.encoders.base import Encoder
from archembed.errors import ConfigError, InvalidArchitectureError
from archembed.graph import ArchGraph
from archembed.spaces.base import SearchSpace

MAX_ENUMERATE = 100_000
"""Largest finite space whose every architecture is a candidate."""


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

    def neighbours(self, graph: ArchGraph) -> list[ArchGraph]:
        return [g for g in self.base.neighbours(graph) if self.base.identity(g) in self._ids]

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


class PrecomputedEncoder(Encoder):
    """An encoder whose embeddings of a fixed list of architectures are computed once.

    ``transform`` looks architectures up by identity and falls back to the wrapped encoder for
    any others, so it is a drop-in replacement that makes exhaustive scoring cheap.
    """

    def __init__(self, inner: Encoder, graphs: Sequence[ArchGraph], matrix: np.ndarray) -> None:
        super().__init__(inner.space)
        self.inner = inner
        self.name = inner.name
        self.graphs = list(graphs)
        self.matrix = np.asarray(matrix, dtype=np.float32)
        self._rows = {self.space.identity(g): i for i, g in enumerate(self.graphs)}

    def fit(self, graphs: Sequence[ArchGraph], y: np.ndarray | None = None) -> Encoder:
        return self

    def transform(self, graphs: Sequence[ArchGraph]) -> np.ndarray:
        rows = [self._rows.get(self.space.identity(g), -1) for g in graphs]
        out = self.matrix[np.maximum(rows, 0)] if rows else self.matrix[:0]
        missing = [i for i, r in enumerate(rows) if r < 0]
        if missing:
            out = out.copy()
            out[missing] = self.inner.transform([graphs[i] for i in missing])
        return out

    def check_space(self, space: SearchSpace | str) -> None:
        self.inner.check_space(space)


def precompute(encoder: Encoder, space: SearchSpace, batch: int = 4096) -> Encoder:
    """Wrap ``encoder`` with the embeddings of every architecture of a small finite ``space``.

    Spaces that are infinite or larger than MAX_ENUMERATE return ``encoder`` unchanged.
    """
    if isinstance(encoder, PrecomputedEncoder) or not is_enumerable(space):
        return encoder
    graphs = space.enumerate()
    parts = [encoder.transform(graphs[i : i + batch]) for i in range(0, len(graphs), batch)]
    return PrecomputedEncoder(encoder, graphs, np.concatenate(parts, axis=0))


def is_enumerable(space: SearchSpace) -> bool:
    return space.finite and space.size is not None and space.size <= MAX_ENUMERATE


class CandidatePool:
    """Unseen architectures to score each round, with their embeddings.

    Exhaustive for small finite spaces; otherwise ``sample_size`` random architectures plus
    ``mutations`` random neighbours of each of the incumbents passed to :meth:`candidates`.
    """

    def __init__(
        self,
        space: SearchSpace,
        encoder: Encoder,
        rng: np.random.Generator,
        sample_size: int = 2000,
        mutations: int = 20,
    ) -> None:
        if sample_size < 1 or mutations < 0:
            raise ConfigError("candidate pool needs sample_size >= 1 and mutations >= 0")
        self.space = space
        self.rng = rng
        self.sample_size = sample_size
        self.mutations = mutations
        self.seen: set[str] = set()
        self.exhaustive = is_enumerable(space)
        self.encoder = precompute(encoder, space)
        if self.exhaustive:
            table = self.encoder
            assert isinstance(table, PrecomputedEncoder)
            self.graphs = table.graphs
            self.matrix = table.matrix
            self._ids = [space.identity(g) for g in self.graphs]
            self._unseen = np.ones(len(self.graphs), dtype=bool)
            self._row = {key: i for i, key in enumerate(self._ids)}

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
