"""Random search: uniform sampling without replacement."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from archembed.graph import ArchGraph
from archembed.search.base import MultiObjectiveStrategy, register_strategy
from archembed.spaces.base import SearchSpace
from archembed.spaces.candidates import draw_unseen, is_enumerable


@register_strategy("random")
class RandomSearch(MultiObjectiveStrategy):
    """Uniform architectures, never the same one twice (a random permutation of finite spaces);
    it ignores scores, so it serves any number of objectives and constraints alike."""

    name = "random"

    def __init__(self, space: SearchSpace, rng: np.random.Generator) -> None:
        super().__init__(space, rng)
        self._seen: set[str] = set()
        self._order: list[ArchGraph] | None = None
        if is_enumerable(space):
            graphs = space.enumerate()
            self._order = [graphs[i] for i in rng.permutation(len(graphs))]

    def ask(self, n: int = 1) -> list[ArchGraph]:
        if self._order is not None:
            out, self._order = self._order[:n], self._order[n:]
        else:
            out = draw_unseen(self.space, self.rng, n, self._seen)
        self._seen.update(self.space.identity(g) for g in out)
        return out

    def tell(
        self, graphs: Sequence[ArchGraph], scores: np.ndarray, slack: np.ndarray | None = None
    ) -> None:
        """Random search learns nothing."""
