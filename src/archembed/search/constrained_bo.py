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

With ``linear_slack`` each slack is modelled as linear in the embedding plus a GP on the
residuals (:class:`LinearSlackGPs`): latencies on NB201 are (near-)additive in the operations,
so the feasibility of every cell is known after a few dozen queries and far fewer infeasible
cells are queried. Off by default: on NB201 it did not lower the regret (the infeasible
high-accuracy cells a plain GP queries also teach the objective's GP where the good cells are;
docs/benchmarks/hardware-aware.md).

With ``slack_onehot`` the slacks are modelled on the cell's one-hot encoding while the
objective keeps the strategy's embedding (:class:`SideBySide`, :class:`SplitGPs`): an embedding
that ranks accuracy well (e.g. ``zcstats``) can blur latencies that one-hot states exactly.
Off by default: on NB201 (``zcstats``, one FPGA cap) it did not lower the regret; with
``linear_slack`` it halved the infeasible queries at the same regret.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import special, stats

from archembed.encoders.base import Encoder
from archembed.encoders.baseline import OneHotEncoder
from archembed.errors import ConfigError
from archembed.graph import ArchGraph
from archembed.search.acquisition import log_expected_improvement, top_k
from archembed.search.base import register_strategy
from archembed.search.mobo import ColumnGPs, PoolBayesSearch
from archembed.spaces.base import SearchSpace


