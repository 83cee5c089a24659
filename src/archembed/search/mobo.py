"""Multi-objective Bayesian optimisation over embeddings: qLogNEHVI and qNParEGO (BoTorch).

Both strategies model every objective (and every constraint slack) with its own GP on the
encoder's embeddings (:class:`ColumnGPs`, warm-started between fits) and choose from an exact
discrete candidate set: the unseen architectures of the pool (every cell of an enumerable
space such as NB201). Scoring the Monte-Carlo acquisition on all 15,625 NB201 cells every
round would cost seconds, so each round first keeps a *shortlist* (:func:`shortlist`): the
``shortlist`` candidates whose optimistic outcome (posterior mean + ``beta`` std in every
objective) lies furthest beyond the observed Pareto front, dropping those that cannot improve
it or are confidently infeasible. The acquisition then scores the shortlist exactly; ``q > 1``
picks a batch by sequential greedy selection (chosen points become pending). qLogNEHVI's
baseline keeps the observations that are Pareto-optimal in at least one of
:data:`PRUNE_SAMPLES` joint posterior samples.

The acquisition's reference point comes from the observations (the worst observed value of
each objective minus 10 % of its observed range), as BoTorch recommends; the search quality
metrics use a reference point fixed from the full table instead.
"""

from __future__ import annotations

import warnings
from abc import abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar

import numpy as np
import torch

from archembed.encoders.base import Encoder
from archembed.graph import ArchGraph
from archembed.nn.training import seeded
from archembed.predictors.gp import GPPredictor
from archembed.search.base import Bound, MultiObjectiveStrategy, register_strategy
from archembed.search.pareto import non_dominated
from archembed.search.surrogate import POOL_LIMITS
from archembed.spaces.base import SearchSpace
from archembed.spaces.candidates import CandidatePool

ACQUISITION_CHUNK = 256
"""Shortlisted candidates scored per call of the Monte-Carlo acquisition."""
REFERENCE_MARGIN = 0.1
"""The acquisition's reference point sits this share of the observed range below the worst."""
PRUNE_SAMPLES = 256
"""Posterior samples that decide which observations stay in qLogNEHVI's baseline (BoTorch's
default, 2,048, spent a quarter of a 100-query NB201 search in its non-dominance loop)."""
GP_LIMITS: dict[str, Bound] = {
    **POOL_LIMITS,
    "fit_maxiter": Bound(1, 100_000),
    "refit_every": Bound(1, 100_000),
    "mc_samples": Bound(1, 4096),
    "shortlist": Bound(1, 1_000_000),
    "beta": Bound(0.0, 100.0),
}
"""Ranges of the parameters shared by the pool-based BoTorch strategies."""


