"""Multi-objective and constrained benchmark objectives, and the specs that name them.

``--objectives val_acc:max,edgegpu_latency:min`` and ``--constraint "pixel3_latency<=4.0"``
name benchmark metrics of the searched dataset; ``DATASET/METRIC`` takes one from another
dataset, and a metric the dataset lacks is looked up where
:data:`~archembed.benchmarks.protocols.METRIC_DATASETS` says (NB201 cifar10-valid: cifar10).

The searched domain is every architecture with a valid value for every named metric; a
negative latency or energy (HW-NAS-Bench's -1 for a cell that did not compile) is missing.
``net_params`` and ``net_flops`` (millions) come from the network builders for every space
that has one (:mod:`archembed.benchmarks.network_costs`). Constraints on ``free`` metrics
(known without training, e.g. net_params) prune the domain up front, so no query is spent on a
cell that breaks them.

A free metric written ``METRIC~N`` (e.g. ``edgegpu_latency~20``) is *predicted*: each seed
measures it on ``N`` cells drawn with the seed's random stream (measurements reported, not
counted as queries), fits an additive model (Bayesian ridge on the one-hot encoding) once,
and the strategy is told the prediction for every other cell; the truth below (feasibility,
hypervolume, regret) always uses the measured table (:meth:`MultiObjective.observed`).

Truth, fixed from the full table before the search starts: each objective is turned into a
minimised one and normalised to [0, 1] by the min and max over the domain's feasible cells;
the reference point is 1.1 in every dimension; the true front is the non-dominated set of the
feasible cells. A run's hypervolume ratio is HV(found feasible points) / HV(true front).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from archembed.benchmarks.base import Benchmark
from archembed.benchmarks.network_costs import (
    NETWORK_METRICS,
    check_network_metric,
    network_costs,
)
from archembed.benchmarks.protocols import METRIC_DATASETS, metric_unit
from archembed.errors import ConfigError, UserError
from archembed.graph import ArchGraph
from archembed.progress import is_quiet
from archembed.search import pareto
from archembed.search.objectives import Evaluation, Objective
from archembed.spaces.restricted import RestrictedSpace

REFERENCE = 1.1
"""The reference point's coordinate in every normalised (minimised) dimension."""
METRIC_NAME = r"(?:[A-Za-z0-9_.-]+/)?[A-Za-z_][A-Za-z0-9_.-]*"
OBJECTIVE = re.compile(rf"\s*({METRIC_NAME})\s*:\s*(max|min)\s*")
CONSTRAINT = re.compile(rf"\s*({METRIC_NAME})\s*(<=|>=)\s*(\S+)\s*")
FREE = re.compile(rf"\s*({METRIC_NAME})\s*(?:~\s*(\d+))?\s*")
MIN_MEASURED = 2
"""Fewest measured cells a predicted free metric may be fitted on."""


@dataclass(frozen=True)
class ObjectiveSpec:
    """One objective: a metric (``DATASET/`` optional) to maximise or minimise."""

    metric: str
    maximise: bool

    def label(self) -> str:
        return f"{self.metric}:{'max' if self.maximise else 'min'}"


@dataclass(frozen=True)
class ConstraintSpec:
    """``metric <= bound`` or ``metric >= bound``."""

    metric: str
    op: str
    bound: float

    def label(self) -> str:
        return f"{self.metric}{self.op}{self.bound:g}"

    def slack(self, values: np.ndarray) -> np.ndarray:
        """``>= 0`` where satisfied: ``bound - value`` for ``<=``, ``value - bound`` for ``>=``."""
        return self.bound - values if self.op == "<=" else values - self.bound


def parse_objectives(text: str | Sequence[str]) -> tuple[ObjectiveSpec, ...]:
    """``"val_acc:max,edgegpu_latency:min"`` (or a list of such items) as specs."""
    items = text.split(",") if isinstance(text, str) else list(text)
    specs = []
    for item in items:
        match = OBJECTIVE.fullmatch(item) if isinstance(item, str) else None
        if match is None:
            raise ConfigError(
                f"objective {item!r}: write METRIC:max or METRIC:min, e.g. val_acc:max"
            )
        specs.append(ObjectiveSpec(match[1], match[2] == "max"))
    names = [s.metric for s in specs]
    if not specs or len(set(names)) != len(names):
        raise ConfigError(f"objectives {text!r}: give one or more distinct metrics")
    return tuple(specs)


