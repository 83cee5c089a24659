"""Local search: best-improvement hill climbing over ``space.neighbours``, restarting at random."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from archembed.graph import ArchGraph
from archembed.search.base import Strategy, register_strategy
from archembed.spaces.base import SearchSpace
from archembed.spaces.candidates import draw_unseen


@register_strategy("local")
class LocalSearch(Strategy):
    """Evaluate every unseen neighbour of the current architecture, move to the best one if it
    beats the current score, otherwise restart from a random architecture (White et al., 2021).
    """

    name = "local"

    def __init__(self, space: SearchSpace, rng: np.random.Generator) -> None:
        super().__init__(space, rng)
        self._seen: set[str] = set()
        self._queue: list[ArchGraph] = []
        self._current: tuple[ArchGraph, float] | None = None
        self._round: list[tuple[ArchGraph, float]] = []
        self._outstanding = 0

    def ask(self, n: int = 1) -> list[ArchGraph]:
        out: list[ArchGraph] = []
        while len(out) < n:
            if not self._queue and not self._refill():
                break
            out.append(self._queue.pop(0))
        if len(out) < n:
            extra = draw_unseen(self.space, self.rng, n - len(out), self._seen)
            self._mark(extra)
            out.extend(extra)
        self._outstanding += len(out)
        return out

    def _mark(self, graphs: Sequence[ArchGraph]) -> None:
        self._seen.update(self.space.identity(g) for g in graphs)

    def _refill(self) -> bool:
        """Queue the next neighbourhood (or a restart point); False while results are pending."""
        if self._outstanding:
            return False
        if self._round and self._current is not None:
            best = max(self._round, key=lambda item: item[1])
            self._current = best if best[1] > self._current[1] else None
        self._round = []
        if self._current is None:
            self._queue = draw_unseen(self.space, self.rng, 1, self._seen)
        else:
            self._queue = [
                g
                for g in self.space.neighbours(self._current[0])
                if self.space.identity(g) not in self._seen
            ]
            if not self._queue:
                self._current = None
                self._queue = draw_unseen(self.space, self.rng, 1, self._seen)
        self._mark(self._queue)
        return bool(self._queue)

    def tell(self, graphs: Sequence[ArchGraph], scores: Sequence[float]) -> None:
        self._outstanding = max(0, self._outstanding - len(graphs))
        for graph, score in zip(graphs, scores):
            self._mark([graph])
            if self._current is None:
                self._current = (graph, float(score))
            else:
                self._round.append((graph, float(score)))
