"""Search runner benchmarks: runner overhead and GP-BO throughput on NB201 (Markdown rows).

    ARCHEMBED_DATA=../shared/data PYTHONPATH=src python bench/bench_search.py \
        [--seeds 100] [--queries 100] [--workers 2] [--overhead-seeds 5]

1. Overhead: ``--overhead-seeds`` GP-BO seeds run serially through ``run_experiment``
   (config, planning, encoder precomputation, objective look-ups, trajectory bookkeeping,
   file writes); overhead = 1 - (time inside the strategy's ask/tell) / (total wall time).
2. Throughput: ``--seeds`` x ``--queries`` GP-BO (one-hot encoding, default parameters) with
   ``--workers`` local processes, wall time of the whole experiment including start-up.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from archembed.experiments.config import parse_config
from archembed.experiments.runner import run_experiment


def experiment(seeds: int, queries: int, workers: int) -> object:
    return parse_config(
        {
            "name": "bench",
            "benchmarks": ["nb201/cifar10-valid"],
            "strategies": ["bo"],
            "encoders": ["onehot"],
            "seeds": seeds,
            "queries": queries,
            "workers": workers,
        }
    )


def timed(config: object, out: Path) -> tuple[float, list[dict]]:
    start = time.perf_counter()
    summaries = run_experiment(config, out, progress=False)
    return time.perf_counter() - start, summaries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--overhead-seeds", type=int, default=5)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-search-"))
    try:
        load = os.getloadavg()[0]
        wall, summaries = timed(experiment(args.overhead_seeds, args.queries, 1), scratch / "a")
        inside = sum(s["strategy_seconds"] for s in summaries)
        print("| measurement | value | load (1 min) |")
        print("|---|---|---|")
        print(
            f"| runner overhead, {args.overhead_seeds} GP-BO seeds x {args.queries} queries, "
            f"serial | {100 * (1 - inside / wall):.2f}% of {wall:.1f} s wall "
            f"({inside:.1f} s in the strategy) | {load:.1f} |"
        )
        load = os.getloadavg()[0]
        config = experiment(args.seeds, args.queries, args.workers)
        wall, summaries = timed(config, scratch / "b")
        failed = sum(s["status"] != "ok" for s in summaries)
        per_seed = sum(s["wall_seconds"] for s in summaries) / max(len(summaries), 1)
        print(
            f"| GP-BO {args.seeds} seeds x {args.queries} queries, {args.workers} workers "
            f"| {wall:.1f} s wall ({per_seed:.1f} s per seed, {failed} failed) | {load:.1f} |"
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
