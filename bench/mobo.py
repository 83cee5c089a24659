"""qLogNEHVI throughput: seeds x queries on NB201 (val_acc vs edge GPU latency), a Markdown row.

    ARCHEMBED_DATA=../shared/data PYTHONPATH=src python bench/mobo.py \
        [--seeds 30] [--queries 100] [--workers 2] [--dataset cifar10-valid] \
        [--strategy qlognehvi] [-p refit_every=10 -p shortlist=128]

Runs the whole experiment through ``run_experiment`` (objective and encoder set-up, one-hot
embedding of the 15,625 cells, the search, trajectory files) with ``--workers`` local
processes of one thread each, and reports the wall time, the CPU time of this process and its
workers (user + sys: what the run costs on a loaded machine), the mean final hypervolume ratio
and the 1-minute load average at the start.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from archembed.experiments.config import parse_config
from archembed.experiments.runner import run_experiment
from archembed.threads import set_threads


def experiment(
    seeds: int, queries: int, workers: int, dataset: str, strategy: str, params: dict[str, Any]
) -> object:
    """The benchmarked experiment: ``strategy`` (default parameters unless ``params``) on
    one-hot embeddings."""
    return parse_config(
        {
            "name": "bench-mobo",
            "benchmarks": [
                {"name": f"nb201/{dataset}", "objectives": "val_acc:max,edgegpu_latency:min"}
            ],
            "strategies": [{"name": strategy, "params": params}],
            "encoders": ["onehot"],
            "seeds": seeds,
            "queries": queries,
            "workers": workers,
        }
    )


def cpu_seconds() -> float:
    """User + system CPU seconds of this process and its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=30)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--dataset", default="cifar10-valid")
    parser.add_argument("--strategy", default="qlognehvi", choices=("qlognehvi", "qnparego"))
    parser.add_argument("-p", dest="params", action="append", default=[], help="KEY=VALUE")
    args = parser.parse_args()
    params = {k: yaml.safe_load(v) for k, _, v in (p.partition("=") for p in args.params)}
    set_threads(args.workers)
    scratch = Path(tempfile.mkdtemp(prefix="bench-mobo-"))
    try:
        load = os.getloadavg()[0]
        config = experiment(
            args.seeds, args.queries, args.workers, args.dataset, args.strategy, params
        )
        start, cpu = time.perf_counter(), cpu_seconds()
        summaries = run_experiment(config, scratch / "run", progress=False)
        wall, cpu = time.perf_counter() - start, cpu_seconds() - cpu
        ok = [s for s in summaries if s["status"] == "ok"]
        ratios = [float(s["hv_ratio"]) for s in ok]
        spread = statistics.stdev(ratios) if len(ratios) > 1 else float("nan")
        print("| measurement | wall | CPU (user+sys) | HV ratio at the end | load (1 min) |")
        print("|---|---|---|---|---|")
        print(
            f"| {args.strategy} {params or ''} {args.seeds} seeds x {args.queries} queries, "
            f"NB201 {args.dataset} "
            f"val_acc vs edgegpu_latency, one-hot, {args.workers} workers x 1 thread "
            f"({len(summaries) - len(ok)} failed) | {wall:.1f} s | {cpu:.1f} s "
            f"({cpu / max(len(summaries), 1):.1f} s per seed) | "
            f"{statistics.fmean(ratios) if ratios else float('nan'):.4f} ± {spread:.4f} | "
            f"{load:.1f} |"
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
