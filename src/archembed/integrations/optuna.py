"""Optuna integration: architectures of any archembed space in an Optuna study.

``suggest_arch(trial, space)`` draws one architecture through ``trial.suggest_*`` calls (the
parameters of :mod:`archembed.integrations.arch_params`), so every Optuna sampler can model
it. :class:`ArchSampler` proposes those parameters with an archembed search strategy
(embedding-based Bayesian optimisation by default) and leaves every other parameter to a
fallback sampler::

    import optuna
    import archembed as ae
    from archembed.integrations.optuna import ArchSampler, suggest_arch

    space = ae.load_space("nb201")

    def objective(trial):
        arch = suggest_arch(trial, space)
        lr = trial.suggest_float("lr", 1e-3, 1e-1, log=True)
        return train(arch, lr)

    study = optuna.create_study(direction="maximize", sampler=ArchSampler(space, seed=0))
    study.optimize(objective, n_trials=100)

The sampler keeps no search state of its own: before each trial it rebuilds the strategy from
the study's trials (so it works with in-memory and RDB storage, several processes and
``study.ask``/``study.tell``), telling it every complete trial's architecture and value.
Architectures of pruned, failed, running and waiting trials are never proposed again and are
not told (a pruned value is not comparable with a complete one).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

import numpy as np

try:
    import optuna
except ImportError as exc:
    raise ImportError("archembed.integrations.optuna needs Optuna: pip install optuna") from exc
from optuna.distributions import BaseDistribution, CategoricalDistribution, IntDistribution
from optuna.samplers import BaseSampler, TPESampler
from optuna.study import Study, StudyDirection
from optuna.trial import FrozenTrial, TrialState

from archembed.encoders.base import Encoder
from archembed.graph import ArchGraph
from archembed.integrations.arch_params import arch_params
from archembed.search.base import Strategy, check_strategy, make_strategy
from archembed.spaces.base import SearchSpace
from archembed.spaces.candidates import is_enumerable
from archembed.spaces.restricted import RestrictedSpace

__all__ = ["ArchSampler", "arch_params", "suggest_arch"]
FIT_SAMPLE = 2000
"""Architectures an encoder named by the sampler is fitted on when the space is too large to
list (the whole space otherwise)."""


def suggest_arch(
    trial: optuna.trial.BaseTrial, space: SearchSpace, prefix: str = "arch"
) -> ArchGraph:
    """One architecture (:class:`~archembed.graph.ArchGraph`) of ``space`` from ``trial``.

    The parameters are named ``<prefix>_...`` (see :mod:`archembed.integrations.arch_params`).
    A combination that no repair turns into an architecture of the space prunes the trial.
    """
    params = arch_params(space, prefix)
    graph = params.build(lambda name, distribution: _suggest(trial, name, distribution))
    if graph is None:
        raise optuna.TrialPruned(f"the parameters give no architecture of {space.name!r}")
    return graph


def _suggest(trial: optuna.trial.BaseTrial, name: str, distribution: BaseDistribution) -> Any:
    if isinstance(distribution, CategoricalDistribution):
        return trial.suggest_categorical(name, distribution.choices)
    assert isinstance(distribution, IntDistribution)
    return trial.suggest_int(name, distribution.low, distribution.high)


class ArchSampler(BaseSampler):
    """An Optuna sampler that proposes architectures with an archembed search strategy.

    ``strategy`` (default ``"bo"``: a Gaussian process on ``encoder`` embeddings with
    log expected improvement) and its ``params`` are those of ``archembed search``;
    ``encoder`` is any form :func:`archembed.api.fitted_encoder` takes: a fitted
    :class:`~archembed.encoders.base.Encoder`, a saved model directory, ``pretrained:NAME`` or an
    encoder name fitted on the space (small finite spaces are embedded once).
    Parameters other than the architecture's go to ``fallback`` (default: a TPE sampler with
    the same seed). A study that minimises is handled by negating its values. Each trial's
    proposal depends only on ``seed``, the trial's number and the study's earlier trials.
    """

    def __init__(
        self,
        space: SearchSpace,
        encoder: Encoder | str = "onehot",
        strategy: str = "bo",
        *,
        seed: int | None = None,
        fallback: BaseSampler | None = None,
        prefix: str = "arch",
        **params: Any,
    ) -> None:
        check_strategy(strategy, params)
        self.space = space
        self.strategy = strategy
        self.strategy_params = params
        self.params = arch_params(space, prefix)
        self._encoder_spec = encoder
        self._seed = int(np.random.SeedSequence(seed).generate_state(1)[0])
        self._fallback = fallback or TPESampler(seed=seed)

    @cached_property
    def searched(self) -> SearchSpace:
        """The space the strategy searches: a small finite space listed once (the strategy is
        rebuilt for every trial, and its candidates are then the same graph objects)."""
        if is_enumerable(self.space) and not isinstance(self.space, RestrictedSpace):
            return RestrictedSpace(self.space, self.space.enumerate())
        return self.space

    @cached_property
    def encoder(self) -> Encoder:
        """The strategy's encoder, fitted, with every architecture of a small space embedded.

        An encoder named for a space too large to list is fitted on :data:`FIT_SAMPLE` of its
        architectures, drawn with the sampler's seed.
        """
        from archembed.api import fitted_encoder
        from archembed.encoders.precomputed import precompute

        fitted = fitted_encoder(
            self._encoder_spec, self.space, fit_sample=FIT_SAMPLE, seed=self._seed
        )
        return precompute(fitted, self.searched)

    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        return self.params.distributions()

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        if not search_space:
            return {}
        self._raise_error_if_multi_objective(study)
        graph = self.propose(study, trial)
        return {} if graph is None else self.params.params(graph)

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        return self._fallback.sample_independent(study, trial, param_name, param_distribution)

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        self._fallback.before_trial(study, trial)

    def after_trial(
        self,
        study: Study,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        self._fallback.after_trial(study, trial, state, values)

    def reseed_rng(self) -> None:
        self._fallback.reseed_rng()

    def propose(self, study: Study, trial: FrozenTrial) -> ArchGraph | None:
        """The architecture for ``trial``: the strategy rebuilt from the study's other trials."""
        rng = np.random.default_rng([self._seed, trial.number])
        strategy = make_strategy(
            self.strategy, self.searched, rng, self.encoder, **self.strategy_params
        )
        told, scores, taken = self._history(study, trial.number)
        if told:
            strategy.tell(told, scores)
        pending = taken - {self.space.identity(g) for g in told}
        return _first_new(strategy, taken, self.space, len(pending) + 1)

    def _history(self, study: Study, current: int) -> tuple[list[ArchGraph], list[float], set[str]]:
        """Told architectures, their scores (higher is better) and the ids of all taken ones."""
        sign = -1.0 if study.direction == StudyDirection.MINIMIZE else 1.0
        told, scores, taken = [], [], set()
        for past in study.get_trials(deepcopy=False):
            graph = None if past.number == current else self.params.decode(past.params)
            if graph is None:
                continue
            taken.add(self.space.identity(graph))
            if past.state == TrialState.COMPLETE and past.value is not None:
                told.append(graph)
                scores.append(sign * past.value)
        return told, scores, taken


def _first_new(
    strategy: Strategy, taken: set[str], space: SearchSpace, tries: int
) -> ArchGraph | None:
    """The strategy's first proposal that no trial has taken (None when it has none)."""
    for _ in range(tries):
        proposed = strategy.ask(1)
        if not proposed:
            return None
        if space.identity(proposed[0]) not in taken:
            return proposed[0]
    return None
