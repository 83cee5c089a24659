"""The search loop: ask, evaluate, tell until the budget is spent; one row per query.

The trajectory records what the strategy saw (``score``) next to the noise-free validation
and test values of every queried architecture, and the incumbent after each query: the
architecture with the best observed score so far (never chosen by test). A multi-objective
or constrained objective runs :func:`archembed.search.mo_loop.run_mo_search` instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from archembed.search.base import Strategy
from archembed.search.budget import Budget
from archembed.search.mo_loop import run_mo_search, tell
from archembed.search.multiobjective import MultiObjective
from archembed.search.objectives import Objective

TRAJECTORY_COLUMNS = (
    "query",
    "round",
    "arch",
    "score",
    "val",
    "test",
    "cost",
    "elapsed",
    "incumbent_arch",
    "incumbent_score",
    "incumbent_val",
    "incumbent_test",
    "regret",
    "test_regret",
)
REGRET_DECIMALS = 12
"""Regret is rounded to this many decimals: float noise in the benchmark's values, not a gap."""


def run_search(
    strategy: Strategy,
    objective: Objective,
    budget: Budget,
    rng: np.random.Generator,
    batch_size: int | None = None,
    on_round: Callable[[int], None] | None = None,
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Run ``strategy`` on ``objective`` within ``budget``.

    Returns the trajectory (columns TRAJECTORY_COLUMNS) and timings: ``strategy_seconds``
    (ask + tell), ``objective_seconds`` and ``total_seconds`` of wall time.
    """
    if budget.seconds is not None and not objective.has_cost:
        from archembed.errors import ConfigError

        raise ConfigError(
            "a time budget needs training times, which this objective does not have; "
            "use a query budget"
        )
    if isinstance(objective, MultiObjective):
        return run_mo_search(strategy, objective, budget, rng, batch_size, on_round)
    batch = batch_size or strategy.batch_size
    columns: dict[str, list[object]] = {c: [] for c in TRAJECTORY_COLUMNS}
    queries, elapsed, rounds = 0, 0.0, 0
    best_score, best = -np.inf, ("", np.nan, np.nan)
    timings = {"strategy_seconds": 0.0, "objective_seconds": 0.0}
    start = time.perf_counter()
    while (allowed := budget.remaining(queries, elapsed)) > 0:
        tick = time.perf_counter()
        graphs = strategy.ask(min(batch, allowed))
        timings["strategy_seconds"] += time.perf_counter() - tick
        if not graphs:
            break
        tick = time.perf_counter()
        result = objective.evaluate(graphs, rng)
        truth = objective.truth(graphs)
        timings["objective_seconds"] += time.perf_counter() - tick
        tick = time.perf_counter()
        tell(strategy, graphs, result.scores)
        timings["strategy_seconds"] += time.perf_counter() - tick
        rounds += 1
        vals = truth.get("val", np.full(len(graphs), np.nan))
        tests = truth.get("test", np.full(len(graphs), np.nan))
        for i, graph in enumerate(graphs):
            queries += 1
            elapsed += float(result.costs[i])
            native = objective.space.to_native(graph)
            score = float(result.scores[i])
            if score > best_score:
                best_score, best = score, (native, float(vals[i]), float(tests[i]))
            for name, value in (
                ("query", queries),
                ("round", rounds),
                ("arch", native),
                ("score", score),
                ("val", float(vals[i])),
                ("test", float(tests[i])),
                ("cost", float(result.costs[i])),
                ("elapsed", elapsed),
                ("incumbent_arch", best[0]),
                ("incumbent_score", best_score),
                ("incumbent_val", best[1]),
                ("incumbent_test", best[2]),
                ("regret", _gap(objective.optimum, best[1])),
                ("test_regret", _gap(objective.test_optimum, best[2])),
            ):
                columns[name].append(value)
        timings["objective_seconds"] += time.perf_counter() - tick
        if on_round is not None:
            on_round(queries)
    timings["total_seconds"] = time.perf_counter() - start
    return pd.DataFrame(columns), timings


def _gap(optimum: float | None, value: float) -> float:
    """``optimum - value``, rounded so the optimum itself has regret 0 (not 1.1e-16)."""
    return float("nan") if optimum is None else round(optimum - value, REGRET_DECIMALS)
