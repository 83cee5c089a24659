"""One seed of one run: the unit of work executors ship to workers, and what comes back."""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from archembed.encoders.base import Encoder
from archembed.search.base import make_strategy
from archembed.search.budget import Budget
from archembed.search.loop import run_search
from archembed.search.mo_loop import MO_FINALS
from archembed.search.objectives import Objective


@dataclass(frozen=True)
class SeedTask:
    """Strategy ``strategy`` with ``params`` on the shared objective/encoder, for one seed."""

    run: str
    seed: int
    strategy: str
    params: dict[str, Any]
    shared_key: str
    budget: Budget
    batch_size: int | None = None


@dataclass
class SeedOutcome:
    task: SeedTask
    summary: dict[str, Any]
    trajectory: pd.DataFrame | None = field(default=None)


def run_task(task: SeedTask, objective: Objective, encoder: Encoder | None) -> SeedOutcome:
    """Run one seed; any exception becomes a failed outcome (the others carry on).

    Threads are the process's: the command's ``--threads``, or a worker's share of them.
    """
    start = time.perf_counter()
    try:
        trajectory, timings = search_seed(task, objective, encoder)
    except Exception as exc:  # recorded per seed; a bug in one seed must not stop the rest
        return failed_outcome(task, exc, time.perf_counter() - start)
    summary = summarise(task, trajectory, timings)
    summary["wall_seconds"] = time.perf_counter() - start
    return SeedOutcome(task, summary, trajectory)


def search_seed(
    task: SeedTask, objective: Objective, encoder: Encoder | None
) -> tuple[pd.DataFrame, dict[str, float]]:
    """The search of one seed: trajectory and timings (the strategy's and the objective's
    random streams are derived from the seed)."""
    strategy_rng, objective_rng = (
        np.random.default_rng(s) for s in np.random.SeedSequence(task.seed).spawn(2)
    )
    strategy = make_strategy(task.strategy, objective.space, strategy_rng, encoder, **task.params)
    return run_search(strategy, objective, task.budget, objective_rng, task.batch_size)


def summarise(
    task: SeedTask, trajectory: pd.DataFrame, timings: dict[str, float]
) -> dict[str, Any]:
    last = trajectory.iloc[-1] if len(trajectory) else None

    def final(column: str) -> float | None:
        if last is None or pd.isna(last[column]):
            return None
        return float(last[column])

    return {
        "status": "ok",
        "run": task.run,
        "seed": task.seed,
        "queries": len(trajectory),
        "simulated_seconds": final("elapsed"),
        "incumbent": None if last is None else str(last["incumbent_arch"]),
        "incumbent_score": final("incumbent_score"),
        "incumbent_val": final("incumbent_val"),
        "incumbent_test": final("incumbent_test"),
        "regret": final("regret"),
        "test_regret": final("test_regret"),
        **{key: final(key) for key in MO_FINALS if key in trajectory},
        **{key: float(value) for key, value in timings.items()},
    }


def failed_outcome(task: SeedTask, exc: BaseException, seconds: float = 0.0) -> SeedOutcome:
    return SeedOutcome(
        task,
        {
            "status": "failed",
            "run": task.run,
            "seed": task.seed,
            "error": f"{type(exc).__name__}: {exc}",
            "traceback": "".join(traceback.format_exception(exc)),
            "wall_seconds": seconds,
        },
    )
