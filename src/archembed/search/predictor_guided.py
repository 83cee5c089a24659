"""The ``predictor`` strategy: search guided by a supervised ranking predictor (e.g. GATES).

A random initial design of ``n_init`` architectures, then each round trains a fresh
predictor (a supervised encoder of :mod:`archembed.encoders`, such as ``gates-unified`` or
``tagates``) on every observation and proposes the ``q`` unseen candidates it ranks best.
Ranking predictors give no uncertainty, so the acquisition is greedy: the predictor's own
ranking, with a new model seed each round. The candidate pool is
:class:`~archembed.spaces.candidates.CandidatePool` (every architecture of an enumerable
space, else random ones plus mutations of the incumbents).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from archembed import encoders  # noqa: F401  (registers the built-in encoders)
from archembed.encoders.base import ENCODERS
from archembed.errors import ConfigError
from archembed.graph import ArchGraph
from archembed.predictors.models import PredictorSpec, supervised_model
from archembed.search.base import register_strategy
from archembed.search.surrogate import PoolSearch
from archembed.spaces.base import SearchSpace
from archembed.spaces.candidates import CandidatePool

DEFAULT_PREDICTOR = "gates-stats"
"""The predictor of spaces without a benchmark default: GATES with graph statistics, which
needs nothing but the graphs (``archembed.experiments.defaults`` picks per benchmark)."""


class NoEmbedding:
    """The candidate pool's encoder when the predictor reads graphs: zero-width rows."""

    def transform(self, graphs: Sequence[ArchGraph]) -> np.ndarray:
        return np.zeros((len(graphs), 0), dtype=np.float32)


@register_strategy("predictor")
class PredictorGuidedSearch(PoolSearch):
    """Random initial design, then the top ``q`` candidates of a predictor refitted each round.

    ``predictor`` names a supervised encoder (``gates``, ``tagates``, ``gates-stats``,
    ``gates-unified``...), built with ``predictor_params``; each round trains it from a new
    seed on every observation (one fit per ``q`` queries).
    """

    name = "predictor"

    def __init__(
        self,
        space: SearchSpace,
        rng: np.random.Generator,
        predictor: str = DEFAULT_PREDICTOR,
        predictor_params: dict[str, Any] | None = None,
        n_init: int = 20,
        q: int = 20,
        pool_size: int = 2000,
        mutations: int = 20,
    ) -> None:
        self.check_arguments(locals())
        self.spec = PredictorSpec(predictor, predictor, None)
        self.predictor_params = dict(predictor_params or {})
        self.model_space = getattr(space, "base", space)
        self.check_for_space({"predictor": predictor, "predictor_params": predictor_params}, space)
        pool = CandidatePool(space, NoEmbedding(), rng, sample_size=pool_size, mutations=mutations)
        super().__init__(space, rng, pool, n_init=n_init, q=q)

    @classmethod
    def check_relations(cls, params: dict[str, Any]) -> None:
        """``predictor`` must name a supervised encoder, ``predictor_params`` be a mapping
        without a seed (each round's seed comes from the search's random stream)."""
        name = params["predictor"]
        if not isinstance(name, str) or "+" in name or not ENCODERS.get(name).supervised:
            raise ConfigError(
                f"strategy 'predictor' trains a supervised predictor each round, not "
                f"{name!r}; for an encoder with a regression head use bo or dngo"
            )
        model_params = params["predictor_params"]
        if not isinstance(model_params, dict | None):
            raise ConfigError("strategy 'predictor': predictor_params must be a mapping")
        if "seed" in (model_params or {}):
            raise ConfigError("strategy 'predictor': each round's seed comes from the search seed")

    @classmethod
    def check_for_space(cls, params: Mapping[str, Any], space: SearchSpace) -> None:
        """The predictor built once on ``space`` with its parameters (a bad one fails here)."""
        name = params.get("predictor", DEFAULT_PREDICTOR)
        spec = PredictorSpec(name, name, None)
        supervised_model(spec, getattr(space, "base", space), 0, params.get("predictor_params"))

    def _model(self, seed: int) -> Any:
        """A fresh predictor (constructing it checks ``predictor_params``)."""
        return supervised_model(self.spec, self.model_space, seed, self.predictor_params)

    def _acquire(self, graphs: list[ArchGraph], X: np.ndarray) -> np.ndarray:
        """Scores of ``graphs`` by a predictor trained, from a new seed, on every observation."""
        model = self._model(int(self.rng.integers(2**31)))
        model.fit(self.told, np.asarray(self.y))
        return np.asarray(model.predict(graphs), dtype=np.float64)