def parse_constraint(text: str) -> ConstraintSpec:
    """``"pixel3_latency<=4.0"`` as a spec; a finite bound is required."""
    match = CONSTRAINT.fullmatch(text) if isinstance(text, str) else None
    bound = _number(match[3]) if match else None
    if match is None or bound is None:
        raise ConfigError(
            f"constraint {text!r}: write METRIC<=NUMBER or METRIC>=NUMBER, e.g. pixel3_latency<=4.0"
        )
    return ConstraintSpec(match[1], match[2], bound)


def parse_free(items: Iterable[str]) -> dict[str, int | None]:
    """Free metrics: ``METRIC`` (known exactly) -> None, ``METRIC~N`` (predicted) -> N."""
    free: dict[str, int | None] = {}
    for item in items:
        match = FREE.fullmatch(item) if isinstance(item, str) else None
        if match is None:
            raise ConfigError(
                f"free metric {item!r}: write METRIC (known exactly) or METRIC~N (predicted "
                "from N measured cells), e.g. net_params or edgegpu_latency~20"
            )
        cells = None if match[2] is None else int(match[2])
        if cells is not None and cells < MIN_MEASURED:
            raise ConfigError(f"free metric {item!r}: measure at least {MIN_MEASURED} cells")
        free[match[1]] = cells
    return free


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if np.isfinite(value) else None


@dataclass
class Truth:
    """What a run is measured against: normalisation, reference point and the true front."""

    low: np.ndarray
    high: np.ndarray
    front: np.ndarray
    volume: float

    def normalise(self, scores: np.ndarray) -> np.ndarray:
        """Higher-is-better scores as minimised values in [0, 1] over the feasible domain."""
        span = np.where(self.high > self.low, self.high - self.low, 1.0)
        return (self.high - scores) / span

    def measure(self, scores: np.ndarray) -> dict[str, float]:
        """Hypervolume ratio, IGD+ and front share of a set of feasible scores."""
        points = self.normalise(scores)
        reference = np.full(points.shape[1], REFERENCE)
        return {
            "hv_ratio": pareto.hypervolume(points, reference) / self.volume,
            "igd_plus": pareto.igd_plus(points, self.front),
            "front_share": pareto.front_share(points, self.front),
        }


@dataclass
class Observed:
    """What one seed's strategy is told for every cell of the domain: scores and slacks with
    each predicted metric's prediction in place of the measurement (except on the measured
    cells), and the prediction's RMSE over the other cells."""

    scores: np.ndarray
    slacks: np.ndarray | None
    predicted: dict[str, np.ndarray]
    rmse: dict[str, float]

    def evaluate(self, rows: np.ndarray) -> Evaluation:
        slack = None if self.slacks is None else self.slacks[rows]
        return Evaluation(scores=self.scores[rows], costs=np.zeros(len(rows)), slack=slack)


