"""The ``bo`` preset: GP surrogate (warm-started hyperparameters), log-EI, candidate pool."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import numpy as np
import torch

from archembed.encoders.base import Encoder
from archembed.predictors.arch import EmbeddingPredictor
from archembed.predictors.gp import GPPredictor
from archembed.search.acquisition import log_expected_improvement
from archembed.search.base import Bound, register_strategy
from archembed.search.surrogate import POOL_LIMITS, FreshSeed, SurrogateSearch
from archembed.spaces.base import SearchSpace
from archembed.spaces.candidates import CandidatePool


class WarmStartedGP(FreshSeed):
    """GP hyperparameters re-optimised, from the previous ones, every ``refit_every`` scores.

    In between, the GP is only conditioned on the new data with the current hyperparameters;
    each round draws a fresh seed.
    """

    def __init__(self, refit_every: int) -> None:
        self.refit_every = refit_every
        self.hyperparameters: Mapping[str, torch.Tensor] | None = None
        self.optimised_at = 0
        self.optimise = True

    def prepare(
        self, surrogate: EmbeddingPredictor, observations: int, rng: np.random.Generator
    ) -> None:
        self.optimise = (
            self.hyperparameters is None or observations - self.optimised_at >= self.refit_every
        )
        surrogate.set_params(head__warm_start=self.hyperparameters, head__optimise=self.optimise)
        super().prepare(surrogate, observations, rng)

    def record(self, surrogate: EmbeddingPredictor, observations: int) -> None:
        if self.optimise:
            self.optimised_at = observations
        self.hyperparameters = surrogate.heads_[0].hyperparameters_


@register_strategy("bo")
class GaussianProcessBO(SurrogateSearch):
    """GP (BoTorch, Matern-5/2, ARD when ``ard``) + log-EI; ``fit_maxiter`` caps L-BFGS steps.

    Hyperparameters are re-optimised, starting from the previous ones, once ``refit_every``
    new observations have arrived; in between the GP is conditioned on the new data with the
    current hyperparameters (``refit_every=1`` re-optimises every round).
    """

    name = "bo"
    limits: ClassVar[dict[str, Bound]] = {
        **POOL_LIMITS,
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
        super().__init__(
            space,
            rng,
            EmbeddingPredictor(encoder, GPPredictor(ard=ard, fit_maxiter=fit_maxiter)),
            log_expected_improvement,
            CandidatePool(space, encoder, rng, sample_size=pool_size, mutations=mutations),
            n_init=n_init,
            q=q,
            refit=WarmStartedGP(refit_every),
        )
