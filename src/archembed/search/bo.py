"""Bayesian optimisation in an embedding space: a surrogate with uncertainty, log-EI, top-q.

:class:`ModelBasedStrategy` holds what GP-BO and DNGO share: an initial random design, the
candidate pool (:mod:`archembed.search.candidates`) and batch selection of the ``q`` unseen
candidates with the highest acquisition. Subclasses only say how to score candidates.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import ClassVar

import numpy as np

from archembed.encoders.base import Encoder
from archembed.graph import ArchGraph
from archembed.predictors.base import Predictor, make_predictor
from archembed.search.acquisition import log_expected_improvement, top_k
from archembed.search.base import Bound, Strategy, register_strategy
from archembed.search.candidates import CandidatePool
from archembed.spaces.base import SearchSpace


class ModelBasedStrategy(Strategy):
    """Random initial design of ``n_init`` architectures, then the top candidates by acquisition.

    ``q`` caps how many architectures one surrogate fit proposes (``ask(n)`` fits
    ``ceil(n / q)`` times); ``pool_size`` and ``mutations`` size the candidate pool of spaces
    too large to score exhaustively.
    """

    needs_encoder = True
    limits: ClassVar[dict[str, Bound]] = {
        "n_init": Bound(2, 100_000),
        "q": Bound(1, 10_000),
        "pool_size": Bound(1, 1_000_000),
        "mutations": Bound(0, 10_000),
    }

    def __init__(
        self,
        space: SearchSpace,
        rng: np.random.Generator,
        encoder: Encoder,
        n_init: int = 10,
        q: int = 1,
        pool_size: int = 2000,
        mutations: int = 20,
    ) -> None:
        super().__init__(space, rng)
        self.encoder = encoder
        self.n_init = n_init
        self.q = q
        self.batch_size = q
        self.pool = CandidatePool(space, encoder, rng, sample_size=pool_size, mutations=mutations)
        self.X: list[np.ndarray] = []
        self.y: list[float] = []
        self.told: list[ArchGraph] = []

    def ask(self, n: int = 1) -> list[ArchGraph]:
        out: list[ArchGraph] = []
        pending = len(self.told) < self.n_init
        if pending:
            out = self.pool.unseen_sample(min(n, self.n_init - len(self.told)))
            self.pool.mark_seen(out)
        while len(out) < n and len(self.y) >= 2 and not self.pool.exhausted:
            graphs, X = self.pool.candidates(self._incumbents())
            if not graphs:
                break
            scores = self.score(np.stack(self.X), np.asarray(self.y), X)
            chosen = [graphs[i] for i in top_k(scores, min(self.q, n - len(out)))]
            self.pool.mark_seen(chosen)
            out.extend(chosen)
        if len(out) < n:
            extra = self.pool.unseen_sample(n - len(out))
            self.pool.mark_seen(extra)
            out.extend(extra)
        return out

    def _incumbents(self, k: int = 5) -> list[ArchGraph]:
        order = np.argsort(-np.asarray(self.y))[:k]
        return [self.told[i] for i in order]

    def tell(self, graphs: Sequence[ArchGraph], scores: Sequence[float]) -> None:
        self.pool.mark_seen(graphs)
        embedded = self.pool.embed(graphs)
        for graph, row, score in zip(graphs, embedded, scores):
            self.told.append(graph)
            self.X.append(row)
            self.y.append(float(score))

    @abstractmethod
    def score(self, X: np.ndarray, y: np.ndarray, candidates: np.ndarray) -> np.ndarray:
        """Acquisition values of ``candidates`` given observations ``(X, y)`` (higher first)."""


class SurrogateEI(ModelBasedStrategy):
    """Log expected improvement over the best observed score under a registered Predictor."""

    predictor_name = ""

    def surrogate(self) -> Predictor:
        """A fresh surrogate model (fitted once per round)."""
        return make_predictor(self.predictor_name, **self.predictor_params())

    def predictor_params(self) -> dict[str, object]:
        return {}

    def fit_surrogate(self, X: np.ndarray, y: np.ndarray) -> Predictor:
        """The surrogate of this round, fitted to all observations."""
        return self.surrogate().fit(X, y)

    def score(self, X: np.ndarray, y: np.ndarray, candidates: np.ndarray) -> np.ndarray:
        model = self.fit_surrogate(X, y)
        mean, std = model.predict(candidates, return_std=True)
        return log_expected_improvement(mean, std, float(y.max()))


@register_strategy("bo")
class GaussianProcessBO(SurrogateEI):
    """GP (BoTorch, Matern-5/2, ARD when ``ard``) + log-EI; ``fit_maxiter`` caps L-BFGS steps.

    Hyperparameters are re-optimised, starting from the previous ones, once ``refit_every``
    new observations have arrived; in between the GP is conditioned on the new data with the
    current hyperparameters (``refit_every=1`` re-optimises every round).
    """

    name = "bo"
    predictor_name = "gp"
    limits: ClassVar[dict[str, Bound]] = {
        **ModelBasedStrategy.limits,
        "fit_maxiter": Bound(1, 100_000),
        "refit_every": Bound(1, 100_000),
    }

    def __init__(
        self,
        space: SearchSpace,
        rng: np.random.Generator,
        encoder: Encoder,
        n_init: int = 10,
        q: int = 1,
        pool_size: int = 2000,
        mutations: int = 20,
        ard: bool = True,
        fit_maxiter: int = 50,
        refit_every: int = 5,
    ) -> None:
        self.check_arguments(locals())
        super().__init__(space, rng, encoder, n_init, q, pool_size, mutations)
        self.ard = ard
        self.fit_maxiter = fit_maxiter
        self.refit_every = refit_every
        self._hyperparameters: dict[str, object] | None = None
        self._optimised_at = 0

    def fit_surrogate(self, X: np.ndarray, y: np.ndarray) -> Predictor:
        optimise = self._hyperparameters is None or len(y) - self._optimised_at >= self.refit_every
        model = make_predictor(
            self.predictor_name,
            **self.predictor_params(),
            warm_start=self._hyperparameters,
            optimise=optimise,
        ).fit(X, y)
        if optimise:
            self._optimised_at = len(y)
        self._hyperparameters = model.hyperparameters_
        return model

    def predictor_params(self) -> dict[str, object]:
        return {
            "ard": self.ard,
            "fit_maxiter": self.fit_maxiter,
            "seed": int(self.rng.integers(2**31)),
        }