def log_feasibility(mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """log P(every slack >= 0) for independent Gaussian slacks ``(n, c)`` (0 when c = 0)."""
    return special.log_ndtr(mean / np.maximum(std, 1e-12)).sum(axis=1)


def normal_scores(values: np.ndarray) -> np.ndarray:
    """Standard normal quantiles of the ranks (ties averaged): a monotone, outlier-free warp."""
    ranks = stats.rankdata(values)
    return special.ndtri((ranks - 0.5) / len(values))


class BayesianLinear:
    """Bayesian linear regression with an intercept, its two precisions tuned by evidence.

    MacKay's fixed-point updates of the weight precision ``lam`` and the noise precision
    ``alpha`` run on the singular values of the centred inputs, so each step costs O(n); the
    posterior of the weights covers the directions the data never saw with the prior alone.
    """

    def fit(self, X: np.ndarray, y: np.ndarray, steps: int = 100) -> BayesianLinear:
        """Fit on ``X`` ``(n, d)`` and ``y`` ``(n,)``."""
        self.x_mean, self.y_mean = X.mean(axis=0), float(y.mean())
        u, s, vt = np.linalg.svd(X - self.x_mean, full_matrices=False)
        keep = s > 1e-9 * max(float(s.max(initial=0.0)), 1.0)
        s, self.basis = s[keep], vt[keep]
        yc = y - self.y_mean
        z = u[:, keep].T @ yc
        outside = max(float(yc @ yc - z @ z), 0.0)
        eig, lam, alpha = s**2, 1.0, 1.0 / max(float(yc.var()), 1e-12)
        for _ in range(steps):
            shrink = alpha * eig / (lam + alpha * eig)
            c = shrink * z / s
            rss = float(((z - s * c) ** 2).sum()) + outside
            lam = float(shrink.sum()) / max(float(c @ c), 1e-300)
            alpha = max(len(y) - float(shrink.sum()), 1e-12) / max(rss, 1e-300 * len(y))
            alpha = min(alpha, 1e12 / max(float(yc.var()), 1e-12))
        self.coef = self.basis.T @ (alpha * s * z / (lam + alpha * eig))
        self.lam, self.spread = lam, 1.0 / (lam + alpha * eig)
        return self

    def predict(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Posterior mean and standard deviation of the linear function (no noise) at ``X``."""
        centred = X - self.x_mean
        seen = centred @ self.basis.T
        unseen = np.maximum((centred**2).sum(axis=1) - (seen**2).sum(axis=1), 0.0)
        variance = (seen**2 * self.spread).sum(axis=1) + unseen / self.lam
        return self.y_mean + centred @ self.coef, np.sqrt(variance)


class LinearSlackGPs(ColumnGPs):
    """:class:`ColumnGPs` whose columns from ``linear_from`` on are :class:`BayesianLinear` in
    the embedding plus a GP on its residuals.

    Latencies are close to additive in the operations (exactly so on NB201's FPGA and Eyeriss),
    which a Matern kernel on one-hot embeddings learns slowly; the linear part captures it from
    a few dozen cells and the GP keeps what is not additive. The variances add.
    """

    def __init__(self, ard: bool, fit_maxiter: int, refit_every: int, linear_from: int) -> None:
        super().__init__(ard, fit_maxiter, refit_every)
        self.linear_from = linear_from
        self.linear: list[BayesianLinear] = []

    def fit(self, X: np.ndarray, Y: np.ndarray, rng: np.random.Generator) -> LinearSlackGPs:
        columns = range(self.linear_from, Y.shape[1])
        self.linear = [BayesianLinear().fit(X, Y[:, j]) for j in columns]
        residual = Y.copy()
        for j, model in zip(columns, self.linear):
            residual[:, j] -= model.predict(X)[0]
        super().fit(X, residual, rng)
        return self

    def predict(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        mean, std = super().predict(X)
        for j, model in enumerate(self.linear, start=self.linear_from):
            linear_mean, linear_std = model.predict(X)
            mean[:, j] += linear_mean
            std[:, j] = np.hypot(std[:, j], linear_std)
        return mean, std


class SideBySide:
    """Two encoders' embeddings side by side; ``split`` (known after the first ``transform``)
    is where the second one's columns begin."""

    def __init__(self, first: Encoder, second: Encoder) -> None:
        self.parts = (first, second)
        self.split: int | None = None

    def transform(self, graphs: Sequence[ArchGraph]) -> np.ndarray:
        """``(n, d1 + d2)`` float32: the first encoder's embedding, then the second's."""
        first, second = (np.asarray(p.transform(graphs), np.float32) for p in self.parts)
        self.split = first.shape[1]
        return np.concatenate([first, second], axis=1)


class SplitGPs:
    """The objective's GP on the :class:`SideBySide` inputs' first part, the slacks' models
    (a :class:`ColumnGPs` or :class:`LinearSlackGPs`) on the second."""

    def __init__(self, inputs: SideBySide, objective: ColumnGPs, slacks: ColumnGPs) -> None:
        self.inputs = inputs
        self.objective = objective
        self.slacks = slacks

    def fit(self, X: np.ndarray, Y: np.ndarray, rng: np.random.Generator) -> SplitGPs:
        """Fit the objective (column 0 of ``Y``) and the slacks (the rest) on their inputs."""
        split = self.inputs.split
        self.objective.fit(X[:, :split], Y[:, :1], rng)
        self.slacks.fit(X[:, split:], Y[:, 1:], rng)
        return self

    def predict(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Posterior means and standard deviations of the objective, then of the slacks."""
        split = self.inputs.split
        parts = [self.objective.predict(X[:, :split]), self.slacks.predict(X[:, split:])]
        return np.hstack([p[0] for p in parts]), np.hstack([p[1] for p in parts])


@register_strategy("constrained_bo")
class ConstrainedBO(PoolBayesSearch):
    """Constrained log-EI (EI over the best feasible cell x probability of feasibility).

    Searches one objective (rank-warped when ``warp``); every constraint slack gets its own
    GP. Hyperparameters are re-optimised from the previous ones every ``refit_every``
    observations (``fit_maxiter`` L-BFGS steps); ``q`` candidates per fit are the top ones by
    the acquisition. ``linear_slack`` models the slacks with :class:`LinearSlackGPs`;
    ``slack_onehot`` models them on the one-hot encoding instead of the embedding.
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
        linear_slack: bool = False,
        slack_onehot: bool = False,
    ) -> None:
        self.check_arguments(locals())
        inputs = SideBySide(encoder, OneHotEncoder(encoder.space))
        pool_encoder = inputs if slack_onehot else encoder
        super().__init__(
            space, rng, pool_encoder, n_init, q, pool_size, mutations, ard, fit_maxiter, refit_every
        )
        self.warp = warp
        slacks = (
            LinearSlackGPs(ard, fit_maxiter, refit_every, linear_from=0 if slack_onehot else 1)
            if linear_slack
            else ColumnGPs(ard, fit_maxiter, refit_every)
        )
        objective = ColumnGPs(ard, fit_maxiter, refit_every)
        self.gps = SplitGPs(inputs, objective, slacks) if slack_onehot else slacks

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