class MultiObjective(Objective):
    """Several benchmark metrics, each "higher is better" once minimised ones are negated,
    with constraint slacks; its ``truth`` measures a found set against the true front."""

    def __init__(
        self,
        benchmark: Benchmark,
        dataset: str,
        objectives: Sequence[ObjectiveSpec],
        constraints: Sequence[ConstraintSpec] = (),
        free: Iterable[str] = (),
    ) -> None:
        self.benchmark_name = benchmark.name
        self.dataset = dataset
        self.objectives = tuple(objectives)
        self.constraints = tuple(constraints)
        free_cells = parse_free(free)
        self.free = tuple(free_cells)
        self.predicted = {m: n for m, n in free_cells.items() if n is not None}
        self._check_free()
        names = list(
            dict.fromkeys(
                [o.metric for o in self.objectives] + [c.metric for c in self.constraints]
            )
        )
        labels, graphs, table = _metric_table(benchmark, dataset, names)
        self.labels = dict(zip(names, labels))
        column = {name: i for i, name in enumerate(names)}
        keep = np.ones(len(graphs), dtype=bool)
        for spec in self.constraints:
            if spec.metric in self.free and spec.metric not in self.predicted:
                keep &= spec.slack(table[:, column[spec.metric]]) >= 0
        self.space = RestrictedSpace(benchmark.space, [g for g, k in zip(graphs, keep) if k])
        self.raw = {name: table[keep, i] for name, i in column.items()}
        self.scores, self.slacks = self._goals(self.raw)
        self.features_: np.ndarray | None = None
        too_many = {m: n for m, n in self.predicted.items() if n > self.space.size}
        if too_many:
            name, cells = next(iter(too_many.items()))
            raise ConfigError(
                f"free metric {name}~{cells}: the searched set has only {self.space.size} cells"
            )
        self.feasible = np.ones(len(self.scores), dtype=bool)
        if self.slacks is not None:
            self.feasible = (self.slacks >= 0).all(axis=1)
        if not self.feasible.any():
            raise ConfigError(
                f"no architecture of {benchmark.name}/{dataset} meets the constraints"
            )
        self.floor = float(self.scores[:, 0].min())
        self.optimum = float(self.scores[self.feasible, 0].max())
        self.truth_set = self._truth()

    def _goals(self, raw: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray | None]:
        """Higher-is-better objective scores and constraint slacks of metric columns."""
        signs = np.array([1.0 if o.maximise else -1.0 for o in self.objectives])
        scores = np.column_stack([raw[o.metric] for o in self.objectives]) * signs
        if not self.constraints:
            return scores, None
        return scores, np.column_stack([c.slack(raw[c.metric]) for c in self.constraints])

    def _check_free(self) -> None:
        named = {o.metric for o in self.objectives} | {c.metric for c in self.constraints}
        unknown = [m for m in self.free if m not in named]
        if unknown:
            raise ConfigError(
                f"free metric {unknown[0]!r} is neither an objective nor a constraint; "
                f"named: {', '.join(sorted(named))}"
            )

    def observed(self, rng: np.random.Generator) -> Observed | None:
        """One seed's view with every predicted metric fitted on cells drawn by ``rng``
        (None without predicted metrics: the strategy is told the measurements)."""
        if not self.predicted:
            return None
        features = self._features()
        raw, rmse = dict(self.raw), {}
        for name, cells in self.predicted.items():
            measured = rng.choice(len(features), size=cells, replace=False)
            raw[name], rmse[name] = _predict(features, self.raw[name], measured)
        scores, slacks = self._goals(raw)
        predicted = {name: raw[name] for name in self.predicted}
        return Observed(scores, slacks, predicted, rmse)

    def _features(self) -> np.ndarray:
        """One-hot encoding of every cell of the domain (computed once)."""
        if self.features_ is None:
            from archembed.encoders.baseline import OneHotEncoder

            self.features_ = OneHotEncoder(self.space.base).transform(self.space.enumerate())
        return self.features_

    def _truth(self) -> Truth:
        """Normalisation, reference and front from the feasible cells of the whole table."""
        feasible = self.scores[self.feasible]
        truth = Truth(feasible.min(axis=0), feasible.max(axis=0), feasible[:0], 0.0)
        points = truth.normalise(feasible)
        truth.front = np.unique(points[pareto.non_dominated(points)], axis=0)
        truth.volume = pareto.hypervolume(truth.front, np.full(points.shape[1], REFERENCE))
        return truth

    @property
    def multi(self) -> bool:
        return len(self.objectives) > 1

    def rows(self, graphs: Sequence[ArchGraph]) -> np.ndarray:
        return np.asarray([self.space.index(g) for g in graphs], dtype=int)

    def evaluate(self, graphs: Sequence[ArchGraph], rng: np.random.Generator) -> Evaluation:
        rows = self.rows(graphs)
        slack = None if self.slacks is None else self.slacks[rows]
        return Evaluation(scores=self.scores[rows], costs=np.zeros(len(rows)), slack=slack)

    def values(self, graphs: Sequence[ArchGraph]) -> dict[str, np.ndarray]:
        """The raw value of every named metric, per graph (for the trajectory)."""
        rows = self.rows(graphs)
        return {name: column[rows] for name, column in self.raw.items()}

    def describe(self) -> dict[str, Any]:
        return {
            "kind": "multiobjective",
            "benchmark": self.benchmark_name,
            "dataset": self.dataset,
            "objectives": [o.label() for o in self.objectives],
            "constraints": [c.label() for c in self.constraints],
            "metrics": {
                name: {"source": label, "unit": metric_unit(name.rsplit("/", 1)[-1])}
                for name, label in self.labels.items()
            },
            "free": list(self.free),
            "predicted": dict(self.predicted),
            "archs": self.space.size,
            "feasible": int(self.feasible.sum()),
            "front": len(self.truth_set.front),
        }


