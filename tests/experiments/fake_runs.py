"""Finished run directories written without searching, for report and CLI tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from archembed.experiments.results import write_seed
from archembed.search.loop import TRAJECTORY_COLUMNS


def write_finished_run(directory: Path, queries: int, seeds: tuple[int, ...] = (0, 1)) -> None:
    """Seeds whose regret falls linearly from 1 + seed to 0 over ``queries`` queries."""
    for seed in seeds:
        regret = np.linspace(1.0 + seed, 0.0, queries)
        frame = pd.DataFrame({column: np.zeros(queries) for column in TRAJECTORY_COLUMNS})
        frame["query"] = np.arange(1, queries + 1)
        frame["arch"] = frame["incumbent_arch"] = "a"
        frame["regret"] = regret
        frame["incumbent_val"] = 90.0 - regret
        config = {
            "run": directory.name,
            "seed": seed,
            "benchmark": {"name": "nb201", "search": "cifar10-valid/val_acc@200"},
            "budget": {"queries": queries, "seconds": None},
        }
        summary = {"status": "ok", "run": directory.name, "seed": seed, "queries": queries}
        write_seed(directory, seed, config, summary, frame)