class ColumnGPs:
    """One exact GP (:class:`GPPredictor`) per column of the targets, on the same embeddings.

    Hyperparameters are re-optimised, from the previous ones, once ``refit_every`` new rows
    have arrived; in between each GP is only conditioned on the new data.
    """

    def __init__(self, ard: bool, fit_maxiter: int, refit_every: int) -> None:
        self.ard = ard
        self.fit_maxiter = fit_maxiter
        self.refit_every = refit_every
        self.hyperparameters: list[Any] = []
        self.optimised_at = 0
        self.gps: list[GPPredictor] = []

    def fit(self, X: np.ndarray, Y: np.ndarray, rng: np.random.Generator) -> ColumnGPs:
        """Fit (or condition) the GP of every column of ``Y`` ``(n, k)`` on ``X`` ``(n, d)``."""
        optimise = not self.hyperparameters or len(X) - self.optimised_at >= self.refit_every
        warm = self.hyperparameters or [None] * Y.shape[1]
        self.gps = [
            GPPredictor(
                ard=self.ard,
                fit_maxiter=self.fit_maxiter,
                seed=int(rng.integers(2**31)),
                warm_start=warm[j],
                optimise=optimise,
            ).fit(X, Y[:, j])
            for j in range(Y.shape[1])
        ]
        if optimise:
            self.optimised_at = len(X)
        self.hyperparameters = [gp.hyperparameters_ for gp in self.gps]
        return self

    def predict(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Posterior means and standard deviations, each ``(len(X), k)``."""
        outputs = [gp.predict(X, return_std=True) for gp in self.gps]
        return np.stack([o[0] for o in outputs], 1), np.stack([o[1] for o in outputs], 1)

    def model(self) -> Any:
        """The fitted GPs as one BoTorch model with ``k`` outputs (for MC acquisitions)."""
        from botorch.models import ModelListGP

        return ModelListGP(*[gp.model_ for gp in self.gps])


def shortlist(
    mean: np.ndarray,
    std: np.ndarray,
    front: np.ndarray,
    m: int,
    size: int,
    beta: float,
) -> np.ndarray:
    """Indices of at most ``size`` candidates worth an exact acquisition, most hopeful first.

    ``mean`` / ``std`` are ``(n, m + c)`` posteriors (objectives, then constraint slacks);
    ``front`` the observed feasible Pareto points ``(p, m)`` (may be empty). A candidate's
    hope is how far its optimistic objectives (``mean + beta * std``) reach beyond the front
    (the additive epsilon indicator, in units of the observed ranges); candidates whose
    optimistic slack is negative for some constraint are dropped unless nothing else is left.
    """
    upper = mean + beta * std
    optimistic = upper[:, :m]
    if len(front):
        scale = np.ptp(front, axis=0) if len(front) > 1 else np.zeros(m)
        scale = np.where(scale > 0, scale, np.maximum(np.abs(front).max(axis=0), 1.0))
        gap = (optimistic[:, None, :] - front[None, :, :]) / scale
        hope = gap.max(axis=2).min(axis=1)
    else:
        hope = optimistic.sum(axis=1)
    feasible = (upper[:, m:] >= 0).all(axis=1)
    if feasible.any():
        hope = np.where(feasible, hope, -np.inf)
    order = np.argsort(-hope, kind="stable")
    return order[: min(size, len(order))]


class PoolBayesSearch(MultiObjectiveStrategy):
    """Initial random design of ``n_init`` cells, then the pool's best by :meth:`_pick`.

    Keeps every observation (embedding, objectives, slacks) and fits :class:`ColumnGPs` on
    the objectives and slacks before each round of ``q`` picks.
    """

    needs_encoder = True
    limits: ClassVar[dict[str, Bound]] = GP_LIMITS

    def __init__(
        self,
        space: SearchSpace,
        rng: np.random.Generator,
        encoder: Encoder,
        n_init: int,
        q: int,
        pool_size: int,
        mutations: int,
        ard: bool,
        fit_maxiter: int,
        refit_every: int,
    ) -> None:
        super().__init__(space, rng)
        self.pool = CandidatePool(space, encoder, rng, sample_size=pool_size, mutations=mutations)
        self.gps = ColumnGPs(ard, fit_maxiter, refit_every)
        self.n_init = n_init
        self.q = q
        self.batch_size = q
        self.told: list[ArchGraph] = []
        self.X: list[np.ndarray] = []
        self.Y: list[np.ndarray] = []
        self.slack: list[np.ndarray] = []

    @property
    def m(self) -> int:
        """Number of objectives (known after the first ``tell``)."""
        return len(self.Y[0]) if self.Y else 0

    def ask(self, n: int = 1) -> list[ArchGraph]:
        out: list[ArchGraph] = []
        if len(self.told) < self.n_init:
            out = self.pool.unseen_sample(min(n, self.n_init - len(self.told)))
            self.pool.mark_seen(out)
        while len(out) < n and len(self.told) >= 2 and not self.pool.exhausted:
            graphs, X = self.pool.candidates(self._incumbents())
            if not graphs:
                break
            self.gps.fit(np.stack(self.X), self._targets(), self.rng)
            chosen = [graphs[i] for i in self._pick(X, min(self.q, n - len(out)))]
            self.pool.mark_seen(chosen)
            out.extend(chosen)
        if len(out) < n:
            extra = self.pool.unseen_sample(n - len(out))
            self.pool.mark_seen(extra)
            out.extend(extra)
        return out

    def tell(
        self, graphs: Sequence[ArchGraph], scores: np.ndarray, slack: np.ndarray | None = None
    ) -> None:
        scores = np.asarray(scores, dtype=np.float64).reshape(len(graphs), -1)
        slack = np.zeros((len(graphs), 0)) if slack is None else np.asarray(slack, np.float64)
        self.pool.mark_seen(graphs)
        for graph, row, y, s in zip(graphs, self.pool.embed(graphs), scores, slack):
            self.told.append(graph)
            self.X.append(row)
            self.Y.append(y)
            self.slack.append(s.reshape(-1))

    def _targets(self) -> np.ndarray:
        """What the GPs model, one column each: the objectives, then the constraint slacks."""
        return np.column_stack([np.stack(self.Y), np.stack(self.slack)])

    def feasible(self) -> np.ndarray:
        """Mask of the observations that satisfy every constraint."""
        return (np.stack(self.slack) >= 0).all(axis=1)

    def _incumbents(self, k: int = 5) -> list[ArchGraph]:
        """Observed feasible Pareto cells (at most ``k``): where a sampled pool mutates from."""
        Y = np.stack(self.Y)
        keep = np.flatnonzero(self.feasible())
        best = keep[non_dominated(-Y[keep])] if len(keep) else np.zeros(0, dtype=int)
        return [self.told[i] for i in best[:k]]

    @abstractmethod
    def _pick(self, X: np.ndarray, k: int) -> list[int]:
        """Rows of the candidates ``X`` to evaluate next (``k`` of them), best first."""


class MonteCarloBayesSearch(PoolBayesSearch):
    """Pool search with a BoTorch Monte-Carlo acquisition, scored on a shortlist.

    Subclasses build the acquisition (:meth:`_acquisition`) from the fitted model, the
    observed embeddings and the feasibility of the constraint outputs.
    """

    def __init__(
        self,
        space: SearchSpace,
        rng: np.random.Generator,
        encoder: Encoder,
        n_init: int = 10,
        q: int = 2,
        pool_size: int = 2000,
        mutations: int = 20,
        ard: bool = True,
        fit_maxiter: int = 50,
        refit_every: int = 10,
        mc_samples: int = 64,
        shortlist: int = 128,
        beta: float = 2.0,
    ) -> None:
        self.check_arguments(locals())
        super().__init__(
            space, rng, encoder, n_init, q, pool_size, mutations, ard, fit_maxiter, refit_every
        )
        self.mc_samples = mc_samples
        self.shortlist = shortlist
        self.beta = beta

    def _pick(self, X: np.ndarray, k: int) -> list[int]:
        Y = np.stack(self.Y)
        feasible = self.feasible()
        front = Y[feasible][non_dominated(-Y[feasible])] if feasible.any() else Y[:0]
        mean, std = self.gps.predict(X)
        rows = shortlist(mean, std, front, self.m, max(self.shortlist, k), self.beta)
        candidates = torch.as_tensor(X[rows], dtype=torch.float64).unsqueeze(1)
        with seeded(int(self.rng.integers(2**31))), torch.no_grad(), quiet_jitter():
            acquisition = self._acquisition(self.gps.model(), torch.as_tensor(np.stack(self.X)))
            picked: list[int] = []
            for _ in range(min(k, len(rows))):
                values = torch.cat(
                    [acquisition(c) for c in candidates.split(ACQUISITION_CHUNK)]
                ).numpy()
                values[picked] = -np.inf
                picked.append(int(np.argmax(values)))
                acquisition.set_X_pending(candidates[picked, 0])
        return [int(rows[i]) for i in picked]

    def _sampler(self) -> Any:
        from botorch.sampling import SobolQMCNormalSampler

        return SobolQMCNormalSampler(
            sample_shape=torch.Size([self.mc_samples]), seed=int(self.rng.integers(2**31))
        )

    def _constraints(self) -> list[Any] | None:
        """BoTorch constraint callables (feasible where <= 0): one per slack output."""
        slacks = len(self.slack[0])
        if not slacks:
            return None
        return [_negated_output(self.m + j) for j in range(slacks)]

    def _objective(self) -> Any:
        from botorch.acquisition.multi_objective.objective import (
            IdentityMCMultiOutputObjective,
        )

        return IdentityMCMultiOutputObjective(outcomes=list(range(self.m)))

    def _reference_point(self) -> list[float]:
        Y = np.stack(self.Y)
        low, high = Y.min(axis=0), Y.max(axis=0)
        return (low - REFERENCE_MARGIN * np.maximum(high - low, 1e-9)).tolist()

    @abstractmethod
    def _acquisition(self, model: Any, observed: torch.Tensor) -> Any:
        """The BoTorch acquisition on ``model`` given the observed embeddings."""


@contextmanager
def quiet_jitter() -> Iterator[None]:
    """Silence the warning that jitter was added to a posterior covariance (it is handled)."""
    from linear_operator.utils.warnings import NumericalWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NumericalWarning)
        yield


def _negated_output(column: int) -> Any:
    """A constraint callable: ``-slack`` of output ``column`` (BoTorch wants <= 0 feasible)."""

    def constraint(samples: torch.Tensor) -> torch.Tensor:
        return -samples[..., column]

    return constraint


@register_strategy("qlognehvi")
class QLogNEHVISearch(MonteCarloBayesSearch):
    """qLogNEHVI (log noisy expected hypervolume improvement) over an exact candidate set."""

    name = "qlognehvi"

    def _acquisition(self, model: Any, observed: torch.Tensor) -> Any:
        from botorch.acquisition.multi_objective.logei import (
            qLogNoisyExpectedHypervolumeImprovement,
        )
        from botorch.acquisition.multi_objective.utils import (
            prune_inferior_points_multi_objective,
        )

        reference, objective = self._reference_point(), self._objective()
        constraints = self._constraints()
        baseline = prune_inferior_points_multi_objective(
            model,
            observed,
            torch.as_tensor(reference, dtype=torch.float64),
            objective=objective,
            constraints=constraints,
            num_samples=PRUNE_SAMPLES,
        )
        return qLogNoisyExpectedHypervolumeImprovement(
            model=model,
            ref_point=reference,
            X_baseline=baseline,
            sampler=self._sampler(),
            objective=objective,
            constraints=constraints,
            cache_root=True,
        )


@register_strategy("qnparego")
class QNParEGOSearch(MonteCarloBayesSearch):
    """qNParEGO: log noisy EI of a random augmented Chebyshev scalarisation each round."""

    name = "qnparego"

    def _acquisition(self, model: Any, observed: torch.Tensor) -> Any:
        from botorch.acquisition.multi_objective.parego import qLogNParEGO

        weights = torch.as_tensor(self.rng.dirichlet(np.ones(self.m)), dtype=torch.float64)
        return qLogNParEGO(
            model=model,
            X_baseline=observed,
            scalarization_weights=weights,
            sampler=self._sampler(),
            objective=self._objective(),
            constraints=self._constraints(),
            prune_baseline=True,
            cache_root=True,
        )
