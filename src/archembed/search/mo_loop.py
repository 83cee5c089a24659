"""The search loop of a multi-objective or constrained objective: one row per query.

Each row records every named metric's raw value, whether the architecture is feasible, the
number of infeasible queries so far, and the found set measured against the true front
(hypervolume ratio, IGD+, share of the front found; see
:mod:`archembed.search.multiobjective`). With one objective it also records the incumbent
(the best FEASIBLE architecture observed) and its regret against the best feasible cell.

A multi-objective strategy is told the ``(n, m)`` scores and the ``(n, c)`` slacks. A
single-objective strategy may search one objective under constraints: it is told the
objective's score where the architecture is feasible and, where it is not, the lowest score
of the searched domain (so it never prefers an infeasible cell to a feasible one).

With a predicted free metric (``METRIC~N``) the strategy is told the seed's prediction
(:meth:`MultiObjective.observed`) while feasibility and the metrics above use the table; the
trajectory adds ``predicted.<metric>`` and the summary ``<metric>_measured`` (cells measured
for the fit, not counted as queries) and ``<metric>_rmse`` (the prediction's error on the other
cells).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from archembed.errors import ConfigError
from archembed.graph import ArchGraph
from archembed.search.base import Strategy
from archembed.search.budget import Budget
from archembed.search.multiobjective import MultiObjective, Observed

METRIC_PREFIX = "metric."
"""Trajectory columns ``metric.<name>`` hold each named metric's raw value."""
PREDICTED_PREFIX = "predicted."
"""Trajectory columns ``predicted.<name>``: what the strategy was told of a predicted metric."""
MO_FINALS = ("hv_ratio", "igd_plus", "front_share", "infeasible")
"""Columns whose final value a seed's summary records."""
SINGLE_COLUMNS = (
    "score",
    "val",
    "incumbent_arch",
    "incumbent_score",
    "incumbent_val",
    "regret",
    "test",
    "incumbent_test",
    "test_regret",
)
"""Columns of the single-objective trajectory, kept so one-objective runs report regret."""


def check_pairing(strategy: type[Strategy] | Strategy, objectives: int) -> None:
    """ConfigError when a strategy is given more objectives than it optimises."""
    limit = getattr(strategy, "max_objectives", None)
    if limit is None and not getattr(strategy, "multi_objective", False):
        limit = 1
    if limit is not None and objectives > limit:
        raise ConfigError(
            f"strategy {strategy.name!r} optimises one objective; with {objectives} objectives "
            "use a multi-objective one (random, nsga2, qlognehvi, qnparego)"
        )


def tell(
    strategy: Strategy,
    graphs: list[ArchGraph],
    scores: np.ndarray,
    slack: np.ndarray | None = None,
    floor: float | None = None,
) -> None:
    """Tell a strategy its results in the form it takes (see the module docstring); ``floor``
    is the score a single-objective strategy is told for an infeasible architecture."""
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim == 1:
        scores = scores[:, None]
    if getattr(strategy, "multi_objective", False):
        strategy.tell(graphs, scores, slack)  # type: ignore[call-arg]
        return
    column = scores[:, 0]
    if slack is not None:
        lowest = float(column.min()) if floor is None else floor
        column = np.where((slack >= 0).all(axis=1), column, lowest)
    strategy.tell(graphs, column.tolist())


def run_mo_search(
    strategy: Strategy,
    objective: MultiObjective,
    budget: Budget,
    rng: np.random.Generator,
    batch_size: int | None = None,
    on_round: Callable[[int], None] | None = None,
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Run ``strategy`` on a multi-objective ``objective`` within a query ``budget``."""
    check_pairing(strategy, len(objective.objectives))
    batch = batch_size or strategy.batch_size
    rows: list[dict[str, object]] = []
    found: list[np.ndarray] = []
    best: tuple[float, str] = (-np.inf, "")
    measured = {"hv_ratio": 0.0, "igd_plus": np.inf, "front_share": 0.0}
    infeasible, rounds = 0, 0
    timings = {"strategy_seconds": 0.0, "objective_seconds": 0.0}
    start = time.perf_counter()
    seen = objective.observed(rng)
    while (allowed := budget.remaining(len(rows), 0.0)) > 0:
        tick = time.perf_counter()
        graphs = strategy.ask(min(batch, allowed))
        timings["strategy_seconds"] += time.perf_counter() - tick
        if not graphs:
            break
        tick = time.perf_counter()
        result = objective.evaluate(graphs, rng)
        values = objective.values(graphs)
        told = result if seen is None else seen.evaluate(objective.rows(graphs))
        predicted = _predicted(seen, objective.rows(graphs))
        timings["objective_seconds"] += time.perf_counter() - tick
        tick = time.perf_counter()
        tell(strategy, graphs, told.scores, told.slack, objective.floor)
        timings["strategy_seconds"] += time.perf_counter() - tick
        tick = time.perf_counter()
        rounds += 1
        ok = np.ones(len(graphs), bool) if result.slack is None else (result.slack >= 0).all(1)
        for i, graph in enumerate(graphs):
            native = objective.space.to_native(graph)
            score = float(result.scores[i, 0])
            infeasible += not ok[i]
            if ok[i]:
                found.append(result.scores[i])
                measured = objective.truth_set.measure(np.stack(found))
                if score > best[0]:
                    best = (score, native)
            row: dict[str, object] = {"query": len(rows) + 1, "round": rounds, "arch": native}
            row.update({f"{METRIC_PREFIX}{k}": float(v[i]) for k, v in values.items()})
            row.update({f"{PREDICTED_PREFIX}{k}": float(v[i]) for k, v in predicted.items()})
            row.update({"feasible": bool(ok[i]), "infeasible": infeasible, **measured})
            row.update(_single(objective, score, best))
            row.update({"cost": 0.0, "elapsed": 0.0})
            rows.append(row)
        timings["objective_seconds"] += time.perf_counter() - tick
        if on_round is not None:
            on_round(len(rows))
    timings["total_seconds"] = time.perf_counter() - start
    if seen is not None:
        for name, error in seen.rmse.items():
            timings[f"{name}_measured"] = float(objective.predicted[name])
            timings[f"{name}_rmse"] = error
    return pd.DataFrame(rows), timings


def _predicted(seen: Observed | None, rows: np.ndarray) -> dict[str, np.ndarray]:
    """The predicted metrics' values the strategy was told for ``rows``."""
    if seen is None:
        return {}
    return {name: column[rows] for name, column in seen.predicted.items()}


def _single(objective: MultiObjective, score: float, best: tuple[float, str]) -> dict[str, object]:
    """The single-objective columns: observed score, incumbent (best feasible) and regret;
    NaN with several objectives, where no single incumbent exists."""
    if objective.multi:
        return {**dict.fromkeys(SINGLE_COLUMNS, float("nan")), "incumbent_arch": ""}
    sign = 1.0 if objective.objectives[0].maximise else -1.0
    regret = objective.optimum - best[0] if np.isfinite(best[0]) else float("nan")
    incumbent = best[0] if np.isfinite(best[0]) else float("nan")
    values = (score, sign * score, best[1], incumbent, sign * incumbent, round(regret, 12))
    nan = float("nan")
    return {**dict.fromkeys(SINGLE_COLUMNS, nan), **dict(zip(SINGLE_COLUMNS[:6], values))}
