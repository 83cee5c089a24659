"""Regularised (aging) evolution with tournament selection (Real et al., 2019)."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from archembed.errors import ConfigError, InvalidArchitectureError
from archembed.graph import ArchGraph
from archembed.search.base import Bound, Strategy, register_strategy
from archembed.spaces.base import SearchSpace
from archembed.spaces.candidates import draw_unseen


@register_strategy("evolution")
class RegularizedEvolution(Strategy):
    """A population of the ``population_size`` youngest architectures; each child is a mutation
    of the best of ``sample_size`` members drawn at random, and the oldest member dies.

    The first ``population_size`` architectures are uniform random. Children already evaluated
    are re-mutated (up to ``max_retries`` times) so no query is wasted on a duplicate.
    """

    name = "evolution"
    limits: ClassVar[dict[str, Bound]] = {
        "population_size": Bound(1, 100_000),
        "sample_size": Bound(1, 100_000),
        "max_retries": Bound(1, 10_000),
    }

    @classmethod
    def check_relations(cls, params: dict[str, Any]) -> None:
        if params["sample_size"] > params["population_size"]:
            raise ConfigError(
                f"strategy {cls.name!r}: sample_size={params['sample_size']} is larger than "
                f"population_size={params['population_size']}; accepted: sample_size <= "
                "population_size"
            )

    def __init__(
        self,
        space: SearchSpace,
        rng: np.random.Generator,
        population_size: int = 20,
        sample_size: int = 5,
        max_retries: int = 20,
    ) -> None:
        self.check_arguments(locals())
        super().__init__(space, rng)
        self.population_size = population_size
        self.sample_size = sample_size
        self.max_retries = max_retries
        self.population: deque[tuple[ArchGraph, float]] = deque()
        self._seen: set[str] = set()
        self._pending = 0

    def ask(self, n: int = 1) -> list[ArchGraph]:
        out: list[ArchGraph] = []
        free = max(0, self.population_size - len(self.population) - self._pending)
        if free:
            out = draw_unseen(self.space, self.rng, min(n, free), self._seen)
            self._seen.update(self.space.identity(g) for g in out)
        while len(out) < n and self.population:
            child = self._child()
            if child is None:
                break
            out.append(child)
        if len(out) < n:
            extra = draw_unseen(self.space, self.rng, n - len(out), self._seen)
            self._seen.update(self.space.identity(g) for g in extra)
            out.extend(extra)
        self._pending += len(out)
        return out

    def _child(self) -> ArchGraph | None:
        members = list(self.population)
        for _ in range(self.max_retries):
            picks = self.rng.choice(len(members), size=min(self.sample_size, len(members)))
            parent = max((members[i] for i in picks), key=lambda m: m[1])[0]
            try:
                child = self.space.mutate(parent, self.rng)
            except InvalidArchitectureError:
                continue
            key = self.space.identity(child)
            if key not in self._seen:
                self._seen.add(key)
                return child
        return None

    def tell(self, graphs: Sequence[ArchGraph], scores: Sequence[float]) -> None:
        self._pending = max(0, self._pending - len(graphs))
        for graph, score in zip(graphs, scores):
            self._seen.add(self.space.identity(graph))
            self.population.append((graph, float(score)))
            if len(self.population) > self.population_size:
                self.population.popleft()
