"""Objectives: what a search evaluates. A tabular benchmark lookup or any user function.

:class:`BenchmarkObjective` searches on one validation metric and reports, for every queried
architecture, the noise-free validation value and an explicitly requested test value; the
incumbent is always chosen by what the strategy observed (validation), never by test.
With ``noise=True`` each query returns the value of one training seed drawn at random from the
benchmark's per-seed table, as a real training run would.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from archembed.benchmarks.base import TRAIN_TIME, Benchmark
from archembed.benchmarks.protocols import MetricRequest
from archembed.benchmarks.table import SEED_MEAN
from archembed.errors import ConfigError
from archembed.graph import ArchGraph
from archembed.spaces.base import SearchSpace
from archembed.spaces.restricted import RestrictedSpace


@dataclass
class Evaluation:
    """What one batch of queries returned: observed scores and simulated training seconds;
    a multi-objective one gives ``(n, m)`` scores and, with constraints, ``(n, c)`` slacks."""

    scores: np.ndarray
    costs: np.ndarray
    slack: np.ndarray | None = None


class Objective(ABC):
    """Evaluates architectures of ``space`` (higher is better)."""

    space: SearchSpace
    has_cost: bool = False
    optimum: float | None = None
    """Best noise-free validation value in the domain (for simple regret), when known."""
    test_optimum: float | None = None

    @abstractmethod
    def evaluate(self, graphs: Sequence[ArchGraph], rng: np.random.Generator) -> Evaluation:
        """Scores the strategy sees, and training seconds (0 when unknown)."""

    def truth(self, graphs: Sequence[ArchGraph]) -> dict[str, np.ndarray]:
        """Noise-free ``val`` and, when configured, ``test`` values for reporting."""
        return {}

    def describe(self) -> dict[str, Any]:
        return {"kind": type(self).__name__}


class BenchmarkObjective(Objective):
    """Table look-ups restricted to the architectures that have a value for ``search``."""

    def __init__(
        self,
        benchmark: Benchmark,
        search: MetricRequest,
        test: MetricRequest | None = None,
        noise: bool = False,
    ) -> None:
        dataset, metric, epoch, _ = benchmark.resolve(search.dataset, search.metric, search.epoch)
        self.benchmark_name = benchmark.name
        self.search = MetricRequest(dataset, metric, epoch)
        graphs, values = benchmark.labels(dataset, metric, epoch)
        self.space = RestrictedSpace(benchmark.space, graphs)
        self.values = values
        self.test = None
        self.test_values: np.ndarray | None = None
        if test is not None:
            t_dataset, t_metric, t_epoch, _ = benchmark.resolve(
                test.dataset, test.metric, test.epoch
            )
            self.test = MetricRequest(t_dataset, t_metric, t_epoch)
            has = benchmark.has(graphs, t_dataset, t_metric, t_epoch)
            if not has.all():
                raise ConfigError(
                    f"{int((~has).sum())} architectures with {self.search.label()} have no "
                    f"{self.test.label()}; choose another test metric"
                )
            self.test_values = benchmark.query(graphs, t_dataset, t_metric, t_epoch)
            self.test_optimum = float(self.test_values.max())
        self.optimum = float(values.max())
        self.noise = noise
        self.per_seed = self._per_seed(benchmark, graphs) if noise else None
        self.has_cost = TRAIN_TIME in benchmark.metrics(dataset)
        self.costs = benchmark.cost(graphs, dataset) if self.has_cost else None

    def _per_seed(self, benchmark: Benchmark, graphs: list[ArchGraph]) -> np.ndarray:
        """(archs, seeds) matrix of per-seed values, NaN where a seed is missing."""
        s = self.search
        seeds = [x for x in benchmark.seeds(s.dataset, s.metric, s.epoch) if x != SEED_MEAN]
        if not seeds:
            raise ConfigError(
                f"{self.benchmark_name}/{s.label()} has no per-seed values: set noise to false"
            )
        table = np.full((len(graphs), len(seeds)), np.nan)
        for column, seed in enumerate(seeds):
            seeded, values = benchmark.labels(s.dataset, s.metric, s.epoch, seed=seed)
            rows = [self.space.index(g) for g in seeded]
            table[rows, column] = values
        return table

    def _rows(self, graphs: Sequence[ArchGraph]) -> np.ndarray:
        return np.asarray([self.space.index(g) for g in graphs], dtype=int)

    def evaluate(self, graphs: Sequence[ArchGraph], rng: np.random.Generator) -> Evaluation:
        rows = self._rows(graphs)
        if self.per_seed is None:
            scores = self.values[rows]
        else:
            scores = np.empty(len(rows))
            for i, row in enumerate(rows):
                options = self.per_seed[row][~np.isnan(self.per_seed[row])]
                scores[i] = (
                    options[rng.integers(len(options))] if len(options) else self.values[row]
                )
        costs = self.costs[rows] if self.costs is not None else np.zeros(len(rows))
        return Evaluation(scores=np.asarray(scores, dtype=np.float64), costs=costs)

    def truth(self, graphs: Sequence[ArchGraph]) -> dict[str, np.ndarray]:
        rows = self._rows(graphs)
        out = {"val": self.values[rows]}
        if self.test_values is not None:
            out["test"] = self.test_values[rows]
        return out

    def describe(self) -> dict[str, Any]:
        return {
            "kind": "benchmark",
            "benchmark": self.benchmark_name,
            "search": self.search.label(),
            "test": self.test.label() if self.test else None,
            "noise": self.noise,
            "archs": self.space.size,
            "optimum": self.optimum,
            "test_optimum": self.test_optimum,
            "has_cost": self.has_cost,
        }


UserFunction = Callable[[Sequence[ArchGraph]], Any]


class FunctionObjective(Objective):
    """Any callable ``graphs -> scores`` (higher is better), e.g. real training.

    With ``has_cost=True`` the callable returns ``(scores, seconds)`` — the training time of
    each architecture — so time budgets work. One finite score per architecture is required.
    """

    def __init__(
        self, fn: UserFunction, space: SearchSpace, has_cost: bool = False, name: str = ""
    ) -> None:
        self.fn = fn
        self.space = space
        self.has_cost = has_cost
        self.name = name or getattr(fn, "__name__", "function")

    def evaluate(self, graphs: Sequence[ArchGraph], rng: np.random.Generator) -> Evaluation:
        result = self.fn(list(graphs))
        if self.has_cost:
            if not (isinstance(result, tuple) and len(result) == 2):
                raise ConfigError(
                    f"objective {self.name!r} has has_cost=True: return (scores, seconds)"
                )
            scores, costs = np.asarray(result[0], float), np.asarray(result[1], float)
        else:
            scores, costs = np.asarray(result, dtype=float), np.zeros(len(graphs))
        if scores.shape != (len(graphs),) or not np.isfinite(scores).all():
            raise ConfigError(
                f"objective {self.name!r} must return {len(graphs)} finite scores, got "
                f"shape {scores.shape}"
            )
        return Evaluation(scores=scores, costs=costs.reshape(len(graphs)))

    def describe(self) -> dict[str, Any]:
        return {"kind": "function", "function": self.name, "space": self.space.name}
