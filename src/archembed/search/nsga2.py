"""NSGA-II (Deb et al., 2002), steady state, on top of the space's mutation.

The population is the ``population_size`` best architectures evaluated so far, ranked by
constrained domination: feasible ones first, by non-dominated front and then crowding
distance; infeasible ones after them, by total constraint violation. Each child is a mutation
of the winner of a binary tournament on that ranking. The first ``population_size``
architectures are uniform random; children already evaluated are re-mutated (up to
``max_retries`` times) so no query is wasted on a duplicate. With one objective it is a
constrained genetic algorithm.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import numpy as np

from archembed.errors import InvalidArchitectureError
from archembed.graph import ArchGraph
from archembed.search import pareto
from archembed.search.base import Bound, MultiObjectiveStrategy, register_strategy
from archembed.spaces.base import SearchSpace
from archembed.spaces.candidates import draw_unseen


def survival_order(scores: np.ndarray, violation: np.ndarray) -> np.ndarray:
    """Indices from best to worst by constrained domination and crowding (higher scores win)."""
    feasible = violation <= 0
    order: list[int] = []
    points = -scores
    chosen = np.flatnonzero(feasible)
    ranks = pareto.nondominated_ranks(points[chosen])
    for rank in range(int(ranks.max(initial=-1)) + 1):
        members = chosen[ranks == rank]
        crowding = pareto.crowding_distance(points[members])
        order.extend(members[np.argsort(-crowding, kind="stable")].tolist())
    infeasible = np.flatnonzero(~feasible)
    order.extend(infeasible[np.argsort(violation[infeasible], kind="stable")].tolist())
    return np.asarray(order, dtype=int)


@register_strategy("nsga2")
class NSGA2(MultiObjectiveStrategy):
    """Steady-state NSGA-II: mutate tournament winners, keep the best ``population_size``."""

    name = "nsga2"
    limits: ClassVar[dict[str, Bound]] = {
        "population_size": Bound(2, 100_000),
        "max_retries": Bound(1, 10_000),
    }

    def __init__(
        self,
        space: SearchSpace,
        rng: np.random.Generator,
        population_size: int = 20,
        max_retries: int = 20,
    ) -> None:
        self.check_arguments(locals())
        super().__init__(space, rng)
        self.population_size = population_size
        self.max_retries = max_retries
        self.graphs: list[ArchGraph] = []
        self.scores = np.zeros((0, 0))
        self.violation = np.zeros(0)
        self._seen: set[str] = set()
        self._pending = 0

    def ask(self, n: int = 1) -> list[ArchGraph]:
        free = max(0, self.population_size - len(self.graphs) - self._pending)
        out = self._draw(min(n, free))
        while len(out) < n and self.graphs:
            child = self._child()
            if child is None:
                break
            out.append(child)
        out.extend(self._draw(n - len(out)))
        self._pending += len(out)
        return out

    def _draw(self, n: int) -> list[ArchGraph]:
        """``n`` unseen uniform architectures (fewer when the space runs out)."""
        if n <= 0:
            return []
        drawn = draw_unseen(self.space, self.rng, n, self._seen)
        self._seen.update(self.space.identity(g) for g in drawn)
        return drawn

    def _winner(self) -> ArchGraph:
        """Binary tournament: the population is kept sorted, so the lower index wins."""
        picks = self.rng.integers(len(self.graphs), size=2)
        return self.graphs[int(picks.min())]

    def _child(self) -> ArchGraph | None:
        for _ in range(self.max_retries):
            try:
                child = self.space.mutate(self._winner(), self.rng)
            except InvalidArchitectureError:
                continue
            key = self.space.identity(child)
            if key not in self._seen:
                self._seen.add(key)
                return child
        return None

    def tell(
        self, graphs: Sequence[ArchGraph], scores: np.ndarray, slack: np.ndarray | None = None
    ) -> None:
        self._pending = max(0, self._pending - len(graphs))
        scores = np.asarray(scores, dtype=np.float64).reshape(len(graphs), -1)
        violation = (
            np.zeros(len(graphs))
            if slack is None
            else np.maximum(-np.asarray(slack, dtype=np.float64), 0.0).sum(axis=1)
        )
        for graph in graphs:
            self._seen.add(self.space.identity(graph))
        self.graphs.extend(graphs)
        self.scores = scores if not len(self.scores) else np.vstack([self.scores, scores])
        self.violation = np.concatenate([self.violation, violation])
        keep = survival_order(self.scores, self.violation)[: self.population_size]
        self.graphs = [self.graphs[i] for i in keep]
        self.scores, self.violation = self.scores[keep], self.violation[keep]
