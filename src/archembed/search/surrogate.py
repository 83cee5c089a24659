"""Surrogate-based search by composition: a surrogate, an acquisition and a candidate pool.

:class:`SurrogateSearch` proposes an initial random design of ``n_init`` architectures, then
each round fits the surrogate (an :class:`~archembed.predictors.ArchPredictor` with the
``fit_embedded`` / ``predict_embedded`` fast paths, e.g. an
:class:`~archembed.predictors.EmbeddingPredictor`) to every observation, scores the unseen
candidates of the pool with the acquisition and proposes the ``q`` best. The pool embeds each
candidate once. A :class:`Refit` says what changes in the surrogate between rounds (a fresh
seed, warm-started hyperparameters). The registered strategies ``bo`` and ``dngo`` are
presets: they only choose these parts from their parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar, Protocol

import numpy as np

from archembed.errors import ConfigError
from archembed.graph import ArchGraph
from archembed.search.acquisition import top_k
from archembed.search.base import Bound, Strategy
from archembed.spaces.base import SearchSpace
from archembed.spaces.candidates import CandidatePool

Acquisition = Callable[[np.ndarray, np.ndarray, float], np.ndarray]
"""``(mean, std, best observed score) -> values``, higher first (e.g. log expected improvement)."""
POOL_LIMITS: dict[str, Bound] = {
    "n_init": Bound(2, 100_000),
    "q": Bound(1, 10_000),
    "pool_size": Bound(1, 1_000_000),
    "mutations": Bound(0, 10_000),
}
"""Ranges of the parameters every preset shares (initial design, batch and pool sizes)."""


class Surrogate(Protocol):
    """What the search needs of a surrogate: uncertainty, and fitting on embeddings."""

    has_std: bool

    def fit_embedded(self, X: np.ndarray, y: np.ndarray) -> Surrogate: ...

    def predict_embedded(
        self, X: np.ndarray, return_std: bool = False
    ) -> np.ndarray | tuple[np.ndarray, np.ndarray]: ...

    def set_params(self, **params: object) -> Surrogate: ...


class Refit(Protocol):
    """What changes in the surrogate from one round's fit to the next."""

    def prepare(self, surrogate: Surrogate, observations: int, rng: np.random.Generator) -> None:
        """Set the surrogate's parameters before it is fitted to ``observations`` scores."""

    def record(self, surrogate: Surrogate, observations: int) -> None:
        """Keep what the next round needs from the fitted surrogate."""


class FreshSeed:
    """Each round's head gets a new seed drawn from the strategy's random stream."""

    def prepare(self, surrogate: Surrogate, observations: int, rng: np.random.Generator) -> None:
        surrogate.set_params(head__seed=int(rng.integers(2**31)))

    def record(self, surrogate: Surrogate, observations: int) -> None:
        """Nothing to keep: every round starts afresh."""


class SurrogateSearch(Strategy):
    """Random initial design of ``n_init`` architectures, then the top candidates by acquisition.

    ``q`` caps how many architectures one surrogate fit proposes (``ask(n)`` fits
    ``ceil(n / q)`` times). ``refit`` (default: none, the surrogate is refitted unchanged)
    adjusts the surrogate before each fit.
    """

    needs_encoder = True
    limits: ClassVar[dict[str, Bound]] = POOL_LIMITS

    def __init__(
        self,
        space: SearchSpace,
        rng: np.random.Generator,
        surrogate: Surrogate,
        acquisition: Acquisition,
        candidates: CandidatePool,
        n_init: int = 10,
        q: int = 1,
        refit: Refit | None = None,
    ) -> None:
        super().__init__(space, rng)
        if not surrogate.has_std:
            raise ConfigError("a surrogate search needs a surrogate with uncertainty (gp, dngo)")
        self.surrogate = surrogate
        self.acquisition = acquisition
        self.pool = candidates
        self.refit = refit
        self.n_init = n_init
        self.q = q
        self.batch_size = q
        self.X: list[np.ndarray] = []
        self.y: list[float] = []
        self.told: list[ArchGraph] = []

    def ask(self, n: int = 1) -> list[ArchGraph]:
        out: list[ArchGraph] = []
        if len(self.told) < self.n_init:
            out = self.pool.unseen_sample(min(n, self.n_init - len(self.told)))
            self.pool.mark_seen(out)
        while len(out) < n and len(self.y) >= 2 and not self.pool.exhausted:
            graphs, X = self.pool.candidates(self._incumbents())
            if not graphs:
                break
            chosen = [graphs[i] for i in top_k(self._acquire(X), min(self.q, n - len(out)))]
            self.pool.mark_seen(chosen)
            out.extend(chosen)
        if len(out) < n:
            extra = self.pool.unseen_sample(n - len(out))
            self.pool.mark_seen(extra)
            out.extend(extra)
        return out

    def tell(self, graphs: Sequence[ArchGraph], scores: Sequence[float]) -> None:
        self.pool.mark_seen(graphs)
        embedded = self.pool.embed(graphs)
        for graph, row, score in zip(graphs, embedded, scores):
            self.told.append(graph)
            self.X.append(row)
            self.y.append(float(score))

    def _incumbents(self, k: int = 5) -> list[ArchGraph]:
        order = np.argsort(-np.asarray(self.y))[:k]
        return [self.told[i] for i in order]

    def _acquire(self, candidates: np.ndarray) -> np.ndarray:
        """Acquisition values of ``candidates`` under the surrogate fitted to every observation."""
        y = np.asarray(self.y)
        if self.refit is not None:
            self.refit.prepare(self.surrogate, len(y), self.rng)
        self.surrogate.fit_embedded(np.stack(self.X), y)
        if self.refit is not None:
            self.refit.record(self.surrogate, len(y))
        mean, std = self.surrogate.predict_embedded(candidates, return_std=True)
        return self.acquisition(mean, std, float(y.max()))
