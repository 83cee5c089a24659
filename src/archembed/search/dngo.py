"""The ``dngo`` preset, as in arch2vec: DNGO surrogate, log-EI, top-``q`` per round."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from archembed.encoders.base import Encoder
from archembed.predictors.arch import EmbeddingPredictor
from archembed.predictors.dngo import DNGOPredictor
from archembed.search.acquisition import log_expected_improvement
from archembed.search.base import Bound, register_strategy
from archembed.search.surrogate import POOL_LIMITS, FreshSeed, SurrogateSearch
from archembed.spaces.base import SearchSpace
from archembed.spaces.candidates import CandidatePool


@register_strategy("dngo")
class DNGOSearch(SurrogateSearch):
    """:class:`~archembed.predictors.dngo.DNGOPredictor` + log-EI; ``q`` = top-k per round."""

    name = "dngo"
    limits: ClassVar[dict[str, Bound]] = {
        **POOL_LIMITS,
        "hidden": Bound(1, 4096),
        "epochs": Bound(1, 100_000),
        "lr": Bound(0, 10, low_open=True),
    }

    def __init__(
        self,
        space: SearchSpace,
        rng: np.random.Generator,
        encoder: Encoder,
        n_init: int = 10,
        q: int = 5,
        pool_size: int = 2000,
        mutations: int = 20,
        hidden: int = 128,
        epochs: int = 500,
        lr: float = 0.01,
    ) -> None:
        self.check_arguments(locals())
        super().__init__(
            space,
            rng,
            EmbeddingPredictor(encoder, DNGOPredictor(hidden=hidden, epochs=epochs, lr=lr)),
            log_expected_improvement,
            CandidatePool(space, encoder, rng, sample_size=pool_size, mutations=mutations),
            n_init=n_init,
            q=q,
            refit=FreshSeed(),
        )
