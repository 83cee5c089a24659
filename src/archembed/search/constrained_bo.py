"""Constrained Bayesian optimisation: the best objective subject to constraints, over embeddings.

One GP models the objective and one GP each constraint slack (``>= 0`` is satisfied). Each
candidate of the exact discrete pool is scored by ``log EI + log P(feasible)`` (Gardner et
al., 2014; Gelbart et al., 2014): the expected improvement over the best *feasible*
observation times the probability that every slack is non-negative under its GP. Until a
feasible cell has been observed, the probability of feasibility alone is maximised.

With ``warp`` (the default) the objective's GP models the normal scores of the observed
values' ranks (:func:`normal_scores`) instead of the raw values: a few collapsed cells (NB201
has cells at 10 % accuracy) otherwise set the scale of the standardised targets, and the
differences of tenths of a point among the best cells, which decide the search, drown in it.
EI is taken over the best feasible cell's score on the same scale. The slacks stay raw.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import special, stats

from archembed.encoders.base import Encoder
from archembed.errors import ConfigError
from archembed.graph import ArchGraph
from archembed.search.acquisition import log_expected_improvement, top_k
from archembed.search.base import register_strategy
from archembed.search.mobo import PoolBayesSearch
from archembed.spaces.base import SearchSpace


def log_feasibility(mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """log P(every slack >= 0) for independent Gaussian slacks ``(n, c)`` (0 when c = 0)."""
    return special.log_ndtr(mean / np.maximum(std, 1e-12)).sum(axis=1)


def normal_scores(values: np.ndarray) -> np.ndarray:
    """Standard normal quantiles of the ranks (ties averaged): a monotone, outlier-free warp."""
    ranks = stats.rankdata(values)
    return special.ndtri((ranks - 0.5) / len(values))


@register_strategy("constrained_bo")
class ConstrainedBO(PoolBayesSearch):
    """Constrained log-EI (EI over the best feasible cell x probability of feasibility).

    Searches one objective (rank-warped when ``warp``); every constraint slack gets its own
    GP. Hyperparameters are re-optimised from the previous ones every ``refit_every``
    observations (``fit_maxiter`` L-BFGS steps); ``q`` candidates per fit are the top ones by
    the acquisition.
    """

    name = "constrained_bo"
    max_objectives = 1

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
        warp: bool = True,
    ) -> None:
        self.check_arguments(locals())
        super().__init__(
            space, rng, encoder, n_init, q, pool_size, mutations, ard, fit_maxiter, refit_every
        )
        self.warp = warp

    def tell(
        self, graphs: Sequence[ArchGraph], scores: np.ndarray, slack: np.ndarray | None = None
    ) -> None:
        columns = np.asarray(scores, dtype=np.float64).reshape(len(graphs), -1).shape[1]
        if columns != 1:
            raise ConfigError(
                f"strategy 'constrained_bo' optimises one objective, got {columns}: "
                "use qlognehvi or qnparego for several"
            )
        super().tell(graphs, scores, slack)

    def incumbent(self) -> ArchGraph | None:
        """The best feasible observation; without one, the least violating (None before any)."""
        if not self.told:
            return None
        feasible = self.feasible()
        if feasible.any():
            values = np.where(feasible, np.stack(self.Y)[:, 0], -np.inf)
        else:
            values = np.stack(self.slack).min(axis=1)
        return self.told[int(np.argmax(values))]

    def _incumbents(self, k: int = 5) -> list[ArchGraph]:
        best = self.incumbent()
        return [] if best is None else [best]

    def _objective_column(self) -> np.ndarray:
        """The observed objective as modelled: Gaussian ranks when ``warp``, else raw."""
        y = np.stack(self.Y)[:, 0]
        return normal_scores(y) if self.warp else y

    def _targets(self) -> np.ndarray:
        return np.column_stack([self._objective_column(), np.stack(self.slack)])

    def _pick(self, X: np.ndarray, k: int) -> list[int]:
        mean, std = self.gps.predict(X)
        value = log_feasibility(mean[:, 1:], std[:, 1:])
        feasible = self.feasible()
        if feasible.any():
            best = float(self._objective_column()[feasible].max())
            value = value + log_expected_improvement(mean[:, 0], std[:, 0], best)
        return top_k(value, k).tolist()