def _predict(
    features: np.ndarray, values: np.ndarray, measured: np.ndarray
) -> tuple[np.ndarray, float]:
    """Additive prediction of ``values`` from the ``measured`` rows (kept exact there) and its
    RMSE over the other rows."""
    from sklearn.linear_model import BayesianRidge

    model = BayesianRidge().fit(features[measured], values[measured])
    predicted = model.predict(features)
    predicted[measured] = values[measured]
    others = np.ones(len(values), dtype=bool)
    others[measured] = False
    error = predicted[others] - values[others]
    return predicted, float(np.sqrt(np.mean(error**2))) if others.any() else 0.0


def _metric_table(
    benchmark: Benchmark, dataset: str, names: list[str]
) -> tuple[list[str], list[ArchGraph], np.ndarray]:
    """Source labels, the architectures with a valid value for every metric, their values."""
    columns, labels = [], []
    everything = benchmark.graphs()
    for name in names:
        if name in NETWORK_METRICS and name not in benchmark.metrics(dataset):
            graphs, values = everything, _network_metric(benchmark, dataset, name, everything)
            label = f"{dataset}/{name} (network builder)"
        else:
            where, metric, epoch = _locate(benchmark, dataset, name)
            graphs, values = benchmark.labels(where, metric, epoch)
            values = np.where(missing_values(metric, values), np.nan, values)
            label = f"{where}/{metric}"
        ids = [benchmark.space.identity(g) for g in graphs]
        columns.append(dict(zip(ids, values)))
        labels.append(label)
    common = [g for g in everything if _complete(benchmark, g, columns)]
    if not common:
        raise ConfigError(
            f"no architecture of {benchmark.name}/{dataset} has a value for all of {names}"
        )
    ids = [benchmark.space.identity(g) for g in common]
    table = np.array([[column[i] for column in columns] for i in ids], dtype=float)
    return labels, common, table


def _network_metric(
    benchmark: Benchmark, dataset: str, name: str, graphs: list[ArchGraph]
) -> np.ndarray:
    """``net_params`` or ``net_flops`` of every architecture (computed once, then cached)."""
    check_network_metric(benchmark.space.name, dataset, name)
    return network_costs(benchmark.space.name, dataset, graphs, not is_quiet())[name]


def _complete(benchmark: Benchmark, graph: ArchGraph, columns: list[dict[str, float]]) -> bool:
    key = benchmark.space.identity(graph)
    return all(np.isfinite(column.get(key, np.nan)) for column in columns)


def missing_values(metric: str, values: np.ndarray) -> np.ndarray:
    """Missing entries: non-finite, and a negative latency or energy (did not compile)."""
    bad = ~np.isfinite(values)
    if metric_unit(metric) in ("ms", "mJ", "s"):
        bad |= values < 0
    return bad


def _locate(benchmark: Benchmark, dataset: str, name: str) -> tuple[str, str, int]:
    """(dataset, metric, last epoch) holding ``name`` (``DATASET/METRIC`` or a metric of
    ``dataset``)."""
    where, _, metric = name.rpartition("/")
    if not where:
        sibling = METRIC_DATASETS.get((benchmark.name, dataset))
        lacks = metric not in benchmark.metrics(dataset)
        where = sibling if lacks and sibling and metric in benchmark.metrics(sibling) else dataset
    try:
        epochs = benchmark.epochs(where, metric)
        resolved = benchmark.resolve(where, metric, max(epochs) if epochs else None)
    except UserError as exc:
        raise ConfigError(f"objective or constraint {name!r}: {exc}") from None
    return resolved[0], resolved[1], resolved[2]
