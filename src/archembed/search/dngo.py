"""DNGO search as in arch2vec: adaptive-basis regression surrogate, EI, top-k per round."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from archembed.encoders.base import Encoder
from archembed.search.base import Bound, register_strategy
from archembed.search.bo import ModelBasedStrategy, SurrogateEI
from archembed.spaces.base import SearchSpace


@register_strategy("dngo")
class DNGOSearch(SurrogateEI):
    """:class:`~archembed.predictors.dngo.DNGOPredictor` + log-EI; ``q`` = top-k per round."""

    name = "dngo"
    predictor_name = "dngo"
    limits: ClassVar[dict[str, Bound]] = {
        **ModelBasedStrategy.limits,
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
        super().__init__(space, rng, encoder, n_init, q, pool_size, mutations)
        self.hidden = hidden
        self.epochs = epochs
        self.lr = lr

    def predictor_params(self) -> dict[str, object]:
        return {
            "hidden": self.hidden,
            "epochs": self.epochs,
            "lr": self.lr,
            "seed": int(self.rng.integers(2**31)),
        }
