"""Surrogate-based search by composition: a surrogate, an acquisition and a candidate pool.

:class:`PoolSearch` is the shared loop: an initial random design of ``n_init``
architectures, then each round the ``q`` best-valued unseen candidates of the pool.
:class:`SurrogateSearch` values them as follows: each round it fits the surrogate (an
:class:`~archembed.predictors.ArchPredictor` with the ``fit_embedded`` / ``predict_embedded``
fast paths, e.g. an :class:`~archembed.predictors.EmbeddingPredictor`) to every observation
and values the candidates with the acquisition. The pool embeds each candidate once. A
:class:`Refit` says what changes in the surrogate between rounds (a fresh seed, warm-started
hyperparameters). The registered strategies ``bo`` and ``dngo`` are presets: they only choose
these parts from their parameters; ``predictor`` (:mod:`archembed.search.predictor_guided`)
values candidates with a supervised ranking predictor instead.
"""

from __future__ import annotations

from abc import abstractmethod
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


class PoolSearch(Strategy):
    """Random initial design of ``n_init`` architectures, then each round the ``q`` unseen
    candidates of the pool that :meth:`_acquire` values most.

    ``q`` caps how many architectures one round proposes (``ask(n)`` runs ``ceil(n / q)``
    rounds). Subclasses say how candidates are valued from the observations so far.
    """

    limits: ClassVar[dict[str, Bound]] = POOL_LIMITS

    def __init__(
        self,
        space: SearchSpace,
        rng: np.random.Generator,
        candidates: CandidatePool,
        n_init: int = 10,
        q: int = 1,
    ) -> None:
        super().__init__(space, rng)
        self.pool = candidates
        self.n_init = n_init
        self.q = q
        self.batch_size = q
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
            values = self._acquire(graphs, X)
            chosen = [graphs[i] for i in top_k(values, min(self.q, n - len(out)))]
            self.pool.mark_seen(chosen)
            out.extend(chosen)
        if len(out) < n:
            extra = self.pool.unseen_sample(n - len(out))
            self.pool.mark_seen(extra)
            out.extend(extra)
        return out

    def tell(self, graphs: Sequence[ArchGraph], scores: Sequence[float]) -> None:
        self.pool.mark_seen(graphs)
        self.told.extend(graphs)
        self.y.extend(float(score) for score in scores)

    def _incumbents(self, k: int = 5) -> list[ArchGraph]:
        order = np.argsort(-np.asarray(self.y))[:k]
        return [self.told[i] for i in order]

    @abstractmethod
    def _acquire(self, graphs: list[ArchGraph], X: np.ndarray) -> np.ndarray:
        """The value of proposing each of ``graphs`` (embedded as ``X``), higher first."""


class SurrogateSearch(PoolSearch):
    """A surrogate with uncertainty fitted to the embeddings of every observation, and an
    acquisition on its mean and standard deviation; ``refit`` (default: none, the surrogate
    is refitted unchanged) adjusts the surrogate before each fit."""

    needs_encoder = True

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
        if not surrogate.has_std:
            raise ConfigError("a surrogate search needs a surrogate with uncertainty (gp, dngo)")
        super().__init__(space, rng, candidates, n_init=n_init, q=q)
        self.surrogate = surrogate
        self.acquisition = acquisition
        self.refit = refit
        self.X: list[np.ndarray] = []

    def tell(self, graphs: Sequence[ArchGraph], scores: Sequence[float]) -> None:
        super().tell(graphs, scores)
        self.X.extend(self.pool.embed(graphs))

    def _acquire(self, graphs: list[ArchGraph], X: np.ndarray) -> np.ndarray:
        """Acquisition values of the candidates under the surrogate fitted to every observation."""
        y = np.asarray(self.y)
        if self.refit is not None:
            self.refit.prepare(self.surrogate, len(y), self.rng)
        self.surrogate.fit_embedded(np.stack(self.X), y)
        if self.refit is not None:
            self.refit.record(self.surrogate, len(y))
        mean, std = self.surrogate.predict_embedded(X, return_std=True)
        return self.acquisition(mean, std, float(y.max()))
